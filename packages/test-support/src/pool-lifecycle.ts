/**
 * A worker pool's life in one test file: started before the file's tests (so worker start-up
 * is not charged to the first test), closed after them, and the file fails if any promise was
 * left to reject unhandled in between. The pool is passed in, so this package imports no product
 * package; any object with `warmup()` and `close()` will do.
 */
import { afterAll, beforeAll, expect } from 'vitest';

/** What the helper needs of a pool (a `ComputePool` of `@chainrule/compute` has both). */
export interface WarmablePool {
  warmup(options?: { modules?: readonly (URL | string)[] }): Promise<void>;
  close(): Promise<void>;
}

/**
 * Registers the `beforeAll` that warms `pool` up (importing `modules`, the task modules the tests
 * run, in every worker: on a loaded machine loading them can take longer than a task's deadline)
 * and the `afterAll` that closes it and checks that nothing rejected unhandled; returns the pool.
 * Call it at the top level of a test file (hooks registered earlier run first).
 *
 * @example
 * const pool = useWarmPool(createPool({ size: 2 }), { modules: [new URL('./tasks.ts', import.meta.url)] });
 */
export function useWarmPool<Pool extends WarmablePool>(pool: Pool, options: { modules?: readonly (URL | string)[] } = {}): Pool {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    await pool.warmup(options);
  });
  afterAll(async () => {
    await pool.close();
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled, 'promises that rejected unhandled while the pool was in use').toEqual([]);
  });
  return pool;
}
