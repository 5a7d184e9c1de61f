/**
 * The task module of `@chainrule/grader`, run by the workers of a compute pool: grading one
 * chunk of a class. The same function the inline path calls.
 */
import type { Problem } from '@chainrule/problem';
import { type BatchEntry, gradeBatch } from './batch.ts';
import type { GradeOptions } from './grade.ts';
import type { GradedQuestion } from './questions.ts';

/** One chunk of a class: the problem, some submissions, the grading options. */
export interface GradeChunk {
  problem: Problem | GradedQuestion;
  submissions: { id: string; submission: unknown }[];
  options: GradeOptions;
}

/**
 * The tasks by name.
 *
 * @example
 * await pool.tasks(new URL('./tasks.ts', import.meta.url), 'grade', [{ problem: 'q3', submissions, options: {} }]);
 */
export const TASKS = {
  grade: ({ problem, submissions, options }: GradeChunk): BatchEntry[] => gradeBatch(problem, submissions, options).results,
} as const;
