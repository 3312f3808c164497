/** Shared by the store durability tests: run the child script, SIGKILL it at a chosen moment. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const CHILD = join(import.meta.dirname, 'store-durability.child.ts');

function groupAlive(pid: number): boolean {
  try { process.kill(-pid, 0); return true; } catch { return false; }
}

/** Runs the child until it has committed `afterCommits` decisions plus a random delay, then SIGKILLs its process group. */
export async function runAndKill(args: string[], afterCommits: number, extraDelayMs: number) {
  // `node --import tsx` is what `npx tsx` runs, minus npm's start-up (seconds on a loaded machine).
  // detached: own process group, so the SIGKILL reaches every process of the child.
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { detached: true, cwd: join(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'pipe'] });
  const committed: number[] = [];
  const notes: number[] = [];
  let stderr = '';
  let buffer = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let killTimer: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const [kind, id] = line.split(' ');
        if (kind === 'committed') committed.push(Number(id));
        if (kind === 'note') notes.push(Number(id));
      }
      if (committed.length >= afterCommits && !killTimer) {
        killTimer = setTimeout(() => { process.kill(-child.pid!, 'SIGKILL'); resolve(); }, extraDelayMs);
      }
    });
    child.on('exit', (code, signal) => { if (!killTimer) reject(new Error(`child exited early (${code ?? signal}): ${stderr}`)); });
  });
  await exited;
  while (groupAlive(child.pid!)) await new Promise((r) => setTimeout(r, 20));
  return { committed, notes };
}

