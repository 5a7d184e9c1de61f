/**
 * The task module of `@chainrule/service`, run by the workers of a compute pool for requests
 * too heavy for the calling thread (large problems, worked solutions, SVG layout, reference
 * sheets, grading large problems).
 */
import { backpropWork, checkWork, gradcheckWork, graphWork, solveWork, workedWork } from './work.ts';

/**
 * The tasks by name.
 *
 * @example
 * await pool.task(new URL('./tasks.ts', import.meta.url), 'graph', { problem, format: 'svg' });
 */
export const TASKS = {
  backprop: backpropWork,
  worked: workedWork,
  graph: graphWork,
  solve: solveWork,
  check: checkWork,
  gradcheck: gradcheckWork,
} as const;

/** The name of a task. */
export type TaskName = keyof typeof TASKS;
