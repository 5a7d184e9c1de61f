/**
 * The task module of `@chainrule/problem`, run by the workers of a compute pool
 * (`pool.tasks(module, name, inputs)`): one chunk of a gradient check, one chunk of a batch. Each
 * task is the same function the inline path calls, so both give the same numbers to the bit.
 */
import { batchChunk } from './batch.ts';
import { finiteDifferences } from './gradient-check.ts';

/**
 * The tasks by name.
 *
 * @example
 * await pool.tasks(new URL('./tasks.ts', import.meta.url), 'gradientCheck', [{ problem, start: 0, end: 12, h: 1e-6 }]);
 */
export const TASKS = {
  gradientCheck: finiteDifferences,
  batch: batchChunk,
} as const;
