/** Remembers the main window's size and position between runs, as JSON in the data directory. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

const WindowState = z.object({
  width: z.number().int().min(640).max(16384),
  height: z.number().int().min(480).max(16384),
  x: z.number().int().optional(),
  y: z.number().int().optional(),
  maximized: z.boolean().default(false),
});
export type WindowState = z.infer<typeof WindowState>;

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1360, height: 880, maximized: false };

export function windowStateFile(dataDir: string): string {
  return join(dataDir, 'window-state.json');
}

/** The remembered state, or the default when missing or unreadable (never fails startup). */
export function loadWindowState(dataDir: string): WindowState {
  try {
    const parsed = WindowState.safeParse(JSON.parse(readFileSync(windowStateFile(dataDir), 'utf8')));
    return parsed.success ? parsed.data : DEFAULT_WINDOW_STATE;
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
}

export function saveWindowState(dataDir: string, state: WindowState): void {
  const file = windowStateFile(dataDir);
  const tmp = `${file}.tmp`;
  // Write-then-rename: a crash mid-write leaves the previous state, not half a JSON file.
  writeFileSync(tmp, JSON.stringify(state, null, 2));
  renameSync(tmp, file);
}
