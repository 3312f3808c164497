/**
 * The application menu as data (tested without Electron). Items that act on the page (new case,
 * add videos, export report, about) are sent to it as the contract's menu commands; the rest are
 * standard roles. Reload and developer tools exist only in development: in the packaged app a
 * reload would drop the investigator's unsaved form state for nothing.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../core/api/contract';

export interface MenuOptions {
  isMac: boolean;
  isPackaged: boolean;
  /** Delivers a command to the page (no-op when there is no window). */
  send: (command: MenuCommand) => void;
}

export function menuTemplate({ isMac, isPackaged, send }: MenuOptions): MenuItemConstructorOptions[] {
  const command = (label: string, cmd: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label, id: cmd, ...(accelerator ? { accelerator } : {}), click: () => send(cmd),
  });
  const devOnly: MenuItemConstructorOptions[] = isPackaged ? [] : [
    { role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' },
  ];
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        command('New case…', 'case.new', 'CmdOrCtrl+N'),
        command('Add videos…', 'evidence.addVideos', 'CmdOrCtrl+O'),
        { type: 'separator' },
        command('Export report…', 'report.export', 'CmdOrCtrl+E'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        ...devOnly,
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [command('About FastPR Workstation', 'help.about')] },
  ];
}
