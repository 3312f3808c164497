/** IPC channel names shared by main and preload, derived from the contract's call names. */
import type { ApiCallName, DesktopCallName } from '../../core/api/contract';

/** One invoke channel per call: `api:system.info`, … */
export function callChannel(name: ApiCallName): string {
  return `api:${name}`;
}

/** One invoke channel per desktop call (main answers it, not the service): `desktop:dialog.openVideos`, … */
export function desktopChannel(name: DesktopCallName): string {
  return `desktop:${name}`;
}

/** The push channel of application-menu commands (main → page). */
export const MENU_CHANNEL = 'desktop:menu';

/** The single push channel of the progress stream. */
export const PROGRESS_CHANNEL = 'api:progress';

/** The custom scheme and host the renderer is served from in the desktop app. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'fastpr';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
