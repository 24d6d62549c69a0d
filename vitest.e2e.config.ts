// End-to-end journeys: Playwright (playwright-core) driving Debian's Chromium against
// `hindsight serve` (built: run `npm run build` first; `npm run test:e2e` does).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['e2e/**/*.spec.ts'],
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // One browser at a time: a 2-core machine, and the scrubbing figures must not compete.
    fileParallelism: false,
  },
});
