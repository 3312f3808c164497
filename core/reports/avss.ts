/**
 * The AVSS 2018 semantic-search challenge (task 2) submission format, one CSV per video:
 * header `frame,left,top,right,bottom`, one row per frame, frame = 0-based index, -1 where the
 * person is not found. Boxes there are pixel-inclusive; ours are right/bottom-exclusive, so
 * right and bottom are reduced by one.
 */
import { InputError } from '../errors';
import type { Box, TrackPoint } from '../store/searches';
import type { ReportModel, ReportSighting } from './model';

export interface AvssFile { evidenceId: number; name: string; content: string; framesWithBox: number; frames: number }

/** Box at time t: linear interpolation between the surrounding track points (peak box without a track). */
export function boxAt(s: Pick<ReportSighting, 'track' | 'peakBox'>, t: number): Box {
  const track: TrackPoint[] = [...s.track].sort((a, b) => a.t - b.t);
  if (track.length === 0) return s.peakBox;
  const first = track[0]!;
  const last = track[track.length - 1]!;
  if (t <= first.t) return first.box;
  if (t >= last.t) return last.box;
  for (let i = 1; i < track.length; i++) {
    const b = track[i]!;
    if (t <= b.t) {
      const a = track[i - 1]!;
      const w = b.t === a.t ? 0 : (t - a.t) / (b.t - a.t);
      return a.box.map((v, k) => v + w * (b.box[k]! - v)) as Box;
    }
  }
  return last.box;
}

const safeStem = (name: string) => name.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'video';

/** One file per evidence searched by `searchId` (default: the latest search of the case). */
export function renderAvss(model: ReportModel, searchId?: number): AvssFile[] {
  const search = searchId === undefined ? model.searches[model.searches.length - 1] : model.searches.find((s) => s.id === searchId);
  if (!search) {
    throw new InputError(searchId === undefined ? `case "${model.case.name}" has no searches to export`
      : `search #${searchId} is not part of case "${model.case.name}"`, { field: 'search' });
  }
  const evidence = search.scope === 'all' ? model.evidence : model.evidence.filter((e) => (search.scope as number[]).includes(e.id));
  const used = new Set<string>();
  return evidence.map((e) => {
    if (!e.fps || !e.durationS) {
      throw new InputError(`evidence #${e.id} (${e.fileName}) has no ${e.fps ? 'duration' : 'frame rate'} recorded; frame numbers cannot be computed`, { file: e.videoPath });
    }
    const frames = Math.round(e.durationS * e.fps);
    const hits = model.sightings.filter((s) => s.searchId === search.id && s.evidenceId === e.id).sort((a, b) => b.score - a.score);
    const rows = ['frame,left,top,right,bottom'];
    let framesWithBox = 0;
    for (let f = 0; f < frames; f++) {
      const t = f / e.fps;
      // Task 2 has one target per sequence: the best-scoring sighting covering the frame wins.
      const s = hits.find((h) => t >= h.startS - 1e-9 && t <= h.endS + 1e-9);
      if (!s) { rows.push(`${f},-1,-1,-1,-1`); continue; }
      const [l, tp, r, b] = boxAt(s, t).map((v) => Math.round(v)) as Box;
      rows.push(`${f},${l},${tp},${Math.max(l, r - 1)},${Math.max(tp, b - 1)}`);
      framesWithBox++;
    }
    let name = `${safeStem(e.fileName)}.txt`;
    if (used.has(name)) name = `${safeStem(e.fileName)}-e${e.id}.txt`;
    used.add(name);
    return { evidenceId: e.id, name, content: rows.join('\n') + '\n', framesWithBox, frames };
  });
}
