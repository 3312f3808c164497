import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['core/**/*.spec.ts', 'electron/**/*.spec.ts', 'renderer/src/**/*.spec.ts', 'test/**/*.test.ts'],
    // test/hardening runs on its own with its summary reporter: npm run test:hardening (vitest.hardening.config.ts).
    exclude: [...configDefaults.exclude, 'test/hardening/**'],
    // Heavy tests (training, video) share 2 cores: run files one at a time per worker, few workers.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
