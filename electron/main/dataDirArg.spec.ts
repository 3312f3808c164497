import { describe, expect, it } from 'vitest';
import { dataDirFromArgv } from './dataDirArg';

describe('dataDirFromArgv', () => {
  it('reads both spellings among Chromium switches', () => {
    expect(dataDirFromArgv(['/opt/electron', '.', '--no-sandbox', '--data-dir', '/cases/a'])).toBe('/cases/a');
    expect(dataDirFromArgv(['/opt/electron', '--data-dir=/cases/b', '.'])).toBe('/cases/b');
  });

  it('is undefined when absent or dangling', () => {
    expect(dataDirFromArgv(['/opt/electron', '.'])).toBeUndefined();
    expect(dataDirFromArgv(['/opt/electron', '--data-dir'])).toBeUndefined();
  });
});
