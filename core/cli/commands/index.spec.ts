import { describe, expect, it } from 'vitest';
import { COMMANDS } from './index';

describe('CLI command registry', () => {
  it('names each lazy entry exactly as the command it loads, once', async () => {
    const names = COMMANDS.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect(command.name).toBe(entry.name);
      expect(command.summary.length).toBeGreaterThan(0);
    }
  });
});
