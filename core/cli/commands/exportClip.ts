/** `fastpr export-clip --case NAME --sighting ID --out FILE`: the sighting's time range as MP4 (or a still as PNG/JPEG) with its box track drawn. */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../errors';
import { getCaseByName } from '../../store/cases';
import { getEvidence } from '../../store/evidence';
import { getSearch, getSighting } from '../../store/searches';
import { withStore } from '../../store/store';
import { exportClip, exportStill } from '../../video/export';
import type { CliCommand } from '../command';

export const exportClipCommand: CliCommand = {
  name: 'export-clip',
  summary: 'Export a sighting as a video clip (or a still at its peak with .png/.jpg) with the box drawn',
  usage: 'fastpr export-clip --case NAME --sighting ID --out FILE.mp4|FILE.png [--pad SECONDS] [--json]',
  options: { case: { type: 'string' }, sighting: { type: 'string' }, out: { type: 'string' }, pad: { type: 'string' } },
  async run(ctx) {
    const caseName = ctx.values.case as string | undefined;
    const out = ctx.values.out as string | undefined;
    const id = Number(ctx.values.sighting);
    if (!caseName) throw new InputError('export-clip: --case NAME is required');
    if (!out) throw new InputError('export-clip: --out FILE is required');
    if (!Number.isInteger(id) || id < 1) throw new InputError(`--sighting must be a sighting id (see fastpr search), got "${String(ctx.values.sighting)}"`);
    const pad = ctx.values.pad === undefined ? 1 : Number(ctx.values.pad);
    if (!(pad >= 0)) throw new InputError(`--pad must be ≥ 0 seconds, got "${String(ctx.values.pad)}"`);
    const { s, videoPath } = await withStore(ctx.dataDir, (store) => {
      const c = getCaseByName(store, caseName);
      const s = getSighting(store, id);
      if (getSearch(store, s.searchId).caseId !== c.id) throw new InputError(`sighting #${id} does not belong to case "${c.name}"`);
      return { s, videoPath: getEvidence(store, s.evidenceId).videoPath };
    });
    const still = /\.(png|jpe?g)$/i.test(out);
    // The output's folder is made if missing (ffmpeg would otherwise fail with a bare "file not found").
    mkdirSync(dirname(resolve(out)), { recursive: true });
    if (still) await exportStill(videoPath, s.peakS, s.peakBox, out, ctx.signal);
    else await exportClip(videoPath, Math.max(0, s.startS - pad), s.endS + pad, s.track, out, ctx.signal);
    const summary = { sighting: id, video: videoPath, out, kind: still ? 'still' : 'clip', startS: still ? s.peakS : Math.max(0, s.startS - pad), endS: still ? s.peakS : s.endS + pad };
    ctx.print(ctx.json ? JSON.stringify(summary) : `wrote ${out} (${summary.kind}, ${summary.startS.toFixed(2)}–${summary.endS.toFixed(2)} s of ${videoPath})`);
  },
};
