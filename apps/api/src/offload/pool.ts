/**
 * The API's heavy work (large backprops, graph exports — SVG layout takes 50–70 ms even for
 * Question 2 —, reference solutions, grading, gradient checks) runs on the compute pool of
 * `@chainrule/compute` through the task modules of `@chainrule/service` and `@chainrule/problem`:
 * one pool, one queue, one set of timeouts.
 */
import type { ComputePool } from '@chainrule/compute';
import type { PoolLike } from '../context.ts';

/** What the API runs its heavy tasks on. */
export type TaskRunner = PoolLike;

/**
 * The compute pool as the API's task runner.
 *
 * @example
 * createApp({ pool, tasks: poolTasks(pool) });
 */
export function poolTasks(pool: Pick<ComputePool, 'size' | 'split' | 'task' | 'tasks' | 'stats'>): TaskRunner {
  return pool;
}
