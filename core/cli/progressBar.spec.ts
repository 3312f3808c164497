import { describe, expect, it, vi } from 'vitest';
import type { ProgressEvent } from '../jobs/progress';
import { renderProgressLine, terminalProgress } from './progressBar';

const event = (done: number, state: ProgressEvent['state'] = 'running'): ProgressEvent => ({ jobId: 'j', kind: 'train', done, total: 10, unit: 'steps', state, metrics: { loss: 1.5 } });

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 200, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream };
}

describe('terminal progress', () => {
  it('renders bar, count, metrics', () => {
    expect(renderProgressLine(event(5), 10)).toBe('train [#####.....]  50.0% 5/10 loss=1.500');
  });

  it('into a file or pipe: one plain line per interval and the final one, no carriage returns', () => {
    vi.useFakeTimers({ now: 0 });
    try {
      const { writes, stream } = fakeStream(false);
      const listener = terminalProgress(stream, 10_000);
      for (let step = 1; step <= 9; step++) {
        vi.setSystemTime(step * 3_000); // 3 s per step: a line at 12 s, 24 s
        listener(event(step));
      }
      listener(event(10, 'done'));
      expect(writes.map((w) => w.match(/ (\d+)\/10/)![1])).toEqual(['4', '8', '10']);
      expect(writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('on a terminal: redrawn in place', () => {
    const { writes, stream } = fakeStream(true);
    terminalProgress(stream)(event(1));
    expect(writes[0]!.startsWith('\r\u001b[2Ktrain ')).toBe(true);
  });
});
