import { defineConfig } from 'vitest/config';

// Two projects: fast tests (rules, engine, CLI, the language server over stdio) and tests against a
// real PostgreSQL server, which the Postgres project's globalSetup starts from npm-shipped binaries.
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['server/src/**/*.test.ts', 'test/unit/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/protocol/**/*.test.ts'],
          globalSetup: ['test/global-build.ts'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'postgres',
          include: ['test/postgres/**/*.test.ts'],
          globalSetup: ['test/postgres/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
