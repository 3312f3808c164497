import { describe, expect, it } from 'vitest';
import { API_CALL_NAMES, DESKTOP_API, DESKTOP_CALL_NAMES, isApiCall, isDesktopCall, MENU_COMMANDS, menuCommand } from './contract';

describe('desktop part of the contract', () => {
  it('is re-exported by contract.ts and never overlaps the service calls', () => {
    expect(DESKTOP_CALL_NAMES.sort()).toEqual(Object.keys(DESKTOP_API).sort());
    for (const name of DESKTOP_CALL_NAMES) {
      expect(isApiCall(name), name).toBe(false);
      expect(API_CALL_NAMES).not.toContain(name);
    }
    expect(isDesktopCall('dialog.openVideos')).toBe(true);
    expect(isDesktopCall('toString')).toBe(false);
  });

  it('menu commands parse only as themselves', () => {
    for (const c of MENU_COMMANDS) expect(menuCommand.parse(c)).toBe(c);
    expect(menuCommand.safeParse('app.quit').success).toBe(false);
    expect(menuCommand.safeParse({ command: 'case.new' }).success).toBe(false);
  });
});
