/**
 * ffmpeg's complaints about a damaged video, turned into what an investigator needs to know: which
 * stretch of the footage is affected, how, and how many sampled frames are missing there.
 *
 * ffmpeg prints a decoder error ("[h264 @ 0x55d…] error while decoding MB 30 23") on stderr in the
 * same stream as the showinfo line of each kept frame, so the damage starts after the kept frame
 * before the message; it ends by a kept frame a little after the last message (CLOSE_AFTER_*).
 * Touching stretches are one. The raw lines were hard to read, carried process addresses (so the
 * same damage read differently on every run) and were cut at 20.
 */
import { formatSeconds } from '../text/timecode';

/** 'damaged': data the decoder could not decode (concealed or dropped pictures); 'truncated': the file ends early. */
export type DecodeProblemKind = 'damaged' | 'truncated';

/** One stretch of footage with decoder messages. Times are video presentation times in seconds. */
export interface DecodeProblemSpan {
  kind: DecodeProblemKind;
  /** The kept frame before the first message (null: before the first frame decoded). */
  afterS: number | null;
  /** The kept frame that closed the stretch, CLOSE_AFTER_* after its last message (null: still open — to the end). */
  beforeS: number | null;
  messages: number;
  /** Sampled frames the sampling rate expected between afterS and beforeS that never came. */
  missingFrames: number;
  /** Up to three distinct messages, without ffmpeg's "[h264 @ 0x…]" prefixes (kept for diagnosis, not worded: they vary between runs). */
  examples: string[];
}

const TRUNCATED = /partial file|truncat|moov atom not found|end of file|unexpected eof/i;
const MAX_EXAMPLES = 3;
const MAX_SPANS = 200;

/** "[h264 @ 0x55d5c7c2a8c0] error while decoding MB 23 11" → "error while decoding MB 23 11" (also drops the file path ffmpeg prefixes). */
export function cleanFfmpegMessage(line: string, file?: string): string {
  let s = line.trim().replace(/^(\[[^\]]*@\s*0x[0-9a-f]+\]\s*)+/i, '');
  if (file && s.startsWith(`${file}: `)) s = s.slice(file.length + 2);
  return s.slice(0, 160);
}

/**
 * A decoder message comes out before the frame it is about, but with frame threading up to one
 * frame per decoder thread (≤ 16) before it: kept frames shown right after a message may still
 * precede the damage. So a stretch stays open until at least this many kept frames and this much
 * video time have passed since its last message. Its start (the kept frame before the first
 * message) is exact; its end is "by" that time.
 */
const CLOSE_AFTER_FRAMES = 2;
const CLOSE_AFTER_S = 1;

/**
 * Everything the log knows, as a checkpoint keeps it: the stretches (the last one still open when
 * its `beforeS` is null and `pending` is set), the kept frames since the open stretch's last message,
 * and the last kept frame seen.
 */
export interface DecodeProblemState {
  spans: DecodeProblemSpan[];
  pending: { frames: number; firstS: number | null } | null;
  lastFrameS: number | null;
  /** Messages seen after that frame. */
  messagesSinceFrame: number;
  notKept: number;
}

/** Collects decoder messages and kept-frame times in stderr order (FrameStream feeds it). */
export class DecodeProblemLog {
  private readonly spans: DecodeProblemSpan[] = [];
  private open: DecodeProblemSpan | null = null;
  /** Kept frames since the open stretch's last message, and the first one's time. */
  private pending = { frames: 0, firstS: null as number | null };
  private lastFrameS: number | null = null;
  private messagesSinceFrame = 0;
  private dropped = 0;
  /** A resumed run, once it has replayed the earlier run's last frame: messages the earlier run saw after it. */
  private skipMessages = 0;
  /** A resumed run: frames up to here (and messages before the first frame after it) were seen by the earlier run. */
  private replayUntilS: number | null = null;

  /**
   * `fps`: the sampling rate (missing frames are counted only for a numeric rate). `resume`: the
   * state of an earlier run of the same decode. ffmpeg decodes from the start again on a resume, so
   * what that run saw comes back first: frames up to its last one, the messages before that frame
   * and as many after it as that run saw are skipped; the log then goes on exactly as one uninterrupted run. (When the resumed
   * decode starts after that last frame, messages just before its first frame cannot be told
   * from old ones and are skipped.)
   */
  constructor(private readonly file: string, private readonly fps: number | 'all', resume?: DecodeProblemState) {
    if (!resume) return;
    this.spans.push(...resume.spans.map((sp) => ({ ...sp, examples: [...sp.examples] })));
    const last = this.spans.at(-1);
    if (last && last.beforeS === null && resume.pending) {
      this.open = this.spans.pop()!;
      this.pending = { ...resume.pending };
    }
    this.lastFrameS = resume.lastFrameS;
    this.replayUntilS = resume.lastFrameS;
    this.skipMessages = resume.messagesSinceFrame;
    this.messagesSinceFrame = resume.messagesSinceFrame;
    this.dropped = resume.notKept;
  }

  noteMessage(line: string): void {
    if (this.replayUntilS !== null) return;
    if (this.skipMessages > 0) { this.skipMessages--; return; }
    this.messagesSinceFrame++;
    const text = cleanFfmpegMessage(line, this.file);
    const kind: DecodeProblemKind = TRUNCATED.test(text) ? 'truncated' : 'damaged';
    const span = this.open ??= { kind, afterS: this.lastFrameS, beforeS: null, messages: 0, missingFrames: 0, examples: [] };
    if (kind === 'truncated') span.kind = 'truncated';
    span.messages++;
    if (span.examples.length < MAX_EXAMPLES && !span.examples.includes(text)) span.examples.push(text);
    this.pending = { frames: 0, firstS: null };
  }

