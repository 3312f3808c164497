/**
 * End to end through the browser transport (real loopback server, real data dir, real ffmpeg,
 * onnxruntime and Chromium): create a case, import a synthetic clip, wait for its ingest, search
 * with the form and with free text, open a sighting, confirm it, export the PDF report and check
 * the PDF holds the video's hash and the query; a file cut mid-stream shows the warnings it was
 * indexed with. Screenshots of every screen go to test-artifacts/screens/, the report's first page
 * to test-artifacts/report-e2e-page1.png.
 *
 * The model is a tiny random-init FastPR exported to ONNX: its sightings mean nothing, so the test
 * sets the confidence threshold to 0 (every merged track is a sighting) — the pipeline is what is tested.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeRandomOnnxModel } from '../../core/index/testing/randomModel';
import { Rng } from '../../core/model/rng';
import { DESCRIPTOR_LENGTH } from '../../core/rerank/descriptor';
import { writeReranker } from '../../core/rerank/file';
import { fitCropAttributeReader } from '../../core/rerank/fit';
import { DEFAULT_SIGHTING_RERANK_TOP } from '../../core/rerank/sightings';
import { makeClip } from '../fixtures/generate';
import { startWorkstationServer } from '../../core/server/workstationServer';
import { defaultOptions } from '../../core/synth/options';
import { synthesize } from '../../core/synth/synthesize';
import { CHROMIUM_ARGS } from './app';
import { ensureRendererBuilt, RENDERER_DIST, REPO_ROOT } from './rendererBuild';

const SCREENS = join(REPO_ROOT, 'test-artifacts', 'screens');
const FREE_TEXT = 'a man in a red long-sleeve shirt and blue jeans with a backpack, wearing a hat';

let root: string;
let dataDir: string;
let clip: string;
let stagedModel: string;
let server: Awaited<ReturnType<typeof startWorkstationServer>>;
let context: BrowserContext;
let page: Page;
const pageErrors: string[] = [];
const savedShippedEnv = process.env.FASTPR_SHIPPED_MODEL_DIR;

/** The app scrolls inside its main pane (a desktop layout): grow the window to the content for the picture. */
async function shot(name: string): Promise<void> {
  const height = await page.locator('main').evaluate((el) => el.scrollHeight);
  await page.setViewportSize({ width: 1440, height: Math.max(900, Math.min(2600, height + 40)) });
  await page.screenshot({ path: join(SCREENS, `${name}.png`) });
  await page.setViewportSize({ width: 1440, height: 900 });
}
const nav = (label: string) => page.locator('nav.sidebar').getByRole('button', { name: label, exact: true }).click();

