/** `fastpr search --case NAME "description"`: query every indexed video of a case; ranked sightings. */
import { InputError } from '../../errors';
import { resolveModelDir } from '../../index/modelDirDefault';
import { searchCase } from '../../index/searchCase';
import { slotReport } from '../../query/index';
import { getCaseByName } from '../../store/cases';
import { withStore } from '../../store/store';
import type { CliCommand } from '../command';
import { rerankFlag } from '../flags';

const r1 = (v: number) => Math.round(v * 10) / 10;
const r3 = (v: number) => Math.round(v * 1000) / 1000;

function clock(s: number): string {
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, '0')}:${(s - m * 60).toFixed(2).padStart(5, '0')}`;
}

export const searchCommand: CliCommand = {
  name: 'search',
  summary: 'Find a described person in the indexed videos of a case (ranked sightings)',
  usage: 'fastpr search --case NAME "woman, red top, blue jeans" | "gender=female torsoColour=red" [--model DIR] [--threshold 0.6] [--extend C] [--limit 20] [--coarse-stride K] [--exhaustive] [--rerank on|off] [--json]\n' +
    '  --rerank off: rank sightings by the model\'s confidence alone (default: where the model has a reranker.json, the best 30\n' +
    '  sightings are re-ranked by the colours of their peak boxes, each peak frame decoded again from its video)\n' +
    '  --extend C: hits down to confidence C extend a sighting that reaches the threshold (default: half the threshold; = threshold turns it off)\n' +
    '  --exhaustive: run the exact head on every cell of every frame (default: a per-query linear proxy picks the cells it runs on; see core/index/README.md)',
  options: { case: { type: 'string' }, model: { type: 'string' }, threshold: { type: 'string' }, extend: { type: 'string' }, limit: { type: 'string' }, 'coarse-stride': { type: 'string' }, exhaustive: { type: 'boolean', default: false }, rerank: { type: 'string' } },
  async run(ctx) {
    const caseName = ctx.values.case as string | undefined;
    if (!caseName) throw new InputError('search: --case NAME is required');
    const text = ctx.positionals.join(' ');
    if (!text.trim()) throw new InputError('search: give a description, e.g. fastpr search --case NAME "man in a black jacket"');
    const threshold = ctx.values.threshold === undefined ? undefined : Number(ctx.values.threshold);
    if (threshold !== undefined && !(threshold >= 0 && threshold <= 1)) throw new InputError(`--threshold must be between 0 and 1, got "${String(ctx.values.threshold)}"`);
    const extendConfidence = ctx.values.extend === undefined ? undefined : Number(ctx.values.extend);
    if (extendConfidence !== undefined && !(extendConfidence >= 0 && extendConfidence <= 1)) throw new InputError(`--extend must be between 0 and 1, got "${String(ctx.values.extend)}"`);
    const limit = ctx.values.limit === undefined ? 20 : Number(ctx.values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new InputError(`--limit must be a positive integer, got "${String(ctx.values.limit)}"`);
    const stride = ctx.values['coarse-stride'] === undefined ? 1 : Number(ctx.values['coarse-stride']);
    if (!Number.isInteger(stride) || stride < 1) throw new InputError(`--coarse-stride must be a positive integer, got "${String(ctx.values['coarse-stride'])}"`);
    const rerank = rerankFlag(ctx.values.rerank);
    const modelDir = resolveModelDir(ctx.values.model as string | undefined);
    const r = await withStore(ctx.dataDir, (store) => searchCase(store, getCaseByName(store, caseName).id, text, modelDir, {
      threshold, extendConfidence, coarseStride: stride, exhaustive: ctx.values.exhaustive === true, signal: ctx.signal, ...(rerank === false ? { rerank } : {}),
    }));
    const reranker = r.evidenceSearched.find((e) => e.index?.reranker)?.index?.reranker;
    if (ctx.json) {
      ctx.print(JSON.stringify({
        searchId: r.searchId, modelHash: r.modelHash, threshold: r.threshold, framesSearched: r.framesSearched, seconds: r3(r.seconds), notIndexed: r.notIndexed,
        evidenceSearched: r.evidenceSearched, reranker: reranker ?? null, warnings: r.warnings,
        query: { input: r.query.input, text: r.query.text, codes: r.query.codes, slots: slotReport(r.query.codes), ignored: r.query.ignored.map((t) => ({ text: t.text, reason: t.reason })) },
        absent: r.sightings.length === 0,
        sightings: r.sightings.slice(0, limit).map((s) => ({
          id: s.id, evidenceId: s.evidenceId, video: s.videoPath, startS: r3(s.startS), endS: r3(s.endS), peakS: r3(s.peakS),
          score: r3(s.score), support: r3(s.support), meanConfidence: r3(s.meanConfidence), peakBox: s.peakBox.map(r1), frames: s.track.length,
          track: s.track.map((p) => ({ t: r3(p.t), box: p.box.map(r1), score: r3(p.score) })),
        })),
        total: r.sightings.length,
      }));
      return;
    }
    ctx.print(`Query: ${r.query.text || '(any person)'}${r.query.ignored.length ? `  (ignored: ${r.query.ignored.map((t) => t.text).join(', ')})` : ''}`);
    if (r.sightings.length === 0) ctx.print(`absent: no frame reaches confidence ${r.threshold} (${r.framesSearched} indexed frames searched)`);
    for (const s of r.sightings.slice(0, limit)) {
      ctx.print(`#${s.id}  peak ${s.score.toFixed(3)}  support ${s.support.toFixed(3)}  video evidence #${s.evidenceId}  ${clock(s.startS)}–${clock(s.endS)}  peak ${clock(s.peakS)} box [${s.peakBox.map((v) => Math.round(v)).join(', ')}]  ${s.track.length} frame(s)`);
    }
    if (reranker) ctx.print(`re-ranked by the colours of the best ${reranker.top} sightings' peak boxes (re-ranker ${reranker.sha256.slice(0, 12)}…, α ${reranker.alpha})`);
    for (const w of r.warnings) ctx.print(`warning: ${w}`);
    ctx.print(`${r.sightings.length} sighting(s) in ${r.framesSearched} indexed frames, ${(r.seconds * 1000).toFixed(0)} ms; search #${r.searchId}` +
      (r.notIndexed.length ? `; not indexed for this model: evidence ${r.notIndexed.map((i) => `#${i}`).join(', ')}` : ''));
  },
};
