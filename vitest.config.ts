import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['app/**/*.test.ts', 'tools/**/*.test.ts', 'renderer/**/*.test.ts', 'native-bridge/**/*.test.ts', 'main/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});
