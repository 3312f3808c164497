/** Helpers for tests of the store and its consumers: a fresh store in a temp folder. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore, type Store } from './store';

export function tempStore(actor = 'tester'): { store: Store; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'fastpr-store-'));
  const store = openStore(dir, { actor });
  return { store, dir, cleanup: () => { try { store.close(); } catch { /* closed */ } rmSync(dir, { recursive: true, force: true }); } };
}
