/**
 * The lint configuration enforces the architecture: these probes are linted through ESLint's Node
 * API as if they were files at the given paths (lintText with a filePath, so nothing is written
 * into the shared tree while other engineers lint it).
 */
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({ cwd: root });
});

interface Problem { ruleId: string | null; message: string }

async function problems(filePath: string, code: string): Promise<Problem[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}/${filePath}` });
  return (result?.messages ?? []).map((m) => ({ ruleId: m.ruleId, message: m.message }));
}

const restricted = (list: Problem[]) => list.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports');

describe('layering lint', () => {
  it("fails an import of 'electron' inside core/", async () => {
    const found = await problems('core/__lint_probe__.ts', "import { app } from 'electron';\nexport const name = app.getName();\n");
    expect(restricted(found)).toHaveLength(1);
    expect(restricted(found)[0]?.message).toMatch(/core\/ runs without Electron/);
  });

  it('passes a clean core/ file', async () => {
    const found = await problems('core/__lint_probe__.ts', "import { InputError } from './errors';\nexport const make = (m: string) => new InputError(m);\n");
    expect(found).toEqual([]);
  });

  it('fails core/ importing electron/ or renderer/ code', async () => {
    expect(restricted(await problems('core/api/__probe__.ts', "import { callChannel } from '../../electron/shared/channels';\nexport const c = callChannel;\n"))).toHaveLength(1);
    expect(restricted(await problems('core/api/__probe__.ts', "import { api } from '../../renderer/src/api/client';\nexport const a = api;\n"))).toHaveLength(1);
  });

  it('keeps heavy dependencies in their owner modules', async () => {
    const code = "import Database from 'better-sqlite3';\nexport const D = Database;\n";
    expect(restricted(await problems('core/cases/__probe__.ts', code))[0]?.message).toMatch(/core\/store\/sqlite\.ts/);
    expect(restricted(await problems('core/store/sqlite.ts', code))).toEqual([]);
    expect(restricted(await problems('test/__probe__.test.ts', "import * as ort from 'onnxruntime-node';\nexport const o = ort;\n"))).toHaveLength(1);
    expect(restricted(await problems('core/model/__probe__.ts', "import '@tensorflow/tfjs-backend-wasm';\n"))).toHaveLength(1);
  });

  it('lets the renderer import only contract types, core/errors and its client', async () => {
    const ok = "import type { SystemInfo } from '../../../core/api/contract';\nimport { rebuildError } from '../../../core/errors';\nexport type S = SystemInfo;\nexport const r = rebuildError;\n";
    expect(await problems('renderer/src/panels/__probe__.ts', ok)).toEqual([]);
    const valueImport = "import { API } from '../../../core/api/contract';\nexport const a = API;\n";
    expect(restricted(await problems('renderer/src/panels/__probe__.ts', valueImport))[0]?.message).toMatch(/import type/);
    const otherCore = "import { resolveDataDir } from '../../../core/platform/dataDir';\nexport const r = resolveDataDir;\n";
    expect(restricted(await problems('renderer/src/panels/__probe__.ts', otherCore))).toHaveLength(1);
    expect(restricted(await problems('renderer/src/panels/__probe__.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"))).toHaveLength(1);
    expect(restricted(await problems('renderer/src/panels/__probe__.ts', "import { createHttpClient } from '../api/http';\nexport const c = createHttpClient;\n"))).toHaveLength(1);
  });

  it('checks the <script> of Svelte components too', async () => {
    const component = '<script lang="ts">\n  import { readFileSync } from \'node:fs\';\n  const x = readFileSync;\n</script>\n<p>{x}</p>\n';
    const found = restricted(await problems('renderer/src/panels/Probe.svelte', component));
    expect(found).toHaveLength(1);
  });

  it('forbids committed .only in tests', async () => {
    const found = await problems('core/__probe__.spec.ts', "import { it } from 'vitest';\nit.only('x', () => {});\n");
    expect(found.map((m) => m.ruleId)).toContain('no-restricted-properties');
  });
});
