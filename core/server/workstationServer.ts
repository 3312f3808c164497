/** Starts the service and the loopback server together: what `fastpr serve` and `npm start` run. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createService, type Service } from '../api/service';
import { startLoopbackServer, type LoopbackServer } from './loopbackServer';

/** renderer/dist of this checkout. */
export function defaultRendererDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'renderer', 'dist');
}

export interface WorkstationServerOptions {
  dataDir: string;
  port?: number;
  staticDir?: string;
  /**
   * Create the demo case on first start (core/demo). Default off, so tests get an empty workstation;
   * entry points for people (Electron, `fastpr serve`) turn it on. FASTPR_NO_DEMO=1 always disables it.
   */
  demo?: boolean;
}

export async function startWorkstationServer(options: WorkstationServerOptions): Promise<LoopbackServer & { service: Service; staticDir: string; rendererBuilt: boolean }> {
  const staticDir = options.staticDir ?? defaultRendererDir();
  const service = createService({ dataDir: options.dataDir, demo: options.demo === true && process.env.FASTPR_NO_DEMO !== '1' });
  const server = await startLoopbackServer({ service, port: options.port, staticDir });
  return {
    ...server,
    service,
    staticDir,
    rendererBuilt: existsSync(join(staticDir, 'index.html')),
    async close() {
      await server.close();
      await service.close();
    },
  };
}
