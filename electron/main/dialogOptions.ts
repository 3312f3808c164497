/**
 * The desktop calls' pure half: validating what the page sent (zod, from the contract) and turning
 * it into showOpenDialog options and back into the contract's result. electron/main/desktopIpc.ts
 * wires it to ipcMain and dialog; kept apart so it is tested without Electron.
 */
import type { OpenDialogOptions, OpenDialogReturnValue } from 'electron';
import type { z } from 'zod';
import {
  DESKTOP_API, VIDEO_FILE_EXTENSIONS, type DesktopCallName, type DesktopParsedInput, type DesktopResult,
} from '../../core/api/contract';
import { InputError } from '../../core/errors';

function issueText(issue: z.core.$ZodIssue): string {
  const at = (extra: string[] = []) => [...issue.path.map(String), ...extra].join('.') || '(payload)';
  if (issue.code === 'unrecognized_keys') return issue.keys.map((k) => `${at([k])}: unknown field`).join('; ');
  return `${at()}: ${issue.message}`;
}

/** The call's input after its schema (defaults applied); an InputError naming the field otherwise. */
export function validateDesktopInput<K extends DesktopCallName>(name: K, raw: unknown): DesktopParsedInput<K> {
  const parsed = DESKTOP_API[name].input.safeParse(raw === null ? undefined : raw);
  if (parsed.success) return parsed.data as DesktopParsedInput<K>;
  throw new InputError(`Invalid input for ${name}: ${parsed.error.issues.map(issueText).join('; ')}`);
}

const FOLDER_TITLES = {
  dataset: { title: 'Choose a dataset folder (common dataset format)', buttonLabel: 'Use this dataset' },
  model: { title: 'Choose a model folder', buttonLabel: 'Use this model' },
} as const;

export function dialogOptionsFor<K extends DesktopCallName>(name: K, input: DesktopParsedInput<K>): OpenDialogOptions {
  if (name === 'dialog.openVideos') {
    return {
      title: 'Add videos to the case',
      buttonLabel: 'Add videos',
      properties: ['openFile', 'multiSelections', 'dontAddToRecent'],
      filters: [
        { name: 'Videos', extensions: [...VIDEO_FILE_EXTENSIONS, ...VIDEO_FILE_EXTENSIONS.map((e) => e.toUpperCase())] },
        { name: 'All files', extensions: ['*'] },
      ],
    };
  }
  const { purpose } = input as DesktopParsedInput<'dialog.openFolder'>;
  return { ...FOLDER_TITLES[purpose], properties: ['openDirectory', 'dontAddToRecent'] };
}

/** What the page gets back: the picked paths (none when cancelled). */
export function dialogResultFor<K extends DesktopCallName>(name: K, answer: OpenDialogReturnValue): DesktopResult<K> {
  const paths = answer.canceled ? [] : answer.filePaths.filter((p) => p.length > 0);
  if (name === 'dialog.openVideos') return { paths } as DesktopResult<K>;
  return { path: paths[0] ?? null } as DesktopResult<K>;
}
