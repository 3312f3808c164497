/**
 * The renderer's one typed API client. In Electron the preload exposes the contract as
 * `window.fastpr`; in a browser the loopback server is reached over HTTP with the run's token.
 * Components import `api` from here and never touch a transport.
 */
import type { ApiClient, DesktopBridge } from '../../../core/api/contract';
import { createDesktopBridge, createDesktopClient } from './desktop';
import { createHttpClient, takeToken } from './http';

declare global {
  interface Window {
    /** Set by the Electron preload (electron/preload/index.ts). */
    fastpr?: ApiClient & { desktop?: DesktopBridge };
  }
}

export type TransportKind = 'desktop' | 'browser';

export const transport: TransportKind = window.fastpr ? 'desktop' : 'browser';

const token = window.fastpr ? undefined : takeToken();

export const api: ApiClient = window.fastpr ? createDesktopClient(window.fastpr) : createHttpClient(token);

/**
 * The player's <video> source for an evidence item, by id (no path leaves the page). Desktop: the
 * app:// scheme's media route; browser: the loopback server's, with the token in the query because
 * a media element cannot send headers. Both answer byte ranges, so the video can seek.
 */
export function mediaUrl(evidenceId: number): string {
  if (transport === 'desktop') return `media/evidence/${evidenceId}`;
  return `api/media/evidence/${evidenceId}?token=${encodeURIComponent(token ?? '')}`;
}

/**
 * Desktop-only abilities (native file dialogs, dropped files' paths, the application menu);
 * undefined in the browser transport, where screens offer typed paths instead.
 */
export const desktop: DesktopBridge | undefined = window.fastpr?.desktop ? createDesktopBridge(window.fastpr.desktop) : undefined;
