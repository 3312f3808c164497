/** Human wording shared by the report renderers: times, boxes, slots, thresholds, index warnings. */
import { ATTRIBUTES, displayValue, type AttributeKey } from '../attributes/schema';
import { storedTrackSupport } from '../index/sightings';
import type { SearchedEvidence } from '../store/searches';
import { formatSeconds } from '../text/timecode';

export { formatSeconds };

export function formatBox(b: readonly number[]): string {
  return `[${b.map((v) => Math.round(v)).join(', ')}]`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(1)} ${units[i]} (${n} bytes)`;
}

const keys = new Set<string>(ATTRIBUTES.map((a) => a.key));

/**
 * Query slots as "Label = value" lines. Accepts {key: code} or a 16-long code array (slot order);
 * anything else is shown as its JSON, so an unexpected shape is still reported verbatim.
 */
export function describeSlots(slots: unknown): string[] {
  const pairs: [AttributeKey, number][] = [];
  if (Array.isArray(slots) && slots.length === ATTRIBUTES.length && slots.every((c) => Number.isInteger(c))) {
    slots.forEach((c: number, i) => { if (c !== -1) pairs.push([ATTRIBUTES[i]!.key, c]); });
  } else if (slots && typeof slots === 'object' && !Array.isArray(slots) && Object.entries(slots).every(([k, v]) => keys.has(k) && Number.isInteger(v))) {
    for (const a of ATTRIBUTES) {
      const c = (slots as Record<string, number>)[a.key];
      if (c !== undefined && c !== -1) pairs.push([a.key, c]);
    }
  } else {
    return [JSON.stringify(slots)];
  }
  if (pairs.length === 0) return ['(all attributes unknown)'];
  return pairs.map(([k, c]) => `${ATTRIBUTES.find((a) => a.key === k)!.label} = ${displayValue(k, c)} (${c})`);
}

/**
 * Which moment a sighting's thumbnail shows. The index keeps one thumbnail per second, so it is often
 * not the peak frame; the report says so instead of implying it. Null time: recorded before the
 * time was kept (schema < 4).
 */
export function describeThumbnailTime(s: { peakS: number; thumbnailS: number | null }): string {
  if (s.thumbnailS === null) return 'time not recorded';
  const d = s.thumbnailS - s.peakS;
  if (Math.abs(d) < 5e-4) return 'peak frame';
  return `at ${formatSeconds(s.thumbnailS)}, ${Number(Math.abs(d).toFixed(3))} s ${d < 0 ? 'before' : 'after'} the peak`;
}

export function describeThresholds(t: Record<string, number>): string {
  const entries = Object.entries(t);
  return entries.length ? entries.map(([k, v]) => `${k} = ${v}`).join('; ') : '(none recorded)';
}

/**
 * A sighting's support (what its search ranked it by: the mean of its five best frame confidences),
 * '' when its track has no per-frame scores (sightings stored before those were recorded).
 */
export function supportText(track: ReadonlyArray<{ score?: number }>): string {
  return storedTrackSupport(track)?.toFixed(3) ?? '';
}

export function describeScope(scope: 'all' | number[]): string {
  return scope === 'all' ? 'all evidence in the case' : `evidence ${scope.map((id) => `#${id}`).join(', ')}`;
}

export function decisionLabel(d: { decision: string } | undefined): string {
  return d ? ({ confirm: 'CONFIRMED', reject: 'REJECTED', unsure: 'UNSURE' } as Record<string, string>)[d.decision] ?? d.decision : 'not reviewed';
}

export function verificationLabel(status: string): string {
  return ({ match: 'VERIFIED (match)', mismatch: 'MISMATCH', missing: 'FILE MISSING', unreadable: 'UNREADABLE' } as Record<string, string>)[status] ?? status;
}

/** ISO time -> "2026-11-29 17:31:31 UTC" (seconds precision, for narrow table cells). */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : iso;
}

/** What an index's warnings mean for a search of that evidence (said once per report section). */
export const INDEX_WARNINGS_NOTE = 'Where an index warning applies (frames that did not decode, scenes stored less exactly), a search that finds nobody is weak evidence that nobody was there.';

/** "index #3 (model f3a9c1e07b5d…, 5 frames/s)": which index of the evidence warned. */
export function describeIndex(i: { indexId: number; modelHash: string; samplingFps: number }): string {
  return `index #${i.indexId} (model ${i.modelHash.slice(0, 12)}…, ${i.samplingFps} frames/s)`;
}

/** How an index stores its features, in words: what "compressed" costs a search is said in the report's note. */
export function describeStorage(index: Pick<NonNullable<SearchedEvidence['index']>, 'storage' | 'storageDims'>): string {
  switch (index.storage) {
    case 'pca': return index.storageDims
      ? `compressed features (${index.storageDims.kept} of ${index.storageDims.of} dimensions kept)`
      : 'compressed features';
    case 'float16': return 'exact features (16-bit)';
    case 'float32': return 'exact features (32-bit)';
    case 'int8': return 'features rounded to 8 bits';
    default: return `features stored as ${String(index.storage)}`;
  }
}

/** The encoder that made an index's features, when it was not the float one (recorded since 1 Dec 2026). */
export function describeEncoder(encoder: NonNullable<SearchedEvidence['index']>['encoder']): string {
  return encoder?.precision === 'int8' ? `, int8 encoder (sha256 ${encoder.sha256.slice(0, 12)}…)` : '';
}

/** The crop-colour re-ranker that reordered a search's sightings (recorded since 3 Dec 2026). */
export function describeReranker(reranker: NonNullable<SearchedEvidence['index']>['reranker']): string {
  if (!reranker) return '';
  const net = reranker.cropNet ? `; crop network sha256 ${reranker.cropNet.sha256.slice(0, 12)}…, weight ${reranker.cropNet.weight}` : '';
  const refiner = reranker.boxRefiner ? `; peak boxes refined by box refiner sha256 ${reranker.boxRefiner.sha256.slice(0, 12)}…` : '';
  return `, best ${reranker.top} sightings re-ranked by peak-box colours${net ? ' and attributes' : ''} (re-ranker sha256 ${reranker.sha256.slice(0, 12)}…, α ${reranker.alpha}${net}${refiner})`;
}

/**
 * One line per evidence item a search covered: the index it read (rate, frames, storage), or that it
 * was not searched. Searches recorded before schema 6 did not record this: one line says so.
 */
export function describeEvidenceSearched(
  searched: readonly SearchedEvidence[] | null,
  fileName: (evidenceId: number) => string,
): string[] {
  if (searched === null) return ['not recorded (searches run before this was recorded)'];
  if (searched.length === 0) return ['none'];
  return searched.map(({ evidenceId, index }) => `#${evidenceId} ${fileName(evidenceId)}: ${index
    ? `index #${index.id}, ${index.frames} frames at ${index.samplingFps} frames/s${index.referenceFramesOnly ? ' (non-reference frames not decoded)' : ''}, ${describeStorage(index)}${describeEncoder(index.encoder)}${describeReranker(index.reranker)}`
    : 'NOT SEARCHED (no complete index for this model)'}`);
}
