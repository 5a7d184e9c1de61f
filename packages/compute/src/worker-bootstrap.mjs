// Node 20 cannot start a TypeScript worker with `execArgv: ['--import', 'tsx']`
// (ERR_UNKNOWN_FILE_EXTENSION), so the worker registers tsx itself, then loads the real module.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
