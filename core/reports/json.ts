/** JSON: the whole report model; thumbnails are referenced by SHA-256 instead of embedded. */
import type { ReportModel } from './model';

export function renderJson(model: ReportModel): string {
  const sightings = model.sightings.map(({ thumbnailPng: _png, ...s }) => s);
  return JSON.stringify({ ...model, sightings }, null, 2) + '\n';
}
