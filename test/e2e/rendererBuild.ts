/** Builds the renderer for e2e tests when renderer/dist is missing or older than its sources. */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RENDERER_DIST = join(REPO_ROOT, 'renderer', 'dist');

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function ensureRendererBuilt(): void {
  const index = join(RENDERER_DIST, 'index.html');
  const sources = [join(REPO_ROOT, 'renderer', 'src'), join(REPO_ROOT, 'renderer', 'public'), join(REPO_ROOT, 'renderer', 'index.html'), join(REPO_ROOT, 'renderer', 'vite.config.ts'), join(REPO_ROOT, 'core', 'server', 'csp.ts')];
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(REPO_ROOT, 'renderer', 'vite.config.ts')], {
    cwd: REPO_ROOT, stdio: 'inherit', timeout: 120_000,
  });
}