  noteFrame(timeS: number): void {
    if (this.replayUntilS !== null) {
      if (timeS < this.replayUntilS) return;
      const seen = timeS === this.replayUntilS;
      this.replayUntilS = null; // from here messages are new, but for those the earlier run saw after this frame
      if (seen) return;
    }
    this.skipMessages = 0;
    this.messagesSinceFrame = 0;
    const missing = this.missingBetween(this.lastFrameS, timeS);
    if (this.open) {
      this.open.missingFrames += missing;
      const p = this.pending;
      p.firstS ??= timeS;
      p.frames++;
      if (p.frames >= CLOSE_AFTER_FRAMES && timeS - p.firstS >= CLOSE_AFTER_S - 1e-6) {
        this.open.beforeS = timeS;
        this.close(this.open);
        this.open = null;
      }
    } else if (missing > 0) {
      // Frames lost without a message (e.g. a dropped packet): still a gap the investigator should know of.
      this.close({ kind: 'damaged', afterS: this.lastFrameS, beforeS: timeS, messages: 0, missingFrames: missing, examples: [] });
    }
    this.lastFrameS = timeS;
  }

  /** Every stretch so far (one still open last, beforeS null: to the end), for a checkpoint or a summary. */
  state(): DecodeProblemState {
    const spans = this.spans.map((sp) => ({ ...sp, examples: [...sp.examples] }));
    if (this.open) spans.push({ ...this.open, examples: [...this.open.examples] });
    return { spans, pending: this.open ? { ...this.pending } : null, lastFrameS: this.lastFrameS, messagesSinceFrame: this.messagesSinceFrame, notKept: this.dropped };
  }

  private missingBetween(fromS: number | null, toS: number): number {
    if (this.fps === 'all' || fromS === null) return 0;
    const bin = (t: number) => Math.floor(t * (this.fps as number) + 1e-6);
    return Math.max(0, bin(toS) - bin(fromS) - 1);
  }

  private close(span: DecodeProblemSpan): void {
    const prev = this.spans.at(-1);
    // Messages in touching intervals are one stretch of damage.
    if (prev && prev.beforeS !== null && span.afterS !== null && span.afterS <= prev.beforeS && prev.kind === span.kind) {
      prev.beforeS = span.beforeS;
      prev.messages += span.messages;
      prev.missingFrames += span.missingFrames;
      for (const e of span.examples) if (prev.examples.length < MAX_EXAMPLES && !prev.examples.includes(e)) prev.examples.push(e);
      return;
    }
    if (this.spans.length >= MAX_SPANS) { this.dropped++; return; }
    this.spans.push(span);
  }
}

/** A checkpoint's state back from JSON, or undefined when it is not one (an older checkpoint). */
export function parseDecodeProblemState(v: unknown): DecodeProblemState | undefined {
  const o = v as Partial<DecodeProblemState> | null;
  if (!o || typeof o !== 'object' || !Array.isArray(o.spans)) return undefined;
  const time = (x: unknown) => x === null || (typeof x === 'number' && Number.isFinite(x));
  const count = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
  const spanOk = (sp: Partial<DecodeProblemSpan> | null) => !!sp && typeof sp === 'object' && (sp.kind === 'damaged' || sp.kind === 'truncated')
    && time(sp.afterS) && time(sp.beforeS) && count(sp.messages) && count(sp.missingFrames)
    && Array.isArray(sp.examples) && sp.examples.every((e) => typeof e === 'string');
  const pendingOk = o.pending === null || (!!o.pending && count(o.pending.frames) && time(o.pending.firstS));
  if (!o.spans.every(spanOk) || !pendingOk || !time(o.lastFrameS) || !count(o.messagesSinceFrame) || !count(o.notKept)) return undefined;
  return {
    spans: o.spans.map((sp) => ({ ...sp, examples: sp.examples.slice(0, MAX_EXAMPLES) })),
    pending: o.pending ? { frames: o.pending.frames, firstS: o.pending.firstS } : null,
    lastFrameS: o.lastFrameS ?? null,
    messagesSinceFrame: o.messagesSinceFrame!,
    notKept: o.notKept!,
  };
}

function where(span: DecodeProblemSpan): string {
  if (span.afterS === null && span.beforeS === null) return 'before any frame could be decoded';
  if (span.afterS === null) return `from the start to about ${formatSeconds(span.beforeS!)}`;
  if (span.beforeS === null) return `from ${formatSeconds(span.afterS)} to the end`;
  return `from ${formatSeconds(span.afterS)} to about ${formatSeconds(span.beforeS)}`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One warning line per span (at most `limit`, then a count of the rest), worded for the case log and reports. */
export function describeDecodeProblems(file: string, spans: DecodeProblemSpan[], opts: { notKept?: number; limit?: number } = {}): string[] {
  const limit = opts.limit ?? 10;
  const lines = spans.slice(0, limit).map((s) => {
    const missing = s.missingFrames > 0 ? `; ${plural(s.missingFrames, 'sampled frame')} missing there` : '';
    if (s.kind === 'truncated') {
      return `${file}: the file ends early (cut short, or still being written): decoding failed ${where(s)}, so footage after that point was not searched${missing}`;
    }
    // Neither ffmpeg's messages nor their count in the wording: with frame threads they vary from run to run (the stretches do not).
    const what = s.messages > 0 ? 'ffmpeg could not decode parts of it' : 'frames were lost without a decoder message';
    return `${file}: damaged video data ${where(s)}: ${what}; pictures there (and up to the next key frame) may show smeared or blocky patches, and a person there may be missed${missing}`;
  });
  const rest = spans.length - lines.length + (opts.notKept ?? 0);
  if (rest > 0) lines.push(`${file}: ${plural(rest, 'more damaged stretch', 'more damaged stretches')} not listed`);
  return lines;
}
