import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_WINDOW_STATE, loadWindowState, placeOnScreen, saveWindowState, windowStateFile, type Rect } from './windowState';

const dir = mkdtempSync(join(tmpdir(), 'fastpr-winstate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('window state file', () => {
  it('defaults when nothing is remembered', () => {
    expect(loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('round-trips through the data directory, leaving no temporary file', () => {
    saveWindowState(dir, { width: 1500, height: 900, x: 10, y: 20, maximized: true });
    expect(JSON.parse(readFileSync(windowStateFile(dir), 'utf8'))).toMatchObject({ width: 1500, maximized: true });
    expect(loadWindowState(dir)).toEqual({ width: 1500, height: 900, x: 10, y: 20, maximized: true });
    expect(readdirSync(dir)).toEqual(['window-state.json']);
  });

  it('refuses to write an invalid state and keeps the previous file', () => {
    saveWindowState(dir, { width: 1400, height: 800, maximized: false });
    expect(() => saveWindowState(dir, { width: 1.5, height: 800, maximized: false })).toThrow();
    expect(loadWindowState(dir)).toEqual({ width: 1400, height: 800, maximized: false });
    expect(readdirSync(dir)).toEqual(['window-state.json']);
  });

  it.each([
    ['truncated JSON', '{"width": 1500, "heig'],
    ['absurd size', JSON.stringify({ width: 10, height: 99999 })],
    ['not an object', '[1360, 880]'],
    ['wrong types', JSON.stringify({ width: '1360', height: 880 })],
    ['non-integer position', JSON.stringify({ width: 1360, height: 880, x: 1.5, y: 0 })],
    ['position out of range', JSON.stringify({ width: 1360, height: 880, x: 1e9, y: 0 })],
    ['empty file', ''],
  ])('ignores a malformed file (%s)', (_what, text) => {
    writeFileSync(windowStateFile(dir), text);
    expect(loadWindowState(dir)).toEqual(DEFAULT_WINDOW_STATE);
  });

  it('defaults when the data directory does not exist', () => {
    const missing = join(dir, 'nope');
    expect(existsSync(missing)).toBe(false);
    expect(loadWindowState(missing)).toEqual(DEFAULT_WINDOW_STATE);
  });
});

describe('placeOnScreen', () => {
  const laptop: Rect = { x: 0, y: 0, width: 1920, height: 1050 };
  const rightMonitor: Rect = { x: 1920, y: 0, width: 2560, height: 1400 };

  it('keeps a position that is on a display', () => {
    const s = { width: 1360, height: 880, x: 100, y: 50, maximized: false };
    expect(placeOnScreen(s, [laptop])).toEqual(s);
    expect(placeOnScreen({ ...s, x: 2500 }, [laptop, rightMonitor])).toEqual({ ...s, x: 2500 });
  });

  it('drops the position of a window left on a monitor that is gone (opens centred)', () => {
    const onGoneMonitor = { width: 1360, height: 880, x: 2500, y: 40, maximized: false };
    expect(placeOnScreen(onGoneMonitor, [laptop])).toEqual({ width: 1360, height: 880, maximized: false });
  });

  it('drops a position whose title bar is above or mostly beside every display', () => {
    expect(placeOnScreen({ width: 1360, height: 880, x: 100, y: -500, maximized: false }, [laptop])).not.toHaveProperty('x');
    expect(placeOnScreen({ width: 1360, height: 880, x: 1900, y: 100, maximized: false }, [laptop])).not.toHaveProperty('x');
  });

  it('shrinks a size larger than the largest display', () => {
    expect(placeOnScreen({ width: 3000, height: 2000, maximized: true }, [laptop])).toEqual({ width: 1920, height: 1050, maximized: true });
  });

  it('leaves the state alone when no display is known', () => {
    const s = { width: 1360, height: 880, x: 5000, y: 5000, maximized: false };
    expect(placeOnScreen(s, [])).toEqual(s);
  });
});
