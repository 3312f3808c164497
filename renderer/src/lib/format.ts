/** Display formatting shared by the screens (pure functions). */

/** 75.3 → "1:15.3"; 3725 → "1:02:05.0". Video positions. */
export function formatTime(seconds: number, decimals = 1): string {
  if (!Number.isFinite(seconds)) return '–';
  const sign = seconds < 0 ? '-' : '';
  // Round once, up front, so 59.96 s reads 1:00.0 and never 0:60.0.
  const scale = 10 ** decimals;
  const s = Math.round(Math.abs(seconds) * scale) / scale;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = (s % 60).toFixed(decimals).padStart(decimals > 0 ? 3 + decimals : 2, '0');
  return h > 0 ? `${sign}${h}:${String(m).padStart(2, '0')}:${sec}` : `${sign}${m}:${sec}`;
}

/** Durations for ETAs: "42 s", "3 min 10 s", "1 h 05 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(Math.round(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(seconds / 3600)} h ${String(Math.round((seconds % 3600) / 60)).padStart(2, '0')} min`;
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** ISO time → "2026-11-29 18:04" in local time (analysts read timestamps, not relative ages). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '–';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function basename(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

/** Which frame of each sampling interval an index holds, for the rate's tooltip. */
export function samplingNote(samplingFps: number, referenceFramesOnly: boolean): string {
  const interval = 1 / samplingFps;
  const seconds = Number(interval.toFixed(interval >= 1 ? 0 : interval >= 0.1 ? 1 : 2));
  return referenceFramesOnly
    ? `One frame per ${seconds} s: each interval's first decoded frame (frames no other frame refers to were not decoded; fastpr ingest --decode all decodes them)`
    : `One frame per ${seconds} s: each interval's first frame`;
}

/** How an index stores its features, briefly ("compressed (48 of 256 dims)", "exact"); the report says it in full. */
export function storageLabel(index: { storage: string; storageDims?: { kept: number; of: number }; encoder?: { precision: string } }): string {
  const encoder = index.encoder?.precision === 'int8' ? ', int8 encoder' : '';
  if (index.storage === 'pca') return (index.storageDims ? `compressed (${index.storageDims.kept} of ${index.storageDims.of} dims)` : 'compressed') + encoder;
  return (index.storage === 'int8' ? '8-bit' : 'exact') + encoder;
}
