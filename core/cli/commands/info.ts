/** `fastpr info [--json]`: the same facts as the system.info API call. */
import { createService } from '../../api/service';
import type { SystemInfo } from '../../api/types/system';
import type { CliCommand } from '../command';

function formatInfo(info: SystemInfo): string[] {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const bin = (b: SystemInfo['ffmpeg']) => (b.found ? `${b.version} (${b.source}) ${b.path}` : 'not found');
  const lines = [
    `FastPR Workstation ${info.app.version}`,
    `TF.js backend:   ${info.tfjs.chosen} — ${info.tfjs.reason}`,
    ...info.tfjs.candidates.map((c) => `  ${c.available ? '+' : '-'} ${c.name.padEnd(14)} ${c.reason}`),
    `onnxruntime:     ${info.onnxruntime.version}${info.onnxruntime.problem ? ` — ${info.onnxruntime.problem}` : ''}`,
    ...info.onnxruntime.providers.map((p) => `  ${p.available ? '+' : '-'} ${p.name.padEnd(14)} ${p.detail}`),
    `ffmpeg:          ${bin(info.ffmpeg)}`,
    `ffprobe:         ${bin(info.ffprobe)}`,
    `SQLite:          ${info.sqlite.version}${info.sqlite.problem ? ` — ${info.sqlite.problem}` : ''}`,
    `Electron binary: ${yes(info.electron.binaryPresent)}${info.electron.packageVersion ? ` (package ${info.electron.packageVersion})` : ''}`,
    `Node.js:         ${info.node.version} on ${info.node.platform}/${info.node.arch}, ${info.node.cpus} CPUs`,
    `Data directory:  ${info.dataDir}`,
  ];
  return lines;
}

export const infoCommand: CliCommand = {
  name: 'info',
  summary: 'Versions, compute backends, video tools and data directory of this workstation',
  usage: 'fastpr info [--json] [--data-dir DIR]',
  async run(ctx) {
    const service = createService({ dataDir: ctx.dataDir });
    try {
      const info = await service.call('system.info');
      if (ctx.json) ctx.print(JSON.stringify(info, null, 2));
      else for (const line of formatInfo(info)) ctx.print(line);
    } finally {
      await service.close();
    }
  },
};
