/** Times as people read them in logs, warnings and reports (no Node imports: usable anywhere). */

/** 83.25 -> "00:01:23.250" */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  const sign = s < 0 ? '-' : '';
  const ms = Math.round(Math.abs(s) * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${sign}${pad(h)}:${pad(m)}:${pad(sec)}.${pad(ms % 1000, 3)}`;
}
