/**
 * The API's heavy tasks (`tasks.ts`: large backprops, graph exports — SVG layout takes 50–70 ms
 * even for Question 2 —, reference solutions, grading) run on the compute pool of
 * `@chainrule/compute`, through its `task` pass: one pool, one queue, one set of timeouts.
 */
import type { ComputePool, PoolStats } from '@chainrule/compute';
import type { TaskInput, TaskName, TaskOutput } from './tasks.ts';

const TASKS_MODULE = new URL('./tasks.ts', import.meta.url);

/** Options of one task run. */
export interface RunOptions {
  /** Cancels the task: a queued one leaves the queue, a running one has its worker replaced. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Runs the tasks of `tasks.ts` off the event loop. */
export interface TaskRunner {
  run<K extends TaskName>(task: K, input: TaskInput<K>, options?: RunOptions): Promise<TaskOutput<K>>;
  stats(): Pick<PoolStats, 'size' | 'workers' | 'busy' | 'queued' | 'closed'>;
}

/**
 * The tasks of `tasks.ts`, run in the workers of a compute pool.
 *
 * @example
 * const tasks = poolTasks(createPool({ size: 2 }));
 * const { body } = await tasks.run('graph', { problem, format: 'svg', gradients: true, simplify: true }, { signal });
 */
export function poolTasks(pool: Pick<ComputePool, 'task' | 'stats'>): TaskRunner {
  return {
    run: (task, input, options = {}) => pool.task(TASKS_MODULE, task, input, options),
    stats: () => pool.stats(),
  };
}
