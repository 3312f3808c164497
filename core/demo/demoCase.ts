/**
 * The embedded default: on first start (no case in the database) the workstation creates the case
 * "Demo — synthetic platform" holding a short synthetic clip, and ingests it when a model exists,
 * so a new user can run a search within a minute.
 *
 * Decision: the clip is rendered at first start by core/synth's video mode (in a job worker, so the
 * UI stays live) into DATA_DIR/demo, not shipped as a committed MP4: the generator is deterministic
 * (fixed seed and options → the same frames and ground truth), the repository stays free of binary
 * media, and the clip's ground truth (annotations.jsonl) sits next to it. 12 s at 352×288, 10 frames/s
 * renders in about 8 s on one core.
 */
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import type { ServiceContext } from '../api/handlers/types';
import { DEMO_CASE_NAME } from '../api/views';
import { startIngest } from '../api/handlers/evidence';
import { FastprError } from '../errors';
import { preflightVideo } from '../index/ingest';
import { ensureDataDir } from '../platform/dataDir';
import { addEvidence, addNote, createCase, getCaseByName, hashFile, listCases, listEvidence } from '../store/index';
import { defaultOptions, type SynthOptions } from '../synth/options';

export const DEMO_SEED = 2026;
/** The demo clip's ingest sampling rate (frames/s). */
export const DEMO_SAMPLING_FPS = 5;

export function demoClipOptions(): SynthOptions {
  return defaultOptions({ seed: DEMO_SEED, frames: 120, width: 352, height: 288, crowd: { min: 2, max: 6 }, video: { seconds: 12, fps: 10, imageEvery: 1000 } });
}

export function demoDir(dataDir: string): string {
  return join(ensureDataDir(dataDir).root, 'demo', 'platform');
}

/** The first query text of the clip's ground truth: a suggestion the demo note offers. */
export function suggestedQuery(dir: string): string | null {
  try {
    const first = readFileSync(join(dir, 'annotations.jsonl'), 'utf8').split('\n').find((l) => l.includes('"queries"'));
    const q = first ? (JSON.parse(first) as { queries?: Array<{ text?: string }> }).queries?.[0]?.text : undefined;
    return q ?? null;
  } catch {
    return null;
  }
}

/** The clip already rendered in `dir` by an earlier start (the dataset writer finishes the manifest last). */
function renderedClip(dir: string): Record<string, string> | null {
  const manifest = join(dir, 'manifest.json');
  if (!existsSync(manifest)) return null;
  try {
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { seed?: number; videos?: Record<string, string> };
    const videos = m.videos ?? {};
    const first = Object.values(videos)[0];
    return m.seed === DEMO_SEED && first && existsSync(join(dir, first)) ? videos : null;
  } catch {
    return null;
  }
}

async function renderClip(ctx: ServiceContext, dir: string, caseId: number): Promise<Record<string, string>> {
  const job = ctx.jobs.start({ kind: 'synth', label: 'Preparing the demo clip', caseId, params: { outDir: dir, options: demoClipOptions() } });
  const done = await ctx.jobs.wait(job.id);
  if (done.state !== 'done') throw new FastprError(`demo clip generation ${done.state}: ${done.error?.message ?? ''}`);
  return (done.result as { videos: Record<string, string> }).videos;
}

export interface DemoOutcome { created: boolean; caseId: number | null; evidenceId: number | null; ingestJobId: string | null }

export async function ensureDemoCase(ctx: ServiceContext): Promise<DemoOutcome> {
  const store = ctx.store();
  const cases = listCases(store);
  const existing = cases.find((c) => c.name === DEMO_CASE_NAME);
  // First start = no case at all; a demo case left without its clip (killed mid-way) is completed.
  if (cases.length > 0 && !(existing && existing.status === 'open' && listEvidence(store, existing.id).length === 0)) {
    return { created: false, caseId: existing?.id ?? null, evidenceId: null, ingestJobId: null };
  }
  const theCase = existing ?? createCase(store, DEMO_CASE_NAME);
  const dir = demoDir(ctx.dataDir);
  const rel = Object.values(renderedClip(dir) ?? await renderClip(ctx, dir, theCase.id))[0];
  if (!rel) throw new FastprError('demo clip generation produced no video');
  const clip = join(dir, rel);
  const info = await preflightVideo(clip);
  const c = getCaseByName(store, DEMO_CASE_NAME);
  const e = addEvidence(store, c.id, clip, await hashFile(clip), {
    durationS: info.durationS, width: info.width, height: info.height, fps: info.fps, cameraLabel: 'Demo camera (synthetic)',
  });
  const q = suggestedQuery(dir);
  addNote(store, c.id, `Synthetic demo clip rendered at first start by the FastPR generator (seed ${DEMO_SEED}, ${info.width}×${info.height}, ` +
    `${info.durationS.toFixed(1)} s); ground truth in ${join(dir, 'annotations.jsonl')}.${q ? ` Try searching for: "${q}".` : ''}`);
  const ingestJobId = ctx.activeModelHash() ? startIngest(ctx, e.id, DEMO_SAMPLING_FPS) : null;
  return { created: !existing, caseId: c.id, evidenceId: e.id, ingestJobId };
}
