import { describe, expect, it } from 'vitest';
import { basename, formatBytes, formatDuration, formatTime, samplingNote } from './format';

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

  it('says which frame of each sampling interval an index holds', () => {
    expect(samplingNote(5, true)).toMatch(/^One frame per 0\.2 s: each interval's first decoded frame \(frames no other frame refers to were not decoded/);
    expect(samplingNote(5, false)).toBe("One frame per 0.2 s: each interval's first frame");
    expect(samplingNote(0.5, false)).toBe("One frame per 2 s: each interval's first frame");
    expect(samplingNote(25, false)).toBe("One frame per 0.04 s: each interval's first frame");
  });

  it('takes the file name from POSIX and Windows paths', () => {
    expect(basename('/footage/C1_quay.mp4')).toBe('C1_quay.mp4');
    expect(basename('D:\\cams\\C2.mkv')).toBe('C2.mkv');
  });
});
