/**
 * IPC handlers of the contract's desktop calls (native file dialogs): one ipcMain.handle per call,
 * the same trusted-sender check as the API handlers, input validated by the call's zod schema.
 */
import { BrowserWindow, dialog, ipcMain, type WebContents } from 'electron';
import { DESKTOP_CALL_NAMES, type ApiEnvelope } from '../../core/api/contract';
import { serializeError } from '../../core/errors';
import { desktopChannel } from '../shared/channels';
import { dialogOptionsFor, dialogResultFor, validateDesktopInput } from './dialogOptions';
import { isTrustedSender } from './ipc';

export function registerDesktopHandlers(trusted: () => WebContents | undefined): () => void {
  for (const name of DESKTOP_CALL_NAMES) {
    ipcMain.handle(desktopChannel(name), async (event, rawInput: unknown): Promise<ApiEnvelope<unknown>> => {
      if (!isTrustedSender(event, trusted)) {
        return { error: { name: 'Error', message: `Refused ${name}: the caller is not the workstation's own page` } };
      }
      try {
        const options = dialogOptionsFor(name, validateDesktopInput(name, rawInput));
        // Modal to the window that asked, so it cannot be lost behind it.
        const owner = BrowserWindow.fromWebContents(event.sender);
        const answer = owner ? await dialog.showOpenDialog(owner, options) : await dialog.showOpenDialog(options);
        return { result: dialogResultFor(name, answer) };
      } catch (err) {
        return { error: serializeError(err) };
      }
    });
  }
  return () => {
    for (const name of DESKTOP_CALL_NAMES) ipcMain.removeHandler(desktopChannel(name));
  };
}