beforeAll(async () => {
  ensureRendererBuilt();
  rmSync(SCREENS, { recursive: true, force: true }); // no stale pictures from an earlier run
  mkdirSync(SCREENS, { recursive: true });
  root = mkdtempSync(join(tmpdir(), 'fastpr-e2e-ws-'));
  dataDir = join(root, 'data');
  // Hermetic: no shipped model from the checkout; the only model is the one this test installs.
  process.env.FASTPR_SHIPPED_MODEL_DIR = join(root, 'no-shipped-model');
  const synthDir = join(root, 'synth');
  await synthesize(synthDir, defaultOptions({ seed: 3, frames: 80, width: 320, height: 180, crowd: { min: 2, max: 6 }, video: { seconds: 8, fps: 10, imageEvery: 1 } }), { overwrite: true });
  const videos = readdirSync(join(synthDir, 'videos')).filter((f) => f.endsWith('.mp4'));
  clip = join(synthDir, 'videos', videos[0]!);
  // Built outside the data dir first, so the "model not trained yet" state can be seen before it is installed.
  stagedModel = await makeRandomOnnxModel(join(root, 'staged-model'), 'tiny');
  // With a crop-colour re-ranker (any valid one: fitted on random descriptors), so searches re-rank their best sightings.
  const rng = new Rng(5);
  const samples = Array.from({ length: 200 }, () => ({
    descriptor: Float32Array.from({ length: DESCRIPTOR_LENGTH }, () => rng.next()), attributes: { torsoColour: rng.int(12), legColour: rng.int(12) },
  }));
  writeReranker(stagedModel, { reader: await fitCropAttributeReader(samples, { steps: 50, batchSize: 32 }), alpha: 1, pool: 20, provenance: {} });

  server = await startWorkstationServer({ dataDir, staticDir: RENDERER_DIST });
  context = await chromium.launchPersistentContext(join(root, 'profile'), {
    executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => { if (msg.type() === 'error') pageErrors.push(msg.text()); });
  await page.goto(server.url);
});

afterAll(async () => {
  await context?.close();
  await server?.close();
  if (savedShippedEnv === undefined) delete process.env.FASTPR_SHIPPED_MODEL_DIR;
  else process.env.FASTPR_SHIPPED_MODEL_DIR = savedShippedEnv;
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('Workstation screens (browser transport, Chromium)', () => {
  it('creates and opens a case; without a model, search says the model is not trained yet', async () => {
    await page.getByTestId('new-case-name').fill('E2E Harbour theft');
    await page.getByRole('button', { name: 'Create case' }).click();
    // Creating opens the case on its Evidence screen.
    await expect.poll(() => page.getByTestId('case-name').textContent()).toBe('E2E Harbour theft');
    await nav('Search');
    await expect.poll(() => page.getByTestId('model-gate').innerText()).toContain('Model not trained yet');
    await shot('search-no-model');

    await nav('Cases');
    await page.getByTestId('case-filter').fill('harbour');
    await expect.poll(() => page.getByTestId('case-table').innerText()).toContain('E2E Harbour theft');
    await shot('cases');
  });

  it('imports the synthetic clip, shows its SHA-256 and indexes it', async () => {
    renameSync(stagedModel, join(dataDir, 'models', 'e2e-tiny'));
    await nav('Evidence');
    await expect.poll(() => page.locator('[data-testid=model-gate]').count()).toBe(0);
    await page.getByTestId('evidence-path').fill(clip);
    await page.getByRole('button', { name: 'Add video' }).click();
    const row = page.getByTestId('evidence-row').first();
    await expect.poll(() => row.getByTestId('evidence-sha').getAttribute('data-hash'), { timeout: 30_000 }).toMatch(/^[0-9a-f]{64}$/);
    // The clip indexes in seconds: picture the live progress (bar, frames/s, ETA, cancel) if it is caught running.
    const cell = row.getByTestId('index-state');
    const stateAndDone = async () => `${await cell.getAttribute('data-state')}:${await cell.getAttribute('data-done')}`;
    await expect.poll(stateAndDone, { timeout: 30_000, interval: 50 }).toMatch(/^building:[1-9]|^complete:/);
    if ((await stateAndDone()).startsWith('building')) await shot('evidence-ingesting');
    await expect.poll(() => row.getByTestId('index-state').getAttribute('data-state'), { timeout: 90_000, interval: 500 }).toBe('complete');
    await page.getByRole('button', { name: 'Re-verify' }).click();
    await expect.poll(() => row.getByTestId('verify-result').textContent()).toContain('hash matches');
    await shot('evidence');
  });

  it('searches with the form (threshold 0) and lists sightings with boxes and a timeline', async () => {
    await nav('Search');
    await page.locator('details[data-testid=thresholds] summary').click();
    await page.getByTestId('custom-thresholds').check();
    await page.getByTestId('threshold').fill('0');
    await page.getByTestId('exhaustive').check();
    await page.getByRole('radio', { name: 'Torso colour red' }).click();
    await page.locator('[data-attr=legType] select').selectOption({ label: 'long pants' });
    await page.getByTestId('free-text').fill(FREE_TEXT);
    const parsed = page.getByTestId('parsed-query');
    await expect.poll(() => parsed.innerText()).toContain('Torso colour');
    expect(await parsed.innerText()).toMatch(/ignored[\s\S]*hat/i);
    await shot('search');

    await page.getByTestId('run-form').click();
    await expect.poll(() => page.locator('main').getAttribute('data-screen'), { timeout: 60_000 }).toBe('results');
    await expect.poll(() => page.getByTestId('sighting-card').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    expect(await page.getByTestId('timeline').count()).toBe(1);
    // The model's re-ranker reordered the best 30 by their peak boxes' colours, and Results says so; the
    // cards after those come in support order (core/index/sightings.ts), each card saying its support.
    expect(await page.getByTestId('reranked').textContent()).toMatch(/^best 30 by colour · α 1 · /);
    const supports = (await page.getByTestId('support').allTextContents()).map((t) => Number(t.replace('support ', '')));
    expect(supports.length).toBe(await page.getByTestId('sighting-card').count());
    for (let i = DEFAULT_SIGHTING_RERANK_TOP + 1; i < supports.length; i++) expect(supports[i]!).toBeLessThanOrEqual(supports[i - 1]!);
    // The search scored every cell, and Results says so (the stored thresholds carry it).
    expect(await page.getByTestId('cells-scored').textContent()).toBe('all (exhaustive)');
    // It says how the searched index stores its features (recorded with the search), and no video went unsearched.
    expect(await page.getByTestId('searched-storage').textContent()).toMatch(/^compressed \(\d+ of \d+ dims\)$/);
    expect(await page.getByTestId('not-searched').count()).toBe(0);
  });

  it('searches with free text; keyboard opens a sighting in the player, which confirms it with a note', async () => {
    await nav('Search');
    // The form search kept the thresholds; the free text from before is still typed.
    await expect.poll(() => page.getByTestId('free-text').inputValue()).toBe(FREE_TEXT);
    await page.getByTestId('run-text').click();
    await expect.poll(() => page.getByTestId('results-query').textContent(), { timeout: 60_000 }).toBe(FREE_TEXT);
    await expect.poll(() => page.getByTestId('sighting-card').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.locator('[data-testid=sighting-card] img').first().evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    // The index keeps one thumbnail per second: each card draws the box of its thumbnail's own frame,
    // or none and says so; a fresh search never leaves a thumbnail's time unknown.
    const cards = await page.getByTestId('sighting-card').evaluateAll((els) => els.map((el) => ({
      kind: el.getAttribute('data-thumbnail'), boxes: el.querySelectorAll('[data-testid=box]').length, note: el.querySelector('[data-testid=thumb-note]')?.textContent ?? null,
    })));
    for (const c of cards) {
      expect(['peak', 'track', 'no-box']).toContain(c.kind);
      expect(c.boxes).toBe(c.kind === 'no-box' ? 0 : 1);
      if (c.kind === 'peak') expect(c.note).toBeNull();
      else expect(c.note).toMatch(c.kind === 'no-box' ? /^thumbnail [\d:.]+ \(.* the peak\); box not shown$/ : /^thumbnail [\d:.]+ \([\d.]+ s (before|after) the peak\)$/);
    }

    // Keyboard review: → selects #2, U marks it unsure (and moves on), ← ← back to #1, Enter opens it.
    await page.getByTestId('gallery').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('u');
    await expect.poll(() => page.getByTestId('sighting-card').nth(1).getByTestId('decision').textContent()).toBe('Unsure');
    await page.keyboard.press('ArrowLeft');
    await page.keyboard.press('ArrowLeft');
    expect(await page.getByTestId('sighting-card').first().getAttribute('aria-selected')).toBe('true');
    await shot('results');
    // Filter by decision (server-side sightings.list): only the one marked unsure remains.
    await page.getByTestId('filter-decision').selectOption('unsure');
    await expect.poll(() => page.getByTestId('sighting-card').count()).toBe(1);
    await page.getByTestId('filter-decision').selectOption('any');
    await expect.poll(() => page.getByTestId('sighting-card').count()).toBeGreaterThan(1);
    await page.getByTestId('gallery').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('main').getAttribute('data-screen')).toBe('player');
    // The <video> plays the evidence from the loopback media route; a video this Chromium cannot
    // decode falls back to the indexed stills, and the player says so.
    const video = page.getByTestId('player-video');
    await expect.poll(async () => {
      if ((await page.getByTestId('player').getAttribute('data-mode')) === 'stills') return 'stills';
      return video.getAttribute('data-state');
    }, { timeout: 30_000 }).toMatch(/^(ready|stills)$/);
    const mode = (await page.getByTestId('player').getAttribute('data-mode'))!;
    console.log(`player mode: ${mode}`);
    if (mode === 'video') {
      const currentTime = () => video.evaluate((v) => (v as HTMLVideoElement).currentTime);
      // Opened at the sighting's start, with the box of the nearest indexed frame on the overlay.
      await expect.poll(() => page.getByTestId('video-overlay').getAttribute('data-index')).not.toBe('-1');
      await page.getByTestId('toggle-heatmap').click();
      await expect.poll(() => page.getByTestId('video-overlay').getAttribute('data-heat')).toBe('confidence');
      // The overlay canvas really has the heat map and box painted on it.
      const painted = await page.getByTestId('video-overlay').evaluate((c) => {
        const canvas = c as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
        return n / (data.length / 4);
      });
      expect(painted).toBeGreaterThan(0.5);
      await expect.poll(() => page.getByTestId('attention-grid').getByTestId('heatmap').count()).toBe(6);
      // → steps to the next indexed frame (a seek), Space plays: currentTime advances; Space pauses.
      const t0 = await page.getByTestId('player-time').textContent();
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => page.getByTestId('player-time').textContent()).not.toBe(t0);
      const before = await currentTime();
      await page.keyboard.press(' ');
      await expect.poll(() => page.getByTestId('play').textContent()).toContain('Pause');
      await expect.poll(currentTime, { timeout: 15_000 }).toBeGreaterThan(before + 0.3);
      await page.keyboard.press(' ');
      await expect.poll(() => page.getByTestId('play').textContent()).toContain('Play');
      expect(await video.evaluate((v) => (v as HTMLVideoElement).paused)).toBe(true);
      // Back to the sighting's start for the picture, paused on an indexed frame with its box.
      await page.keyboard.press('ArrowLeft');
      await page.keyboard.press('ArrowLeft');
      await expect.poll(() => page.getByTestId('video-overlay').getAttribute('data-box')).toBe('1');
    } else {
      await expect.poll(() => page.getByTestId('player-fallback').innerText()).toMatch(/stills/);
      await expect.poll(() => page.getByTestId('player-frame').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
      await page.getByTestId('toggle-heatmap').click();
      await expect.poll(() => page.getByTestId('frame-view').getByTestId('heatmap').count()).toBe(1);
      await expect.poll(() => page.getByTestId('attention-grid').getByTestId('heatmap').count()).toBe(6);
      const t0 = await page.getByTestId('player-time').textContent();
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => page.getByTestId('player-time').textContent()).not.toBe(t0);
      const t1 = await page.getByTestId('player-time').textContent();
      await page.getByTestId('play').click();
      await expect.poll(() => page.getByTestId('player-time').textContent(), { timeout: 15_000 }).not.toBe(t1);
      await page.getByTestId('play').click();
      await expect.poll(() => page.getByTestId('play').textContent()).toContain('Play');
    }
    await shot(`player-${mode}`);
    await page.getByTestId('decision-note').fill('Same red top and backpack as the witness described.');
    await page.getByTestId('confirm').click();
    await expect.poll(() => page.getByTestId('decision-panel').innerText()).toContain('Same red top and backpack');
    await expect.poll(() => page.getByTestId('stat-confirmed').textContent()).toBe('1');
    await shot('player');
    // Esc goes back to the results.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('main').getAttribute('data-screen')).toBe('results');
  });

  it('exports the PDF report: it holds the video hash and the query; page 1 rendered to PNG', async () => {
    await nav('Evidence');
    const videoSha = await page.getByTestId('evidence-sha').first().getAttribute('data-hash');
    expect(videoSha).toMatch(/^[0-9a-f]{64}$/);

    await nav('Reports');
    await expect.poll(() => page.getByTestId('audit-status').innerText()).toContain('Chain intact');
    await page.getByTestId('export').click();
    await expect.poll(() => page.getByTestId('export-result').count(), { timeout: 60_000 }).toBe(1);
    const pdf = (await page.getByTestId('export-path').first().textContent())!.trim();
    expect(pdf).toMatch(/\.pdf$/);
    expect(existsSync(pdf)).toBe(true);
    expect(statSync(pdf).size).toBeGreaterThan(1000);
    expect(await page.getByTestId('export-sha').first().getAttribute('data-hash')).toMatch(/^[0-9a-f]{64}$/);

    // pdftotext may wrap long lines: compare with whitespace removed.
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    const flat = text.replace(/\s+/g, '');
    expect(flat).toContain(videoSha!);
    expect(flat).toContain(FREE_TEXT.replace(/\s+/g, ''));

    const artefact = join(REPO_ROOT, 'test-artifacts', 'report-e2e-page1');
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, artefact]);
    expect(statSync(`${artefact}.png`).size).toBeGreaterThan(1000);
    await shot('reports');
  });

  it('trains a tiny model from the synthetic recipe and shows its loss curves; lists the models', async () => {
    await nav('Training');
    await expect.poll(() => page.getByTestId('models-panel').innerText()).toContain('e2e-tiny');
    await page.getByTestId('dataset-option').first().check();
    await page.getByTestId('train-backbone').selectOption('tiny');
    await page.getByTestId('train-steps').fill('24');
    // One core, picked in the form (its default, all cores, is what the API tests exercise).
    await page.getByTestId('train-replicas').selectOption('1');
    await page.getByTestId('train-name').fill('e2e-trained');
    await page.getByRole('button', { name: 'Start training' }).click();
    await expect.poll(() => page.getByTestId('run-state').textContent(), { timeout: 120_000, interval: 1000 }).toBe('done');
    await expect.poll(() => page.getByTestId('run-cores').textContent(), { timeout: 10_000 }).toMatch(/· 1 core$/);
    await expect.poll(() => page.locator('[data-testid=line-chart] path').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    // Evaluate the new model on the tiny recipe's test split: the job's table appears.
    await page.getByRole('button', { name: 'Evaluate' }).click();
    await expect.poll(() => page.getByTestId('eval-table').count(), { timeout: 90_000, interval: 1000 }).toBe(1);
    expect(await page.getByTestId('eval-table').innerText()).toMatch(/R@1/i);
    await shot('training');
  }, 150_000);

  it('shows the case overview with its searches and exports', async () => {
    await nav('Cases');
    await expect.poll(() => page.getByTestId('case-overview').innerText()).toContain(FREE_TEXT);
    await page.getByTestId('case-note').fill('CCTV requested from the harbour master; C1 covers the quay gate.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(() => page.getByTestId('case-overview').innerText()).toContain('covers the quay gate');
    await shot('cases-open');
    expect(pageErrors).toEqual([]);
  });

  it('plays what Chromium cannot decode (MPEG-4 Part 2 in AVI) as indexed stills, and says so', async () => {
    const avi = makeClip(join(root, 'camera 2.avi'), 'mpeg4', { size: '320x180', seconds: 2 });
    await nav('Evidence');
    await page.getByTestId('evidence-path').fill(avi);
    await page.getByRole('button', { name: 'Add video' }).click();
    const row = page.getByTestId('evidence-row').filter({ hasText: 'camera 2.avi' });
    await expect.poll(() => row.getByTestId('index-state').getAttribute('data-state'), { timeout: 90_000, interval: 500 }).toBe('complete');
    await nav('Search');
    const scope = page.getByTestId('search-scope');
    const aviOption = scope.locator('option', { hasText: 'camera 2.avi' });
    await scope.selectOption(await aviOption.getAttribute('value'));
    await page.getByTestId('run-text').click();
    await expect.poll(() => page.locator('main').getAttribute('data-screen'), { timeout: 60_000 }).toBe('results');
    await expect.poll(() => page.getByTestId('sighting-card').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByTestId('gallery').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('player').getAttribute('data-mode'), { timeout: 30_000 }).toBe('stills');
    expect(await page.getByTestId('player-fallback').innerText()).toMatch(/stills: .*(container or codec|decode)/);
    await expect.poll(() => page.getByTestId('player-frame').evaluate((img) => (img as HTMLImageElement).naturalWidth), { timeout: 30_000 }).toBeGreaterThan(0);
    const t0 = await page.getByTestId('player-time').textContent();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.getByTestId('player-time').textContent()).not.toBe(t0);
    await page.getByTestId('toggle-heatmap').click();
    await expect.poll(() => page.getByTestId('frame-view').getByTestId('heatmap').count()).toBe(1);
    await shot('player-stills');
  });

  it('a file cut mid-stream: a warning pill next to "indexed" unfolds the warnings it was indexed with', async () => {
    const cut = join(root, 'quay cut.mp4');
    copyFileSync(clip, cut);
    truncateSync(cut, Math.floor(statSync(cut).size * 0.5));
    await nav('Evidence');
    await page.getByTestId('evidence-path').fill(cut);
    await page.getByRole('button', { name: 'Add video' }).click();
    const row = page.getByTestId('evidence-row').filter({ hasText: 'quay cut.mp4' });
    await expect.poll(() => row.getByTestId('index-state').getAttribute('data-state'), { timeout: 90_000, interval: 500 }).toBe('complete');
    const pill = row.getByTestId('index-warnings');
    await expect.poll(() => pill.innerText(), { timeout: 10_000 }).toMatch(/^\d+ warnings?\b/);
    const list = row.getByTestId('index-warnings-list');
    expect(await list.isVisible()).toBe(false);
    expect(await pill.getAttribute('aria-expanded')).toBe('false');
    await pill.click();
    await expect.poll(() => list.isVisible()).toBe(true);
    expect(await pill.getAttribute('aria-expanded')).toBe('true');
    const text = await list.innerText();
    expect(text).toMatch(/weak evidence/);
    expect(text).toMatch(/the file ends early \(cut short, or still being written\): decoding failed from \d\d:\d\d:\d\d\.\d{3}|ffmpeg stopped/);
    // The intact clip has no pill.
    const name = clip.split('/').pop()!;
    expect(await page.getByTestId('evidence-row').filter({ hasText: name }).getByTestId('index-warnings').count()).toBe(0);
    await shot('evidence-index-warnings');
    expect(pageErrors).toEqual([]);
  });
});
