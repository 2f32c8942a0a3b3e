import { defineConfig } from 'vitest/config';

// Unit tests sit next to the code; integration tests (real Kafka, Redis, BIND, nginx) under test/
// folders and end in .int.test.ts. The local stack must be up for the integration project.
// Chaos tests (*.chaos.test.ts) break the running stack on purpose and repair it, so they run alone
// after the integration tests; secure-profile tests (*.secure.test.ts) bring up their own stack.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/deploy/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'chaos',
          include: ['**/*.chaos.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 900_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'secure',
          include: ['**/*.secure.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 600_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
