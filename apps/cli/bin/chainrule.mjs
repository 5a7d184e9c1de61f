#!/usr/bin/env node
// Installed, the CLI runs its built JavaScript (dist/, no TypeScript compiled at start-up). In the
// workspace it runs its TypeScript sources through tsx.
import { existsSync } from 'node:fs';

const source = new URL('../src/main.ts', import.meta.url);
if (existsSync(source)) {
  await import('../../../scripts/run-from-source.mjs');
  await import(source.href);
} else {
  await import('../dist/main.js');
}
