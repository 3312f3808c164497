/** The progress meter's rate and ETA, including a resumed job's (its earlier units are not this run's speed). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ProgressMeter, type ProgressEvent } from './progress';

afterEach(() => vi.useRealTimers());

function meterAt(startDone?: number): { meter: ProgressMeter; events: ProgressEvent[] } {
  vi.useFakeTimers({ now: 0 });
  const events: ProgressEvent[] = [];
  return { meter: new ProgressMeter('j', 'train', (e) => events.push(e), 'steps', startDone), events };
}

describe('ProgressMeter', () => {
  it('rates a fresh job by the units it did per second', () => {
    const { meter, events } = meterAt();
    vi.setSystemTime(2000);
    meter.update(4, 10);
    expect(events[0]!.rate).toBeCloseTo(2, 6);
    expect(events[0]!.etaSeconds).toBeCloseTo(3, 6);
  });
  it('rates a resumed job by what this run did, not by the units its checkpoint already held', () => {
    const { meter, events } = meterAt(2139);
    vi.setSystemTime(2000);
    meter.update(2141, 3200);
    expect(events[0]!.rate).toBeCloseTo(1, 6);
    expect(events[0]!.etaSeconds).toBeCloseTo(1059, 3);
  });
});
