import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

// One tally file per run (workers inherit the variable), so two runs at once do not mix counts.
process.env.FASTPR_HARDENING_TALLY ??= join(import.meta.dirname, 'test-artifacts', 'hardening', `tally-${process.pid}.jsonl`);

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
