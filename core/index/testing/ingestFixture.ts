/**
 * Shared set-up of the ingest specs: a temp dir with an 8-s test clip (25 frames/s with B-frames, as
 * x264 writes files, so ingest's default skips decoding some frames), a tiny random-init model, and
 * case stores in it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCase, openStore, type Store } from '../../store/index';
import { makeTestClip } from '../../video/testClips';
import { makeRandomOnnxModel } from './randomModel';

/** Sampled frames of the test clip (5/s). */
export const FRAMES = 40;

export interface IngestFixture {
  root: string;
  video: string;
  model: string;
  /** Makes the clip and the model (call in beforeAll). */
  setUp(): Promise<void>;
  /** A new case store in its own folder, with one case 'Case A'. */
  newStore(name: string): { store: Store; dir: string; caseId: number };
  cleanUp(): void;
}

export function ingestFixture(prefix: string): IngestFixture {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const video = join(root, 'cam1.mp4');
  const model = join(root, 'model');
  return {
    root, video, model,
    async setUp() {
      await makeTestClip(video, { width: 176, height: 144, fps: 25, seconds: FRAMES / 5, bFrames: 3 });
      await makeRandomOnnxModel(model, 'tiny');
    },
    newStore(name) {
      const dir = join(root, name);
      const store = openStore(dir, { actor: 'tester' });
      return { store, dir, caseId: createCase(store, 'Case A').id };
    },
    cleanUp: () => rmSync(root, { recursive: true, force: true }),
  };
}
