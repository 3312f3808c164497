/** Installs the application menu (electron/main/menuTemplate.ts); page commands go on the menu channel. */
import { app, Menu, type WebContents } from 'electron';
import type { MenuCommand } from '../../core/api/contract';
import { MENU_CHANNEL } from '../shared/channels';
import { menuTemplate } from './menuTemplate';

export function installMenu(target: () => WebContents | undefined): void {
  const send = (command: MenuCommand) => {
    const contents = target();
    if (contents && !contents.isDestroyed()) contents.send(MENU_CHANNEL, command);
  };
  Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ isMac: process.platform === 'darwin', isPackaged: app.isPackaged, send })));
}
