/**
 * Electron's contextBridge copies only an Error's message into the page, so the class would be
 * lost between preload and renderer: the preload carries the name inside the message and the
 * renderer's client restores the real class with rebuildError. No imports: the renderer uses it.
 */
const BRIDGE_ERROR = /^\[fastpr:([A-Za-z]\w*)\] ([\s\S]*)$/;

export function toBridgeMessage(error: { name: string; message: string }): string {
  return `[fastpr:${error.name}] ${error.message}`;
}

export function fromBridgeMessage(message: string): { name: string; message: string } | undefined {
  const m = BRIDGE_ERROR.exec(message);
  return m ? { name: m[1]!, message: m[2]! } : undefined;
}
