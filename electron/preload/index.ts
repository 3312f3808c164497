/**
 * Preload (sandboxed: it may require only 'electron'; esbuild bundles everything else). Exposes
 * exactly the API contract as `window.fastpr`: one function per call plus onProgress. Answers come
 * as `{result}` or `{error:{name,message}}`; errors are rebuilt as real Errors here, and because
 * contextBridge copies only the message, the renderer's client restores the class from it.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { toBridgeMessage } from '../../core/api/bridgeErrors';
import { API_CALL_NAMES, type ApiEnvelope, type ProgressEvent, type ProgressListener } from '../../core/api/contract';
import { rebuildError } from '../../core/errors';
import { callChannel, PROGRESS_CHANNEL } from '../shared/channels';

const api: Record<string, unknown> = {};

for (const name of API_CALL_NAMES) {
  api[name] = async (input?: unknown) => {
    const envelope = (await ipcRenderer.invoke(callChannel(name), input)) as ApiEnvelope<unknown>;
    if ('error' in envelope) {
      const err = rebuildError(envelope.error);
      // contextBridge keeps only the message: carry the class name in it for the renderer's client.
      err.message = toBridgeMessage(envelope.error);
      throw err;
    }
    return envelope.result;
  };
}

api.onProgress = (listener: ProgressListener) => {
  // Never hand the renderer the IpcRendererEvent (it exposes `sender`); only the payload crosses.
  const wrapped = (_event: IpcRendererEvent, progress: ProgressEvent) => listener(progress);
  ipcRenderer.on(PROGRESS_CHANNEL, wrapped);
  return () => {
    ipcRenderer.removeListener(PROGRESS_CHANNEL, wrapped);
  };
};

contextBridge.exposeInMainWorld('fastpr', api);
