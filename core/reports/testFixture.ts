/**
 * A realistic case for report tests: two evidence files on disk, a search with three sightings
 * (with PNG thumbnails of a drawn figure), decisions with notes, case notes. `hostile` fills every
 * user-provided string with injection attempts and non-Latin text.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSurface, encodeCanvas, strokeBox } from '../image/canvas';
import { createCase, type CaseRecord } from '../store/cases';
import { finishIndex, startIndex, type IndexRecord } from '../store/indexes';
import { recordDecision } from '../store/decisions';
import { importEvidenceFile, type EvidenceRecord } from '../store/evidence';
import { addNote } from '../store/notes';
import { recordSearch, type Box } from '../store/searches';
import type { Store } from '../store/store';

export const INJECTIONS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(2)>', "' onmouseover='alert(3)", '=HYPERLINK("http://evil")'];

/** A 96x128 PNG: a figure with red torso and blue legs on a grey street, the box drawn in yellow. */
export function figurePng(seed = 0): Uint8Array {
  const { canvas, ctx } = createSurface(96, 128);
  ctx.fillStyle = `rgb(${110 + seed * 10},${115 + seed * 5},120)`;
  ctx.fillRect(0, 0, 96, 128);
  ctx.fillStyle = '#e0b89a';
  ctx.beginPath(); ctx.arc(48, 24, 10, 0, Math.PI * 2); ctx.fill();
  ctx.fillStyle = '#c0262d'; ctx.fillRect(34, 35, 28, 40);
  ctx.fillStyle = '#1d3f8f'; ctx.fillRect(36, 75, 11, 40); ctx.fillRect(49, 75, 11, 40);
  strokeBox(ctx, [28, 10, 68, 120], '#ffd400', 2);
  return new Uint8Array(encodeCanvas(canvas, 'png'));
}

export interface SeededCase { theCase: CaseRecord; evidence: EvidenceRecord[]; sightingIds: number[]; searchId: number }

export async function seedReportCase(store: Store, dir: string, options: { hostile?: boolean; name?: string } = {}): Promise<SeededCase> {
  const h = options.hostile;
  const theCase = createCase(store, options.name ?? (h ? `Case ${INJECTIONS[0]} ${INJECTIONS[1]} Łódź 北京 Ωμέγα` : 'Harbour Road theft 2026-114'));
  const files = h ? [`cam ${INJECTIONS[1]} 北京.mp4`, 'C2_entrance.mp4'] : ['C1_quay_north.mp4', 'C2_entrance.mp4'];
  const evidence: EvidenceRecord[] = [];
  for (const [i, name] of files.entries()) {
    const path = join(dir, name);
    writeFileSync(path, randomBytes(4096 + i));
    evidence.push(await importEvidenceFile(store, theCase.id, path, {
      durationS: 4, width: 704, height: 576, fps: 5, cameraLabel: h ? `${INJECTIONS[2]} Kamera Süd` : `C${i + 1}`, timeOffsetS: i * 12.5,
    }));
  }
  const box = (x: number): Box => [x, 100, x + 60, 280];
  const { search, sightingIds } = recordSearch(store, theCase.id, {
    queryText: h ? `man in red ${INJECTIONS[0]} 红色外套` : 'woman, red long-sleeve top, blue trousers, backpack',
    querySlots: { gender: 1, torsoColour: 8, torsoType: 0, legColour: 1, legType: 0, luggage: 0 },
    modelHash: 'f3a9c1e07b5d42a8' + '0'.repeat(48),
    thresholds: { score: 0.45, iouLink: 0.3, maxGapS: 1.0 },
    scope: 'all',
    // What the search read: a compressed index of the first video, an exact one of the second.
    evidenceSearched: [
      { evidenceId: evidence[0]!.id, index: { id: 1, samplingFps: 5, frames: 20, storage: 'pca', storageDims: { kept: 32, of: 256 } } },
      { evidenceId: evidence[1]!.id, index: { id: 2, samplingFps: 5, frames: 20, storage: 'float16' } },
    ],
    sightings: [
      // Its thumbnail is the track frame 0.6 s before the peak (one thumbnail per second); the second's was stored before that was recorded,
      // and its track before per-frame scores were (no support).
      { evidenceId: evidence[0]!.id, startS: 0.4, endS: 1.6, peakS: 1.0, peakBox: box(200), score: 0.912, thumbnailPng: figurePng(0), thumbnailS: 0.4, thumbnailBox: box(180),
        track: [{ t: 0.4, box: box(180), score: 0.5 }, { t: 1.0, box: box(200), score: 0.912 }, { t: 1.6, box: box(220), score: 0.7 }] },
      { evidenceId: evidence[1]!.id, startS: 2.0, endS: 3.0, peakS: 2.4, peakBox: box(400), score: 0.774, thumbnailPng: figurePng(1),
        track: [{ t: 2.0, box: box(400) }, { t: 3.0, box: box(420) }] },
      { evidenceId: evidence[0]!.id, startS: 3.2, endS: 3.6, peakS: 3.4, peakBox: box(50), score: 0.481, track: [] },
    ],
  });
  recordDecision(store, sightingIds[0]!, 'unsure', 'face not visible at peak');
  recordDecision(store, sightingIds[0]!, 'confirm', h ? `same jacket ${INJECTIONS[1]} ✓ — 确认` : 'same jacket and backpack as in C2; gait matches');
  recordDecision(store, sightingIds[1]!, 'confirm', '');
  recordDecision(store, sightingIds[2]!, 'reject', h ? INJECTIONS[3] : 'different person: no backpack');
  addNote(store, theCase.id, h ? `Witness said ${INJECTIONS[0]}\nline two «ü» 🚲` : 'Harbour office confirmed camera clocks are synchronised to NTP.');
  return { theCase, evidence, sightingIds, searchId: search.id };
}

/** Warnings as ingest words them: ffmpeg's decode errors for a cut file, then the basis poor-fit warning. */
export function indexWarningsFor(videoPath: string): string[] {
  return [
    `${videoPath}: Invalid data found when processing input`,
    '[h264 @ 0x3a008c80] Invalid NAL unit size (671 > 79).',
    `${videoPath}: 150 of 300 sampled frames (the first at 00:00:30.000) fit the index's compression basis poorly (up to 13.8× the out-of-basis share `
      + 'of the frames it was fitted on): the scene changed after the start, and those frames are stored and searched less exactly — ingest again '
      + 'with --dtype float16 to keep exact features',
  ];
}

/** A complete index of the evidence, finished with `warnings`. */
export function addIndex(store: Store, evidence: EvidenceRecord, modelHash: string, warnings: string[] = []): IndexRecord {
  const idx = startIndex(store, { evidenceId: evidence.id, modelHash, samplingFps: 5, filePath: `${evidence.videoPath}.${modelHash.slice(0, 4)}.fpi` });
  return finishIndex(store, idx.id, 'complete', 20, warnings);
}
