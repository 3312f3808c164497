/**
 * Running ffmpeg/ffprobe as child processes and turning their failures into VideoErrors that name
 * the file and a reason a person can act on (not ffmpeg's last log line verbatim).
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { CancelledError, VideoError } from '../errors';
import { requireBinary } from './ffmpegBinary';

const KNOWN_REASONS: Array<[RegExp, string]> = [
  [/moov atom not found/i, 'the MP4 is incomplete (no moov atom: truncated, or still being recorded)'],
  [/Invalid data found when processing input/i, 'not a video ffmpeg can read (unrecognised or corrupt data)'],
  [/could not find codec parameters|unknown codec|Decoder \(codec [^)]*\) not found|no decoder/i, 'unsupported or unknown video codec'],
  [/partial file|Truncating packet|End of file|truncated/i, 'the file is truncated'],
  [/Permission denied/i, 'permission denied'],
  [/No such file or directory/i, 'file not found'],
];

/** Box types an ISO-BMFF (MP4/MOV) file starts with. */
const MP4_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid', 'styp', 'sidx', 'moof']);

/** Whether the file's first bytes look like an MP4/MOV box, so "no moov" means truncated rather than "not an MP4 at all". */
function looksLikeMp4(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    const b = Buffer.alloc(8);
    readSync(fd, b, 0, 8, 0);
    closeSync(fd);
    return MP4_BOXES.has(b.toString('latin1', 4, 8));
  } catch {
    return false;
  }
}

/** A short reason from ffmpeg's stderr: a known pattern's explanation, else its last meaningful line. */
export function ffmpegReason(stderr: string, file?: string): string {
  if (file && /moov atom not found/i.test(stderr) && !looksLikeMp4(file)) {
    return 'not a video ffmpeg can read (named like an MP4 but has no MP4/MOV structure: wrong file type or corrupt)';
  }
  for (const [re, why] of KNOWN_REASONS) if (re.test(stderr)) return why;
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !/^\[.*showinfo/.test(l));
  const last = lines[lines.length - 1] ?? 'no diagnostic output';
  return last.replace(/^\S+:\s*/, '').slice(0, 300);
}

/**
 * A path with U+FFFD that does not exist is almost always a file or folder name that is not valid
 * UTF-8 (e.g. Latin-1 bytes from an old camera export), already replaced when it became a string.
 * Such a name cannot be passed on (API, database, ffmpeg's arguments are all UTF-8), so the file
 * can only be added after renaming. The original bytes are shown when the folder can be listed.
 */
function notUtf8Reason(file: string): string {
  let bytes = '';
  try {
    const raw = readdirSync(dirname(file), { encoding: 'buffer' }).find((n) => n.toString('utf8') === basename(file));
    if (raw) bytes = ` (its bytes: ${[...raw].map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16)}`)).join('')})`;
  } catch {
    // The folder's own name is the one that is not UTF-8: it cannot be listed by this path either.
  }
  return `the file name is not valid UTF-8${bytes}; FastPR cannot open such names (the character � marks the invalid bytes) — rename the file or its folder and add it again`;
}

/** Fails early (before spawning anything) on a path that is missing, not a file, or empty. */
export function checkVideoFile(file: string): number {
  let size: number;
  try {
    const s = statSync(file);
    if (!s.isFile()) throw new VideoError(`${file}: not a regular file`, { file });
    size = s.size;
  } catch (err) {
    if (err instanceof VideoError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && file.includes('\uFFFD')) throw new VideoError(`${file}: ${notUtf8Reason(file)}`, { file });
    throw new VideoError(`${file}: ${code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? (err as Error).message})`}`, { file });
  }
  if (size === 0) throw new VideoError(`${file}: the file is empty (0 bytes)`, { file });
  return size;
}

export interface RunResult { code: number | null; stdout: Buffer; stderr: string }

/** Runs a tool to completion, collecting stdout and the tail of stderr. */
export function runTool(tool: 'ffmpeg' | 'ffprobe', args: string[], file: string, signal?: AbortSignal): Promise<RunResult> {
  const bin = requireBinary(tool);
  return new Promise((resolve, reject) => {
    const proc = spawn(bin.path, args, { stdio: ['ignore', 'pipe', 'pipe'], signal });
    const out: Buffer[] = [];
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => out.push(d));
    proc.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20_000); });
    proc.on('error', (e) => {
      if ((e as Error).name === 'AbortError') reject(new CancelledError(`${tool} on ${file} was cancelled`, { file }));
      else reject(new VideoError(`${file}: ${tool} could not start (${e.message})`, { file }));
    });
    proc.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}
