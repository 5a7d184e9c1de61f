/**
 * The work of `POST /v1/variants`, run in a worker of the compute pool (generation tries
 * thousands of candidates): plain data in, plain data out.
 */
import { type Problem, prefixPath } from '@chainrule/problem';
import { type SolutionFormat, renderSolution } from '@chainrule/solutions';
import {
  type AnswerKey,
  type CandidateStats,
  type ConstraintName,
  type VariantConstraints,
  describeShortfall,
  generateVariants,
  keySheet,
  studentSheet,
  variantSource,
  variantsCsv,
} from '@chainrule/variants';

/** Sheet formats the route renders. @example const format: SheetFormat = 'latex'; */
export type SheetFormat = Extract<SolutionFormat, 'md' | 'latex'>;

/** What the route hands to the worker: a validated request. @example const input: VariantsTaskInput = { problem: 'q3', count: 2, seed: 7, constraints: resolveConstraints(), maxAttempts: 4000 }; */
export interface VariantsTaskInput {
  problem: 'q1' | 'q3' | Problem;
  count: number;
  seed: number;
  constraints: VariantConstraints;
  maxAttempts: number;
  sheets?: SheetFormat;
}

/** One variant of the answer. @example answer.variants[0].key.rounded.loss; */
export interface VariantAnswer {
  id: string;
  problem: Problem;
  key: AnswerKey;
  checks: CandidateStats;
  /** The student sheet and the worked key, when asked for. */
  sheets?: { format: SheetFormat; student: string; key: string };
}

/** The answer of `POST /v1/variants`. @example if (!answer.complete) console.warn(answer.shortfall); */
export interface VariantsAnswer {
  seed: number;
  requested: number;
  complete: boolean;
  /** Why the set is short: how many were made, which constraints the rejected candidates broke. */
  shortfall?: string;
  attempts: number;
  maxAttempts: number;
  rejected: Partial<Record<ConstraintName, number>>;
  constraints: VariantConstraints;
  variants: VariantAnswer[];
  /** The index as variants.csv (the CLI's file; sheet columns empty). */
  csv: string;
}

/**
 * Generates the variants of a request, with their keys and (optionally) sheets.
 *
 * @example
 * (await variants({ problem: 'q3', count: 2, seed: 7, constraints: resolveConstraints(), maxAttempts: 4000 })).variants[0].key.loss;
 */
export async function variants(input: VariantsTaskInput): Promise<VariantsAnswer> {
  const { problem, origin } = variantSource(input.problem);
  let set;
  try {
    set = generateVariants(problem, { count: input.count, seed: input.seed, constraints: input.constraints, maxAttempts: input.maxAttempts });
  } catch (error) {
    // Count, seed and constraints were checked by the route: what is left is the problem's fault.
    throw prefixPath(error, ['problem']);
  }
  const answers: VariantAnswer[] = [];
  for (const variant of set.variants) {
    const answer: VariantAnswer = { id: variant.id, problem: variant.problem, key: variant.key, checks: variant.stats };
    if (input.sheets) {
      const format = input.sheets;
      answer.sheets = { format, student: await renderSolution(studentSheet(variant, origin), format), key: await renderSolution(keySheet(variant, origin), format) };
    }
    answers.push(answer);
  }
  const shortfall = describeShortfall(set);
  return {
    seed: set.seed,
    requested: set.requested,
    complete: set.complete,
    ...(shortfall === undefined ? {} : { shortfall }),
    attempts: set.attempts,
    maxAttempts: set.maxAttempts,
    rejected: set.rejected,
    constraints: set.constraints,
    variants: answers,
    csv: variantsCsv(set, { sheets: false, pdf: false }),
  };
}

/** The tasks of this module, by name, as the compute pool calls them. @example await pool.task(taskModule(import.meta.url, 'task'), 'variants', input); */
export const TASKS = { variants } as const;
