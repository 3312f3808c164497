/**
 * The Electron transport of the client: the preload's `window.fastpr`, with error classes restored
 * (contextBridge passes only an Error's message; the preload encodes the class name in it).
 * Only client.ts uses this file.
 */
import { fromBridgeMessage } from '../../../core/api/bridgeErrors';
import type { ApiClient, DesktopBridge } from '../../../core/api/contract';
import { rebuildError } from '../../../core/errors';

/** Calls `fn`, turning a bridged error back into its class (InputError, …). */
async function restoringErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const decoded = err instanceof Error ? fromBridgeMessage(err.message) : undefined;
    throw decoded ? rebuildError(decoded) : err;
  }
}

/** The desktop part (`window.fastpr.desktop`): dialog calls get their error classes back too. */
export function createDesktopBridge(bridge: DesktopBridge): DesktopBridge {
  return {
    'dialog.openVideos': (input) => restoringErrors(() => bridge['dialog.openVideos'](input)),
    'dialog.openFolder': (input) => restoringErrors(() => bridge['dialog.openFolder'](input)),
    pathForFile: (file) => bridge.pathForFile(file),
    onMenuCommand: (listener) => bridge.onMenuCommand(listener),
  };
}

export function createDesktopClient(bridge: ApiClient): ApiClient {
  return new Proxy(bridge, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (prop === 'onProgress' || typeof value !== 'function') return value;
      return (input?: unknown) => restoringErrors(() => (value as (input?: unknown) => Promise<unknown>)(input));
    },
  });
}
