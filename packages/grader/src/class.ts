/**
 * Grading a class: many submissions of one problem, inline or split across the workers of a
 * compute pool (the task module `tasks.ts`).
 */
import type { TaskPool } from '@chainrule/compute';
import { BATCH_POOL_THRESHOLD, type Problem, type WorkOptions, runsInline } from '@chainrule/problem';
import { type BatchEntry, type SummaryRow, gradeBatch, summaryTable } from './batch.ts';
import type { GradeOptions } from './grade.ts';
import type { GradedQuestion } from './questions.ts';
import type { GradeChunk } from './tasks.ts';

/** This package's task module beside this file: `tasks.ts` in the workspace, `tasks.js` built. */
const TASKS_MODULE = new URL('./tasks' + import.meta.url.slice(import.meta.url.lastIndexOf('.')), import.meta.url);

/**
 * A class goes to the pool from this many submissions on. Grading one costs about one forward
 * and backward pass, so this is the batch evaluation's measured crossover (`BATCH_POOL_THRESHOLD`).
 *
 * @example
 * await gradeClass('q3', submissions, { pool, threshold: CLASS_POOL_THRESHOLD * 2 });
 */
export const CLASS_POOL_THRESHOLD = BATCH_POOL_THRESHOLD;

/** Options of {@link gradeClass}: how to grade, and where. @example { round: 2, pool, signal } */
export type ClassOptions = GradeOptions & WorkOptions;

/** A graded class. @example const { results, summary, ranOn }: GradedClass = await gradeClass('q3', submissions, { pool }); */
export interface GradedClass {
  results: BatchEntry[];
  summary: SummaryRow[];
  ranOn: 'inline' | 'pool';
}

/**
 * Grades many submissions of one problem (a class's worth) — with a pool, from
 * {@link CLASS_POOL_THRESHOLD} submissions on, split across its workers, in the order given. A
 * submission that cannot be read gets its error entry; the others are graded.
 *
 * @example
 * const { results, summary } = await gradeClass('q3', [{ id: 'alice', submission }], { round: 2, pool: getDefaultPool() });
 */
export async function gradeClass(
  problem: Problem | GradedQuestion,
  submissions: readonly { id: string; submission: unknown }[],
  options: ClassOptions = {},
): Promise<GradedClass> {
  const { pool, mode: _mode, threshold: _threshold, signal, timeoutMs, ...gradeOptions } = options;
  let results: BatchEntry[];
  let ranOn: GradedClass['ranOn'];
  if (runsInline(options, submissions.length, CLASS_POOL_THRESHOLD)) {
    signal?.throwIfAborted();
    results = gradeBatch(problem, submissions, gradeOptions).results;
    ranOn = 'inline';
  } else {
    const chunks: GradeChunk[] = (pool as TaskPool).split(submissions.length).map(([start, end]) => ({ problem, submissions: submissions.slice(start, end), options: gradeOptions }));
    results = (await pool!.tasks<BatchEntry[]>(TASKS_MODULE, 'grade', chunks, { signal, timeoutMs })).flat();
    ranOn = 'pool';
  }
  return { results, summary: summaryTable(results), ranOn };
}
