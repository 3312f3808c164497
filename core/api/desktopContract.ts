/**
 * The desktop part of the one contract: calls only Electron's main process can answer (native file
 * dialogs) and the application menu's commands. Same shape as `API` in contract.ts (name → zod
 * input, result type); electron/main registers one validated IPC handler per call and the preload
 * derives `window.fastpr.desktop` from DESKTOP_CALL_NAMES. The loopback server has none of these:
 * in the browser transport `desktop` is absent and the screens fall back to typed paths.
 *
 * No Node imports, and no runtime imports from contract.ts (it re-exports this file).
 */
import { z } from 'zod';
import type { Returns } from './contract';

/** What a file dialog offers as videos (lower case, no dot); anything else is still pickable via "All files". */
export const VIDEO_FILE_EXTENSIONS = [
  'mp4', 'm4v', 'mov', 'avi', 'mkv', 'webm', 'mpg', 'mpeg', 'ts', 'mts', 'm2ts', 'wmv', 'flv', '3gp', 'h264', '264', 'dav',
] as const;

/** Answer of dialog.openVideos: absolute paths, empty when the user cancelled. */
export interface PickedFiles {
  paths: string[];
}
/** Answer of dialog.openFolder: an absolute path, null when the user cancelled. */
export interface PickedFolder {
  path: string | null;
}

const result = <T>(): Returns<T> => ({});

export const DESKTOP_API = {
  /** Native open dialog for video files (multi-select). */
  'dialog.openVideos': { input: z.strictObject({}).default({}), result: result<PickedFiles>() },
  /** Native folder dialog; `purpose` picks its title and button ("dataset" for training/evaluation, "model"). */
  'dialog.openFolder': { input: z.strictObject({ purpose: z.enum(['dataset', 'model']) }), result: result<PickedFolder>() },
} satisfies Record<string, { input: z.ZodType; result: Returns<unknown> }>;

export type DesktopCalls = typeof DESKTOP_API;
export type DesktopCallName = keyof DesktopCalls;
export type DesktopInput<K extends DesktopCallName> = z.input<DesktopCalls[K]['input']>;
export type DesktopParsedInput<K extends DesktopCallName> = z.output<DesktopCalls[K]['input']>;
export type DesktopResult<K extends DesktopCallName> = DesktopCalls[K]['result'] extends Returns<infer R> ? R : never;
export type DesktopMethod<K extends DesktopCallName> = undefined extends DesktopInput<K>
  ? (input?: DesktopInput<K>) => Promise<DesktopResult<K>>
  : (input: DesktopInput<K>) => Promise<DesktopResult<K>>;

export const DESKTOP_CALL_NAMES = Object.keys(DESKTOP_API) as DesktopCallName[];

export function isDesktopCall(name: string): name is DesktopCallName {
  return Object.prototype.hasOwnProperty.call(DESKTOP_API, name);
}

/** Application-menu items the page carries out (main sends them on the one menu channel). */
export const MENU_COMMANDS = ['case.new', 'evidence.addVideos', 'report.export', 'help.about'] as const;
export const menuCommand = z.enum(MENU_COMMANDS);
export type MenuCommand = z.infer<typeof menuCommand>;

/** `window.fastpr.desktop` in Electron: the desktop calls, the dropped-file path, the menu stream. */
export type DesktopBridge = { [K in DesktopCallName]: DesktopMethod<K> } & {
  /**
   * The absolute path of a File from a drop or an <input type=file> (Electron's
   * webUtils.getPathForFile, called in the preload; File.path no longer exists). '' when the File
   * has no file behind it (e.g. made in the page).
   */
  pathForFile(file: File): string;
  /** Subscribes to application-menu commands; returns the disposer. */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
};
