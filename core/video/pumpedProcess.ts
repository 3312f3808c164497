/**
 * A child process whose output pipes are read on a worker thread.
 *
 * Why: onnxruntime-node computes `session.run` synchronously on the calling thread, so while an
 * ingest encodes a batch the main thread reads nothing; ffmpeg fills the 64-KiB stdout pipe (less
 * than one 224² RGB frame) and stops decoding. Reading the pipes on a worker keeps ffmpeg decoding
 * on the other core during every encode; the chunks wait as messages until the main thread is free.
 *
 * The returned object has the small part of ChildProcess that FrameStream uses: stdout/stderr
 * 'data' events and pause/resume, 'error' and 'close' events, kill().
 */
import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';

/** The worker's code (plain CommonJS, evaluated): spawn, forward the pipes' chunks, obey pause/resume/kill. */
const PUMP_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { spawn } = require('node:child_process');
let proc;
try {
  proc = spawn(workerData.file, workerData.args, { stdio: ['pipe', 'pipe', 'pipe'] });
} catch (e) {
  parentPort.postMessage({ t: 'error', message: String((e && e.message) || e) });
  parentPort.postMessage({ t: 'close', code: -1 });
  process.exit(0);
}
proc.stdin.on('error', () => {});
proc.stdin.end();
// With recordBytes, stdout leaves in records of exactly that size (the last one may be shorter), so
// the main thread takes each as a frame without copying; else chunk by chunk.
const recordBytes = workerData.recordBytes;
let record = recordBytes ? new Uint8Array(recordBytes) : null;
let filled = 0;
proc.stdout.on('data', (d) => {
  if (!record) {
    // A copy into its own ArrayBuffer, transferred (node may pool small chunks in a shared buffer).
    const own = new Uint8Array(d.length);
    own.set(d);
    parentPort.postMessage({ t: 'out', data: own }, [own.buffer]);
    return;
  }
  for (let at = 0; at < d.length;) {
    const k = Math.min(d.length - at, recordBytes - filled);
    record.set(d.subarray(at, at + k), filled);
    filled += k;
    at += k;
    if (filled === recordBytes) {
      parentPort.postMessage({ t: 'out', data: record }, [record.buffer]);
      record = new Uint8Array(recordBytes);
      filled = 0;
    }
  }
});
proc.stderr.on('data', (d) => parentPort.postMessage({ t: 'err', text: d.toString() }));
proc.on('error', (e) => parentPort.postMessage({ t: 'error', message: String((e && e.message) || e) }));
proc.on('close', (code) => {
  if (record && filled > 0) { const rest = record.slice(0, filled); parentPort.postMessage({ t: 'out', data: rest }, [rest.buffer]); }
  parentPort.postMessage({ t: 'close', code });
  parentPort.close();
});
parentPort.on('message', (m) => {
  if (m === 'pause') proc.stdout.pause();
  else if (m === 'resume') proc.stdout.resume();
  else if (m === 'kill') { try { proc.kill('SIGKILL'); } catch {} }
});
`;

type PumpMessage =
  | { t: 'out'; data: Uint8Array }
  | { t: 'err'; text: string }
  | { t: 'error'; message: string }
  | { t: 'close'; code: number | null };

class PipeEnd extends EventEmitter {
  constructor(private readonly control?: (m: 'pause' | 'resume') => void) { super(); }
  pause(): this { this.control?.('pause'); return this; }
  resume(): this { this.control?.('resume'); return this; }
}

export interface PumpedProcess extends EventEmitter {
  readonly stdout: PipeEnd;
  readonly stderr: PipeEnd;
  kill(signal?: 'SIGKILL'): boolean;
}

/**
 * Spawns `file args` from a worker thread that reads its stdout and stderr (stdin is closed).
 * `recordBytes`: stdout arrives in chunks of exactly that many bytes (the last may be shorter),
 * each in its own ArrayBuffer — cut on the worker, so the reader can keep them as they are.
 */
export function spawnPumped(file: string, args: readonly string[], recordBytes?: number): PumpedProcess {
  const worker = new Worker(PUMP_SOURCE, { eval: true, workerData: { file, args: [...args], recordBytes } });
  const post = (m: 'pause' | 'resume' | 'kill') => { try { worker.postMessage(m); } catch { /* worker already gone */ } };
  const proc = Object.assign(new EventEmitter(), {
    stdout: new PipeEnd(post),
    stderr: new PipeEnd(),
    kill: () => { post('kill'); return true; },
  }) as PumpedProcess;
  let closed = false;
  worker.on('message', (m: PumpMessage) => {
    if (m.t === 'out') proc.stdout.emit('data', Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength));
    else if (m.t === 'err') proc.stderr.emit('data', Buffer.from(m.text));
    else if (m.t === 'error') proc.emit('error', new Error(m.message));
    else if (m.t === 'close') { closed = true; proc.emit('close', m.code); }
  });
  worker.on('error', (e) => { proc.emit('error', e); });
  worker.on('exit', () => { if (!closed) { closed = true; proc.emit('close', null); } });
  return proc;
}
