/**
 * End to end: the browser transport serves the renderer, Debian's Chromium opens it with the
 * token from the URL, and the About panel shows the real facts of this machine.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService } from '../../core/api/service';
import { startWorkstationServer } from '../../core/server/workstationServer';
import { CHROMIUM_ARGS } from './app';
import { ensureRendererBuilt, RENDERER_DIST, REPO_ROOT } from './rendererBuild';


let root: string;
let server: Awaited<ReturnType<typeof startWorkstationServer>>;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  ensureRendererBuilt();
  root = mkdtempSync(join(tmpdir(), 'fastpr-e2e-'));
  server = await startWorkstationServer({ dataDir: join(root, 'data'), staticDir: RENDERER_DIST });
  // A fresh profile per run: nothing remembered between runs, nothing shared with a user's browser.
  context = await chromium.launchPersistentContext(join(root, 'profile'), {
    executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 1360, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    // CSP violations surface as console errors; any of them is a bug.
    if (msg.type() === 'error') pageErrors.push(msg.text());
  });
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('About this workstation (browser transport, Chromium)', () => {
  it('shows the real TF.js backend, onnxruntime providers and ffmpeg version', async () => {
    // Expected values straight from the service, so the UI must show what this machine really has.
    const expected = await createService({ dataDir: join(root, 'data') }).call('system.info');

    await page.goto(server.url);
    await page.getByRole('button', { name: 'About this workstation' }).click();

    await expect.poll(() => page.getByTestId('tfjs-chosen').textContent(), { timeout: 30_000 }).toBe(expected.tfjs.chosen);
    expect(await page.getByTestId('ffmpeg-version').textContent()).toBe(expected.ffmpeg.version);
    expect(expected.ffmpeg.version).toMatch(/\S/);
    expect(await page.getByTestId('ffprobe-version').textContent()).toBe(expected.ffprobe.version);
    const providers = await page.getByTestId('ort-providers').innerText();
    for (const p of expected.onnxruntime.providers) expect(providers).toContain(p.name);
    expect(providers).toMatch(/cpu\s+available/);
    expect(await page.getByTestId('sqlite-version').textContent()).toBe(expected.sqlite.version);
    expect(await page.getByTestId('data-dir').textContent()).toBe(join(root, 'data'));
    expect(await page.getByTestId('electron-binary').innerText()).toMatch(expected.electron.binaryPresent ? /present/ : /absent/);

    // The token left the address bar once stored for the tab.
    expect(page.url()).not.toContain('token=');
    await expect.poll(() => page.locator('.statusbar').innerText()).toContain('Service ready');

    mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
    // The app scrolls inside its main pane (a desktop layout): make the window tall enough to show it all.
    await page.setViewportSize({ width: 1360, height: 1280 });
    await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'about.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('explains that case screens need an open case (no case exists yet)', async () => {
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.getByText('Search works inside a case').count()).toBe(1);
    await page.screenshot({ path: join(REPO_ROOT, 'test-artifacts', 'no-case.png') });
  });

  it('shows jobs from the progress stream (server-sent events → Svelte store)', async () => {
    const status = page.locator('.statusbar');
    await expect.poll(() => status.innerText()).toContain('No jobs running');
    // The page subscribes once it is up; publish until the stream delivers (no timing assumptions).
    await expect.poll(async () => {
      server.service.emitProgress({ jobId: 'e2e-job', kind: 'ingest', done: 5, total: 50, state: 'running' });
      return status.innerText();
    }).toContain('1 job running');
    server.service.emitProgress({ jobId: 'e2e-job', kind: 'ingest', done: 50, total: 50, state: 'done' });
    await expect.poll(() => status.innerText()).toContain('No jobs running');
  });

  it('without the token the page says how to get in instead of failing silently', async () => {
    const other = await context.newPage();
    await other.goto(server.origin + '/');
    await other.evaluate(() => sessionStorage.clear());
    await other.reload();
    await other.getByRole('button', { name: 'About this workstation' }).click();
    await expect.poll(() => other.getByRole('alert').textContent()).toMatch(/No API token/);
    await other.close();
  });
});
