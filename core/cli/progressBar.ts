/** A one-line terminal progress bar with rate and ETA, drawn on stderr. */
import type { ProgressEvent, ProgressListener } from '../jobs/progress';

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(sec).padStart(2, '0');
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

export function renderProgressLine(e: ProgressEvent, width = 30): string {
  const fraction = e.total ? Math.min(1, e.done / e.total) : 0;
  const filled = Math.round(fraction * width);
  const bar = e.total ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%` : '';
  const count = e.total ? `${e.done}/${e.total}` : `${e.done}`;
  const rate = e.rate ? ` ${e.rate.toFixed(1)} ${e.unit ?? 'items'}/s` : '';
  const eta = e.etaSeconds !== undefined ? ` ETA ${formatDuration(e.etaSeconds)}` : '';
  const metrics = e.metrics
    ? ' ' + Object.entries(e.metrics).slice(0, 4).map(([k, v]) => `${k}=${Number.isInteger(v) ? v : v.toPrecision(4)}`).join(' ')
    : '';
  const phase = e.phase ? `${e.phase} ` : '';
  return `${e.kind} ${phase}${bar} ${count}${rate}${eta}${metrics}${e.message ? ' ' + e.message : ''}`;
}

/**
 * On a terminal the bar is redrawn in place (at most every 100 ms); into a file or pipe (logs, CI)
 * one plain line is written every `logEveryMs` and at the end, so long jobs leave a readable trace.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, logEveryMs = 10_000): ProgressListener {
  let lastDraw = 0;
  let lastLogged = Date.now();
  return (e) => {
    const now = Date.now();
    const final = e.state !== 'running';
    if (!final && now - lastDraw < 100) return;
    lastDraw = now;
    const line = renderProgressLine(e, 30);
    if (stream.isTTY) stream.write(`\r\x1b[2K${line.slice(0, (stream.columns ?? 120) - 1)}${final ? '\n' : ''}`);
    else if (final || now - lastLogged >= logEveryMs) {
      lastLogged = now;
      stream.write(line + '\n');
    }
  };
}
