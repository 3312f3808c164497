import { describe, expect, it } from 'vitest';
import { basename, formatBytes, formatDuration, formatTime } from './format';

describe('display formatting', () => {
  it('formats video positions with minutes, hours and tenths', () => {
    expect(formatTime(0)).toBe('0:00.0');
    expect(formatTime(75.34)).toBe('1:15.3');
    expect(formatTime(3725)).toBe('1:02:05.0');
    expect(formatTime(9.5, 0)).toBe('0:10');
    expect(formatTime(59.96)).toBe('1:00.0');
    expect(formatTime(Number.NaN)).toBe('–');
  });

  it('formats ETAs and sizes for people', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(190)).toBe('3 min 10 s');
    expect(formatDuration(3900)).toBe('1 h 05 min');
    expect(formatDuration(-1)).toBe('–');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(166_671)).toBe('162.8 KiB');
  });

  it('takes the file name from POSIX and Windows paths', () => {
    expect(basename('/footage/C1_quay.mp4')).toBe('C1_quay.mp4');
    expect(basename('D:\\cams\\C2.mkv')).toBe('C2.mkv');
  });
});
