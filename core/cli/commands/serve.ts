/** `fastpr serve`: the loopback HTTP server without opening a browser (headless use, tests, CI). */
import { InputError } from '../../errors';
import { startWorkstationServer } from '../../server/workstationServer';
import type { CliCommand } from '../command';

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'Serve the workstation UI and API on 127.0.0.1 (prints the URL with its token)',
  usage: 'fastpr serve [--port N] [--demo] [--data-dir DIR] [--json]   (--demo: create the demo case on first start, as npm start does)',
  options: { port: { type: 'string' }, demo: { type: 'boolean', default: false } },
  async run(ctx) {
    const rawPort = ctx.values.port as string | undefined;
    const port = rawPort === undefined ? 0 : Number(rawPort);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError(`--port must be an integer 0–65535, got "${rawPort}"`, { field: 'port' });
    const server = await startWorkstationServer({ dataDir: ctx.dataDir, port, demo: ctx.values.demo === true });
    if (ctx.json) ctx.print(JSON.stringify({ url: server.url, port: server.port, token: server.token, dataDir: ctx.dataDir }));
    else {
      if (!server.rendererBuilt) ctx.print(`Note: ${server.staticDir} is not built; run npm run build:renderer for the UI (the API works).`);
      ctx.print(`FastPR Workstation: ${server.url}`);
      ctx.print(`Data directory: ${ctx.dataDir}   (Ctrl+C to stop)`);
    }
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await server.close();
  },
};
