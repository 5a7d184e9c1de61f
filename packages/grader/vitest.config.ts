import { defineConfig } from 'vitest/config';
import { fromSource } from '../../vitest.source.ts';

export default defineConfig(fromSource({ test: { include: ['src/**/*.test.ts'], testTimeout: 600_000 } }));
