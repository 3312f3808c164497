/**
 * Preload (sandboxed: it may require only 'electron'; esbuild bundles everything else). Exposes
 * exactly the API contract as `window.fastpr`: one function per call plus onProgress, and under
 * `desktop` the contract's desktop calls (file dialogs), the dropped-file path and the menu stream.
 * Answers come as `{result}` or `{error:{name,message}}`; errors are rebuilt as real Errors here,
 * and because contextBridge copies only the message, the renderer's client restores the class from it.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { toBridgeMessage } from '../../core/api/bridgeErrors';
import {
  API_CALL_NAMES, DESKTOP_CALL_NAMES, menuCommand, type ApiEnvelope, type MenuCommand, type ProgressEvent, type ProgressListener,
} from '../../core/api/contract';
import { rebuildError } from '../../core/errors';
import { callChannel, desktopChannel, MENU_CHANNEL, PROGRESS_CHANNEL } from '../shared/channels';

async function invoke(channel: string, input: unknown): Promise<unknown> {
  const envelope = (await ipcRenderer.invoke(channel, input)) as ApiEnvelope<unknown>;
  if ('error' in envelope) {
    const err = rebuildError(envelope.error);
    // contextBridge keeps only the message: carry the class name in it for the renderer's client.
    err.message = toBridgeMessage(envelope.error);
    throw err;
  }
  return envelope.result;
}

const api: Record<string, unknown> = {};

for (const name of API_CALL_NAMES) {
  api[name] = (input?: unknown) => invoke(callChannel(name), input);
}

api.onProgress = (listener: ProgressListener) => {
  // Never hand the renderer the IpcRendererEvent (it exposes `sender`); only the payload crosses.
  const wrapped = (_event: IpcRendererEvent, progress: ProgressEvent) => listener(progress);
  ipcRenderer.on(PROGRESS_CHANNEL, wrapped);
  return () => {
    ipcRenderer.removeListener(PROGRESS_CHANNEL, wrapped);
  };
};

const desktop: Record<string, unknown> = {};

for (const name of DESKTOP_CALL_NAMES) {
  desktop[name] = (input?: unknown) => invoke(desktopChannel(name), input);
}

// File.path was removed in Electron 32; the path of a dropped or picked File is available only here.
desktop.pathForFile = (file: File): string => {
  try {
    return webUtils.getPathForFile(file);
  } catch {
    return '';
  }
};

desktop.onMenuCommand = (listener: (command: MenuCommand) => void) => {
  const wrapped = (_event: IpcRendererEvent, raw: unknown) => {
    const parsed = menuCommand.safeParse(raw);
    if (parsed.success) listener(parsed.data);
  };
  ipcRenderer.on(MENU_CHANNEL, wrapped);
  return () => {
    ipcRenderer.removeListener(MENU_CHANNEL, wrapped);
  };
};

api.desktop = desktop;

contextBridge.exposeInMainWorld('fastpr', api);
