/** The workstation in headless Chromium for end-to-end tests: its loopback server on a data dir, and one page on it. */
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startWorkstationServer } from '../../core/server/workstationServer';
import { RENDERER_DIST } from './rendererBuild';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface OpenApp {
  server: Awaited<ReturnType<typeof startWorkstationServer>>;
  context: BrowserContext;
  page: Page;
  /** Uncaught page errors and console errors, for a test to assert there were none. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Starts the server on `dataDir` and opens the app in a browser profile under `root`. */
export async function openApp(root: string, dataDir: string, viewport = { width: 1440, height: 900 }): Promise<OpenApp> {
  const server = await startWorkstationServer({ dataDir, staticDir: RENDERER_DIST });
  const context = await chromium.launchPersistentContext(join(root, 'profile'), { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
  await page.goto(server.url);
  return { server, context, page, pageErrors, close: async () => { await context.close(); await server.close(); } };
}
