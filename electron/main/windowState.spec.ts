import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_STATE, loadWindowState, saveWindowState, windowStateFile } from './windowState';

const dir = mkdtempSync(join(tmpdir(), 'fastpr-winstate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('window state', () => {
  it('defaults when nothing is remembered', () => {
    expect(loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('round-trips through the data directory', () => {
    saveWindowState(dir, { width: 1500, height: 900, x: 10, y: 20, maximized: true });
    expect(JSON.parse(readFileSync(windowStateFile(dir), 'utf8'))).toMatchObject({ width: 1500, maximized: true });
    expect(loadWindowState(dir)).toEqual({ width: 1500, height: 900, x: 10, y: 20, maximized: true });
  });

  it('ignores corrupt or absurd files', () => {
    writeFileSync(windowStateFile(dir), '{"width": 1500, "heig');
    expect(loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE);
    writeFileSync(windowStateFile(dir), JSON.stringify({ width: 10, height: 99999 }));
    expect(loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE);
  });
});
