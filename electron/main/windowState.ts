/** Remembers the main window's size and position between runs, as JSON in the data directory. */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const coordinate = z.number().int().min(-100_000).max(100_000);

const WindowState = z.object({
  width: z.number().int().min(640).max(16384),
  height: z.number().int().min(480).max(16384),
  x: coordinate.optional(),
  y: coordinate.optional(),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowState>;

/** A display's work area (screen.getAllDisplays()[i].workArea). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1360, height: 880, maximized: false };

/** How much of the title bar must be on a display for the remembered position to be kept. */
const MIN_VISIBLE = { width: 120, height: 40 };

export function windowStateFile(dataDir: string): string {
  return join(dataDir, 'window-state.json');
}

/** The remembered state, or the default when missing, unreadable or malformed (never fails startup). */
export function loadWindowState(dataDir: string): WindowState {
  try {
    const parsed = WindowState.safeParse(JSON.parse(readFileSync(windowStateFile(dataDir), 'utf8')));
    return parsed.success ? parsed.data : DEFAULT_WINDOW_STATE;
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
}

function overlap(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/**
 * Fits a remembered state to today's displays: a position whose top strip (the title bar) is not
 * on any display — a monitor unplugged since, resolution changed — is dropped so the window opens
 * centred, and the size shrinks to the largest display when it no longer fits.
 */
export function placeOnScreen(state: WindowState, workAreas: readonly Rect[]): WindowState {
  if (workAreas.length === 0) return state;
  const maxWidth = Math.max(...workAreas.map((a) => a.width));
  const maxHeight = Math.max(...workAreas.map((a) => a.height));
  const size = { width: Math.min(state.width, maxWidth), height: Math.min(state.height, maxHeight) };
  const { x, y, ...rest } = state;
  const placed = { ...rest, ...size };
  if (x === undefined || y === undefined) return placed;
  const titleBar: Rect = { x, y, width: size.width, height: MIN_VISIBLE.height };
  const visible = workAreas.some((area) => {
    const o = overlap(titleBar, area);
    return o.width >= Math.min(MIN_VISIBLE.width, size.width) && o.height >= MIN_VISIBLE.height;
  });
  return visible ? { ...placed, x, y } : placed;
}

/** Write-then-rename (fsynced): a crash mid-write leaves the previous state, not half a JSON file. */
export function saveWindowState(dataDir: string, state: WindowState): void {
  const file = windowStateFile(dataDir);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(WindowState.parse(state), null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}
