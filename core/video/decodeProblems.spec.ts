import { describe, expect, it } from 'vitest';
import { cleanFfmpegMessage, DecodeProblemLog, describeDecodeProblems, parseDecodeProblemState, type DecodeProblemSpan, type DecodeProblemState } from './decodeProblems';

const FILE = '/cases/cam 2/ünicode.mp4';

/** Feeds a script of kept-frame times (numbers) and ffmpeg lines (strings) in stderr order. */
function run(events: (number | string)[], fps: number | 'all' = 5, resume?: DecodeProblemState): DecodeProblemLog {
  const log = new DecodeProblemLog(FILE, fps, resume);
  for (const e of events) {
    if (typeof e === 'number') log.noteFrame(e);
    else log.noteMessage(e);
  }
  return log;
}

const frames = (from: number, to: number, step = 0.2) => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => Math.round((from + i * step) * 1000) / 1000);
const MB = (n: number) => `[h264 @ 0x55d5c7c2a${n}80] error while decoding MB ${n} 11, bytestream -7`;

describe('decode problems', () => {
  it('strips ffmpeg\'s context addresses and the file path from a message', () => {
    expect(cleanFfmpegMessage('[h264 @ 0xf221980] concealing 299 DC, 299 AC, 299 MV errors in P frame')).toBe('concealing 299 DC, 299 AC, 299 MV errors in P frame');
    expect(cleanFfmpegMessage('[mov,mp4,m4a,3gp,3g2,mj2 @ 0xbeb8d80] stream 0, offset 0x18410: partial file')).toBe('stream 0, offset 0x18410: partial file');
    expect(cleanFfmpegMessage(`${FILE}: Invalid data found when processing input`, FILE)).toBe('Invalid data found when processing input');
    expect(cleanFfmpegMessage('Error while decoding stream #0:0: Invalid data found')).toBe('Error while decoding stream #0:0: Invalid data found');
  });

  it('puts a stretch from the kept frame before its first message to a second past its last; touching stretches are one', () => {
    // Messages after 2.0 and after 2.4 (one stretch: the first is still open), then quiet.
    const log = run([...frames(0, 2), MB(1), MB(2), 2.2, 2.4, MB(3), ...frames(2.6, 6)]);
    const { spans } = log.state();
    expect(spans).toEqual([{ kind: 'damaged', afterS: 2, beforeS: 3.6, messages: 3, missingFrames: 0, examples: [cleanFfmpegMessage(MB(1)), cleanFfmpegMessage(MB(2)), cleanFfmpegMessage(MB(3))] }]);
    // Both guards: two kept frames and a second of video after the last message.
    expect(run([0, 0.2, MB(1), 0.4, 1.4]).state().spans[0]!.beforeS).toBe(1.4);
    expect(run([0, 0.2, MB(1), 0.4, 1.2, 1.6]).state().spans[0]!.beforeS).toBe(1.6);
    expect(run([0, 0.2, MB(1), 1.4]).state().spans[0]!.beforeS).toBeNull(); // one frame only: still open
    // Two stretches far apart stay two; examples: three distinct at most.
    const two = run([...frames(0, 1), MB(1), MB(1), MB(1), MB(2), MB(3), MB(4), ...frames(1.2, 6), MB(5), ...frames(6.2, 9)]).state().spans;
    expect(two.map((s) => [s.afterS, s.beforeS, s.messages])).toEqual([[1, 2.2, 6], [6, 7.2, 1]]);
    expect(two[0]!.examples).toHaveLength(3);
  });

  it('counts sampled frames missing inside a stretch, and a gap with no message as a stretch of its own', () => {
    // 5 frames/s: bins 11 and 12 (2.2–2.6 s) never came.
    const log = run([...frames(0, 2), MB(1), ...frames(2.6, 5)]);
    expect(log.state().spans.map((s) => [s.afterS, s.beforeS, s.missingFrames])).toEqual([[2, 3.6, 2]]);
    const silent = run([...frames(0, 2), ...frames(3, 5)]).state().spans;
    expect(silent).toEqual([{ kind: 'damaged', afterS: 2, beforeS: 3, messages: 0, missingFrames: 4, examples: [] }]);
    // With every frame kept the expected times are unknown: no count.
    expect(run([0, 0.04, 0.5, 0.54], 'all').state().spans).toEqual([]);
    expect(run([0, 0.04, MB(1), 0.5, 1.6], 'all').state().spans[0]!.missingFrames).toBe(0);
  });

  it('calls a stretch with a partial-file message a cut, open to the end, and words both kinds for people', () => {
    const log = run([...frames(0, 2.8), `${FILE}: corrupt input packet in stream 0`, '[mov,mp4 @ 0xbeb8d80] stream 0, offset 0x18410: partial file']);
    const { spans, notKept } = log.state();
    expect(spans).toEqual([{ kind: 'truncated', afterS: 2.8, beforeS: null, messages: 2, missingFrames: 0, examples: ['corrupt input packet in stream 0', 'stream 0, offset 0x18410: partial file'] }]);
    const [line] = describeDecodeProblems(FILE, spans, { notKept });
    expect(line).toBe(`${FILE}: the file ends early (cut short, or still being written): decoding failed from 00:00:02.800 to the end, so footage after that point was not searched`);
    const damaged = describeDecodeProblems(FILE, run([...frames(0, 2), MB(1), ...frames(2.6, 5)]).state().spans);
    expect(damaged).toEqual([`${FILE}: damaged video data from 00:00:02.000 to about 00:00:03.600: ffmpeg could not decode parts of it; pictures there (and up to the next key frame) may show smeared or blocky patches, and a person there may be missed; 2 sampled frames missing there`]);
    expect(describeDecodeProblems(FILE, run([MB(1), 0, 0.2, 1.2]).state().spans)[0]).toContain('from the start to about 00:00:01.200');
    expect(describeDecodeProblems(FILE, [])).toEqual([]);
  });

  it('lists ten stretches and counts the rest, keeping at most 200', () => {
    const events: (number | string)[] = [];
    for (let k = 0; k < 230; k++) events.push(k * 3, MB(k % 10), k * 3 + 1, k * 3 + 2);
    const { spans, notKept } = run(events, 'all').state();
    expect(spans).toHaveLength(200);
    expect(notKept).toBe(30);
    const lines = describeDecodeProblems(FILE, spans, { notKept });
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe(`${FILE}: 220 more damaged stretches not listed`);
  });

  it('a resumed decode continues the earlier run\'s stretches: the same result as one uninterrupted run, wherever it was killed', () => {
    const whole = [...frames(0, 2), MB(1), 2.2, 2.4, MB(2), ...frames(2.6, 5), MB(3), ...frames(5.8, 9), '[mov @ 0x1] partial file'];
    const straight = run(whole).state();
    expect(straight.spans.map((s) => [s.kind, s.afterS, s.beforeS, s.missingFrames])).toEqual([['damaged', 2, 3.6, 0], ['damaged', 5, 6.8, 3], ['truncated', 9, null, 0]]);
    const timesIn = whole.filter((e): e is number => typeof e === 'number');
    for (let killAt = 1; killAt < whole.length; killAt++) {
      // The earlier run's log saw the first killAt events; it wrote frames up to some earlier point
      // (decoding runs ahead of the encoder), which is where ffmpeg restarts: its frames after that
      // point, and every message again from the start.
      const checkpoint = parseDecodeProblemState(JSON.parse(JSON.stringify(run(whole.slice(0, killAt)).state())))!;
      const seenFrames = whole.slice(0, killAt).filter((e) => typeof e === 'number').length;
      const resumeAfterS = timesIn[Math.max(0, seenFrames - 4)]!;
      const log = new DecodeProblemLog(FILE, 5, checkpoint);
      for (const e of whole) if (typeof e === 'string') log.noteMessage(e); else if (e > resumeAfterS) log.noteFrame(e);
      expect({ killAt, state: log.state() }).toEqual({ killAt, state: straight });
    }
  });

  it('reads a checkpoint\'s state back only when it has the right shape', () => {
    const span: DecodeProblemSpan = { kind: 'damaged', afterS: 1, beforeS: null, messages: 2, missingFrames: 0, examples: ['x'] };
    const good: DecodeProblemState = { spans: [span], pending: { frames: 1, firstS: 1.2 }, lastFrameS: 1.2, messagesSinceFrame: 0, notKept: 0 };
    expect(parseDecodeProblemState(JSON.parse(JSON.stringify(good)))).toEqual(good);
    expect(parseDecodeProblemState(undefined)).toBeUndefined();
    expect(parseDecodeProblemState(['error while decoding'])).toBeUndefined(); // an older checkpoint's raw lines
    expect(parseDecodeProblemState({ ...good, spans: [{ ...span, kind: 'other' }] })).toBeUndefined();
    expect(parseDecodeProblemState({ ...good, spans: [{ ...span, messages: -1 }] })).toBeUndefined();
    expect(parseDecodeProblemState({ ...good, spans: [{ ...span, afterS: 'soon' }] })).toBeUndefined();
    expect(parseDecodeProblemState({ ...good, pending: { frames: 1.5, firstS: 1 } })).toBeUndefined();
    expect(parseDecodeProblemState({ ...good, notKept: undefined })).toBeUndefined();
  });
});
