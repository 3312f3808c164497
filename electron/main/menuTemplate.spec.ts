import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { MENU_COMMANDS, type MenuCommand } from '../../core/api/contract';
import { menuTemplate } from './menuTemplate';

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? flatten(i.submenu) : [])]);
}

function build(isPackaged: boolean, isMac = false) {
  const sent: MenuCommand[] = [];
  const items = menuTemplate({ isMac, isPackaged, send: (c) => sent.push(c) });
  return { items, all: flatten(items), sent };
}

const submenuOf = (items: MenuItemConstructorOptions[], label: string) =>
  (items.find((i) => i.label === label)?.submenu ?? []) as MenuItemConstructorOptions[];

describe('application menu', () => {
  it('File offers New case, Add videos…, Export report and quits (close on macOS)', () => {
    const { items } = build(true);
    const file = submenuOf(items, 'File');
    expect(file.filter((i) => i.label).map((i) => i.label)).toEqual(['New case…', 'Add videos…', 'Export report…']);
    expect(file.at(-1)?.role).toBe('quit');
    expect(submenuOf(build(true, true).items, 'File').at(-1)?.role).toBe('close');
    expect(build(true, true).items[0]?.role).toBe('appMenu');
  });

  it('every menu command is reachable and sends exactly its command to the page', () => {
    const { all, sent } = build(true);
    const commandItems = all.filter((i) => i.id && (MENU_COMMANDS as readonly string[]).includes(i.id));
    expect(commandItems.map((i) => i.id).sort()).toEqual([...MENU_COMMANDS].sort());
    for (const item of commandItems) (item.click as () => void)();
    expect(sent.sort()).toEqual([...MENU_COMMANDS].sort());
  });

  it('reload and developer tools exist only in development; zoom always', () => {
    const roles = (packaged: boolean) => submenuOf(build(packaged).items, 'View').map((i) => i.role).filter(Boolean);
    expect(roles(true)).not.toContain('reload');
    expect(roles(true)).not.toContain('forceReload');
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(false)).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    for (const packaged of [true, false]) expect(roles(packaged)).toEqual(expect.arrayContaining(['resetZoom', 'zoomIn', 'zoomOut']));
  });

  it('accelerators are unique', () => {
    const accels = build(false).all.map((i) => i.accelerator).filter(Boolean);
    expect(new Set(accels).size).toBe(accels.length);
  });
});
