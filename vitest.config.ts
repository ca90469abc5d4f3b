import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests spawn the built CLI and MCP servers; two cores on CI.
    maxWorkers: 2,
  },
});
