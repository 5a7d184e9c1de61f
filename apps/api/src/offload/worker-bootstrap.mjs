// Node 20 cannot start a TypeScript worker directly, so the worker registers tsx itself, then
// loads the real module (the same approach as the worker of @chainrule/compute).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
