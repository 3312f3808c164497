/**
 * IPC handlers derived from the contract: one ipcMain.handle per call, each validating its payload
 * in the service and checking that the sender is the app's own top-level page.
 */
import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { API_CALL_NAMES, type ApiEnvelope } from '../../core/api/contract';
import type { Service } from '../../core/api/service';
import { serializeError } from '../../core/errors';
import { APP_ORIGIN, callChannel, PROGRESS_CHANNEL } from '../shared/channels';

/** Only the main frame of our window, showing our own app:// page, may call the API. */
export function isTrustedSender(event: IpcMainInvokeEvent, trusted: () => WebContents | undefined): boolean {
  const contents = trusted();
  const frame = event.senderFrame;
  if (!contents || event.sender !== contents || !frame || frame !== contents.mainFrame) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN || frame.url.startsWith(`${APP_ORIGIN}/`);
  } catch {
    return false;
  }
}

export function registerApiHandlers(service: Service, trusted: () => WebContents | undefined): () => void {
  for (const name of API_CALL_NAMES) {
    ipcMain.handle(callChannel(name), async (event, rawInput: unknown): Promise<ApiEnvelope<unknown>> => {
      if (!isTrustedSender(event, trusted)) {
        return { error: { name: 'Error', message: `Refused ${name}: the caller is not the workstation's own page` } };
      }
      try {
        return { result: await service.invoke(name, rawInput) };
      } catch (err) {
        return { error: serializeError(err) };
      }
    });
  }
  const dispose = service.onProgress((event) => {
    const contents = trusted();
    if (contents && !contents.isDestroyed()) contents.send(PROGRESS_CHANNEL, event);
  });
  return () => {
    dispose();
    for (const name of API_CALL_NAMES) ipcMain.removeHandler(callChannel(name));
  };
}
