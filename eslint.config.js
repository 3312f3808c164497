// ESLint flat config: TypeScript rules plus the architecture rules of docs/TEAM.md —
// layering (core ↛ electron/renderer, renderer → contract types + its client only) and one owner
// module per heavy dependency. test/lint/layering.test.ts proves the layering rule bites.
import js from '@eslint/js';
import globals from 'globals';
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

/** Heavy dependencies and the only files allowed to import them. */
const OWNERS = [
  { packages: ['onnxruntime-node', 'onnxruntime-node/*'], owner: 'core/onnx/runtime.ts' },
  { packages: ['better-sqlite3'], owner: 'core/store/sqlite.ts' },
  { packages: ['@napi-rs/canvas', '@napi-rs/canvas/*'], owner: 'core/image/canvas.ts' },
  {
    packages: ['@tensorflow/tfjs', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node/*', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node-gpu/*', '@tensorflow/tfjs-backend-*'],
    owner: 'core/tf/backend.ts',
  },
  { packages: ['ffmpeg-static', '@ffmpeg-installer/*', '@ffprobe-installer/*'], owner: 'core/video/ffmpegBinary.ts' },
];

/** no-restricted-imports patterns for the heavy dependencies, minus those `file` owns. */
function heavyPatterns(file) {
  return OWNERS.filter((o) => o.owner !== file).map((o) => ({
    group: o.packages,
    message: `Only ${o.owner} imports this package (docs/TEAM.md: one owner module per heavy dependency); use its functions.`,
  }));
}

const NO_ELECTRON_IN_CORE = 'core/ runs without Electron: the electron package belongs in electron/main only.';
const CORE_LAYERING = [
  { group: ['electron/*'], message: NO_ELECTRON_IN_CORE },
  { group: ['**/electron/**'], message: 'core/ must not import electron/ (layering: electron → core, never back).' },
  { group: ['**/renderer/**'], message: 'core/ must not import renderer/ (layering: renderer → contract types, never back).' },
];

const NODE_BUILTINS = [...new Set(builtinModules.flatMap((m) => [m, `node:${m}`]))];
const NO_ELECTRON_IN_RENDERER = 'The renderer is sandboxed: reach the app through renderer/src/api/client.ts.';

const RENDERER_CORE_MESSAGE =
  'The renderer may import only `import type` from core/api/contract, plus core/errors, core/api/bridgeErrors and core/jobs/progress; calls go through renderer/src/api/client.ts.';

const RENDERER_LAYERING = [
  { group: ['electron/*'], message: NO_ELECTRON_IN_RENDERER },
  {
    // A regex, not a gitignore group: negations cannot re-include files below an excluded folder.
    regex: '(^|/)core/(?!(api/contract|api/bridgeErrors|errors|jobs/progress)$)',
    message: RENDERER_CORE_MESSAGE,
  },
  {
    group: ['**/core/api/contract'],
    allowTypeImports: true,
    message: RENDERER_CORE_MESSAGE,
  },
];

const TRANSPORT_ONLY_IN_CLIENT = {
  group: ['**/api/http', './http', '**/api/desktop', './desktop'],
  message: 'Components use `api` from renderer/src/api/client.ts, never a transport directly.',
};

const NO_ONLY = ['describe', 'it', 'test', 'bench', 'suite'].map((object) => ({
  object, property: 'only', message: 'Committed .only skips the rest of the suite.',
}));

/** Extracts <script> blocks of .svelte files (line numbers preserved) so import rules apply to components. */
const svelteScripts = {
  meta: { name: 'fastpr-svelte-scripts' },
  preprocess(text) {
    const blocks = [];
    for (const m of text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
      const start = m.index + m[0].indexOf('>') + 1;
      const lineOffset = text.slice(0, start).split('\n').length - 1;
      blocks.push({ text: '\n'.repeat(lineOffset) + m[1], filename: `${blocks.length}.ts` });
    }
    return blocks;
  },
  postprocess: (messages) => messages.flat(),
  supportsAutofix: false,
};

/** Exact package names (paths) cannot be written as patterns: `http` as a pattern would match './http'. */
const CORE_PATHS = [{ name: 'electron', message: NO_ELECTRON_IN_CORE }];
const RENDERER_PATHS = [
  { name: 'electron', message: NO_ELECTRON_IN_RENDERER },
  ...NODE_BUILTINS.map((name) => ({ name, message: 'The renderer runs in a browser sandbox: no Node builtins.' })),
];

const restrict = (patterns, paths = []) => ['error', { paths, patterns }];

export default tseslint.config(
  {
    // Build output, and engineers' local scratch folders (tmp/ is git-ignored; scratch*/ is never committed).
    ignores: ['node_modules/', 'dist/', 'dist-electron/', 'renderer/dist/', 'test-artifacts/', '.cache/', 'coverage/', 'tmp/', 'scratch*/', '**/*.d.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      // Style-only; not a TEAM.md rule (was hit by in-progress code of other engineers).
      'prefer-const': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-restricted-properties': ['error', ...NO_ONLY],
      '@typescript-eslint/no-restricted-imports': restrict(heavyPatterns(undefined)),
    },
  },
  // core/: no electron, electron/ or renderer/; heavy packages only in their owner modules.
  {
    files: ['core/**/*.{ts,js,mjs}'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict([...CORE_LAYERING, ...heavyPatterns(undefined)], CORE_PATHS) },
  },
  ...OWNERS.map((o) => ({
    files: [o.owner],
    rules: { '@typescript-eslint/no-restricted-imports': restrict([...CORE_LAYERING, ...heavyPatterns(o.owner)], CORE_PATHS) },
  })),
  // renderer/: a browser page — contract types, core/errors and its own client only.
  {
    files: ['renderer/src/**/*.{ts,svelte}', 'renderer/src/**/*.svelte/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { '@typescript-eslint/no-restricted-imports': restrict([...RENDERER_LAYERING, TRANSPORT_ONLY_IN_CLIENT], RENDERER_PATHS) },
  },
  {
    files: ['renderer/src/api/client.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(RENDERER_LAYERING, RENDERER_PATHS) },
  },
  { files: ['**/*.svelte'], processor: svelteScripts },
  {
    files: ['**/*.svelte/*.ts'],
    rules: {
      // Variables and imports used only in the template look unused to a script-only linter.
      '@typescript-eslint/no-unused-vars': 'off',
    },
  },
);
