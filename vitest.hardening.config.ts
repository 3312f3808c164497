import { defineConfig } from 'vitest/config';

/** `npm run test:hardening`: only test/hardening, with the summary reporter after the default one. */
export default defineConfig({
  test: {
    include: ['test/hardening/**/*.test.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 90_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/hardening/summaryReporter.ts'],
  },
});
