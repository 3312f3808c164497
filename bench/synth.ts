/**
 * Synthetic generator throughput: frames per second at 224×224 and 704×576 on one core, annotations
 * and image encoding included (files are not written). Prints wall-clock and CPU-time rates: the
 * machine may be shared, and CPU time is the fairer per-core figure then.
 *   npm run bench:synth [-- --frames 400 --format jpeg|png]
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { generateStillFrame } from '../core/synth/generate';
import { defaultOptions } from '../core/synth/options';

const { values } = parseArgs({ options: { frames: { type: 'string' }, format: { type: 'string' } } });
const frames = Number(values.frames ?? 400);
const imageFormat = values.format === 'png' ? 'png' : 'jpeg';

function run(width: number, height: number, n: number) {
  const o = defaultOptions({ seed: 1234, width, height, frames: n, imageFormat });
  generateStillFrame(o, 0); // warm up (JIT, fonts, noise tile)
  let bytes = 0, people = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let k = 0; k < n; k++) {
    const f = generateStillFrame(o, k);
    bytes += f.image.length + JSON.stringify(f.annotation).length;
    people += f.annotation.persons.length;
  }
  const wall = (performance.now() - t0) / 1000;
  const cpuUsed = process.cpuUsage(cpu0);
  const cpu = (cpuUsed.user + cpuUsed.system) / 1e6;
  return { size: `${width}x${height}`, frames: n, wallFps: n / wall, cpuFps: n / cpu, kbPerFrame: bytes / n / 1024, peoplePerFrame: people / n };
}

console.log(`bench:synth  format=${imageFormat}  load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} (shared machine: CPU-time rate is the per-core figure)`);
for (const [w, h, n] of [[224, 224, frames], [704, 576, Math.max(20, Math.round(frames / 4))]] as const) {
  const r = run(w, h, n);
  console.log(
    `${r.size.padEnd(8)} ${String(r.frames).padStart(5)} frames  ${r.wallFps.toFixed(1).padStart(6)} frames/s wall  ${r.cpuFps.toFixed(1).padStart(6)} frames/s per CPU-second  ` +
      `${r.kbPerFrame.toFixed(1)} kB/frame  ${r.peoplePerFrame.toFixed(1)} people/frame`,
  );
}
