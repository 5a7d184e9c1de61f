import { defineConfig } from 'vitest/config';
import { fromSource } from '../../vitest.source.ts';

// One file, one order: pack and install once (beforeAll), then each kind of consumer.
export default defineConfig(fromSource({ test: { include: ['src/**/*.test.ts'], testTimeout: 600_000, hookTimeout: 600_000 } }));
