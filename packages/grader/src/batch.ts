import { ChainruleError, formatJsonPath } from '@chainrule/graph';
import { type Problem, type ProblemInput } from '@chainrule/problem';
import { type GradeOptions, type GradeReport, createGrader } from './grade.ts';
import type { GradedQuestion } from './questions.ts';

/**
 * Why one submission of a batch could not be graded: the error's code, HTTP-like status, message and JSON path.
 *
 * @example
 * gradeBatch('q3', [{ id: 'carol', submission: { values: { foo: 1 } } }]).results[0].error;
 * // { code: 'problem', status: 422, message: "'foo' is not a name in the equations (…)", path: 'values.foo' }
 */
export interface BatchError {
  code: string;
  status: number;
  message: string;
  /** The JSON path of the fault in the submission, e.g. `values.foo`. */
  path?: string;
}

/**
 * One submission of a batch: its report, or the error that stopped it; `variant` names the exam
 * variant it was graded against, when the class has variants.
 *
 * @example
 * for (const e of results) console.log(e.id, e.variant ?? '', e.report?.points ?? e.error?.message);
 */
export type BatchEntry = ({ id: string; report: GradeReport; error?: undefined } | { id: string; report?: undefined; error: BatchError }) & { variant?: string };

/** A graded batch: one entry per submission, in the order given, and the class summary. @example const { results, summary }: BatchResult = gradeBatch('q3', submissions); */
export interface BatchResult {
  results: BatchEntry[];
  summary: SummaryRow[];
}

/** One row of the class summary. @example { id: 'bob', points: 6.5, maxPoints: 7, firstWrong: 'u1', correct: 2, carried: 7, wrong: 1, missing: 0, error: null } */
export interface SummaryRow {
  id: string;
  /** The exam variant the submission was graded against, when the class has variants. */
  variant?: string;
  /** Points earned, or null when the problem has no points scheme or the submission failed. */
  points: number | null;
  maxPoints: number | null;
  firstWrong: string | null;
  correct: number;
  carried: number;
  wrong: number;
  missing: number;
  /** The error of a submission that could not be graded (with its JSON path), else null. */
  error: string | null;
}

/**
 * Grades a class's submissions against one problem. The references are computed once; a malformed
 * submission becomes an error entry instead of stopping the batch. Pure: no files, no workers — the
 * CLI and the worker pool feed it. A bad problem or bad options still throw, once.
 *
 * @example
 * const { results, summary } = gradeBatch('q3', [
 *   { id: 'alice', submission: aliceJson },
 *   { id: 'bob', submission: bobJson },
 * ]);
 * summaryCsv(results);
 */
export function gradeBatch(
  problem: ProblemInput | Problem | GradedQuestion,
  submissions: readonly { id: string; submission: unknown }[],
  options: GradeOptions = {},
): BatchResult {
  const grader = createGrader(problem, options);
  const results = submissions.map(({ id, submission }): BatchEntry => {
    try {
      return { id, report: grader.grade(submission) };
    } catch (error) {
      return { id, error: batchError(error) };
    }
  });
  return { results, summary: summaryTable(results) };
}

function batchError(error: unknown): BatchError {
  if (error instanceof ChainruleError) {
    const path = error.location.path;
    return {
      code: error.code,
      status: error.status,
      message: error.message,
      ...(path !== undefined && path.length > 0 ? { path: formatJsonPath(path) } : {}),
    };
  }
  // Not the submission's fault: record it so one submission does not sink the class, but say so.
  return { code: 'internal', status: 500, message: error instanceof Error ? error.message : String(error) };
}

/**
 * The class summary: one row per submission with its points, first wrong step and status counts.
 *
 * @example
 * summaryTable(gradeBatch('q3', submissions).results)[0];
 * // { id: 'alice', points: 7, maxPoints: 7, firstWrong: null, correct: 10, carried: 0, wrong: 0, missing: 0, error: null }
 */
export function summaryTable(results: readonly BatchEntry[]): SummaryRow[] {
  return results.map((entry) => {
    const variant = entry.variant === undefined ? {} : { variant: entry.variant };
    if (entry.error) {
      const where = entry.error.path ? `${entry.error.path}: ` : '';
      return { id: entry.id, ...variant, points: null, maxPoints: null, firstWrong: null, correct: 0, carried: 0, wrong: 0, missing: 0, error: where + entry.error.message };
    }
    const { report } = entry;
    return {
      id: entry.id,
      ...variant,
      points: report.points?.earned ?? null,
      maxPoints: report.points?.total ?? null,
      firstWrong: report.firstWrong?.name ?? null,
      ...report.counts,
      error: null,
    };
  });
}

const CSV_COLUMNS = ['id', 'points', 'max_points', 'first_wrong', 'correct', 'carried', 'wrong', 'missing', 'error'] as const;

/**
 * The class summary as CSV (RFC 4180: CRLF line ends; a field with a comma, quote, CR, LF or
 * surrounding space is quoted and its quotes doubled). Empty fields for no points / no error. A
 * class graded against exam variants has a `variant` column after `id`.
 *
 * @example
 * summaryCsv(results);
 * // 'id,points,max_points,first_wrong,correct,carried,wrong,missing,error\r\nalice,7,7,,10,0,0,0,\r\n'
 */
export function summaryCsv(results: readonly BatchEntry[]): string {
  const summary = summaryTable(results);
  const variants = summary.some((row) => row.variant !== undefined);
  const rows = summary.map((row) => [
    row.id,
    ...(variants ? [row.variant ?? ''] : []),
    row.points ?? '',
    row.maxPoints ?? '',
    row.firstWrong ?? '',
    row.correct,
    row.carried,
    row.wrong,
    row.missing,
    row.error ?? '',
  ]);
  const header: readonly string[] = variants ? ['id', 'variant', ...CSV_COLUMNS.slice(1)] : CSV_COLUMNS;
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}

function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
