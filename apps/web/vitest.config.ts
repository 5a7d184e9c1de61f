import { defineConfig } from 'vitest/config';
import { fromSource } from '../../vitest.source.ts';

// The browser tests drive one Chromium against the built page; generous timeouts only catch hangs
// on a loaded machine (nothing asserts on time).
export default defineConfig(
  fromSource({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      testTimeout: 300_000,
      hookTimeout: 180_000,
      fileParallelism: false,
      globalSetup: ['test/build.setup.ts'],
    },
  }),
);
