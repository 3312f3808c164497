/**
 * The Electron transport of the client: the preload's `window.fastpr`, with error classes restored
 * (contextBridge passes only an Error's message; the preload encodes the class name in it).
 * Only client.ts uses this file.
 */
import { fromBridgeMessage } from '../../../core/api/bridgeErrors';
import type { ApiClient } from '../../../core/api/contract';
import { rebuildError } from '../../../core/errors';

export function createDesktopClient(bridge: ApiClient): ApiClient {
  return new Proxy(bridge, {
    get(target, prop) {
      const value = Reflect.get(target, prop) as unknown;
      if (prop === 'onProgress' || typeof value !== 'function') return value;
      return async (input?: unknown) => {
        try {
          return await (value as (input?: unknown) => Promise<unknown>)(input);
        } catch (err) {
          const decoded = err instanceof Error ? fromBridgeMessage(err.message) : undefined;
          throw decoded ? rebuildError(decoded) : err;
        }
      };
    },
  });
}
