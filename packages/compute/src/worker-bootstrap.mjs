// Starts a pool worker. Installed, this file is in dist/ beside the built worker.js and loads it.
// In the workspace it is in src/ beside worker.ts: Node 20 cannot start a TypeScript worker with
// `execArgv: ['--import', 'tsx']` (ERR_UNKNOWN_FILE_EXTENSION), so it registers tsx (and the
// workspace's source condition) itself, then loads the real module.
import { existsSync } from 'node:fs';

const source = new URL('./worker.ts', import.meta.url);
if (existsSync(source)) {
  await import('../../../scripts/run-from-source.mjs');
  await import(source.href);
} else {
  await import('./worker.js');
}
