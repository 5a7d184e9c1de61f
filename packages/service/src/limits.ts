/**
 * The limits every caller of the service works under, the CLI and the API alike, and the checks
 * that enforce them before any heavy work starts.
 */
import { type Problem, valueShape } from '@chainrule/problem';
import { ChainruleError } from '@chainrule/tensor';
import type { WorkEstimate } from './estimate.ts';

/** The limits of the service; see {@link DEFAULT_SERVICE_LIMITS} for the defaults and the reasons. */
export interface ServiceLimits {
  /** Most equations in a problem (lines, array elements, or `\\`-separated LaTeX rows); more is 413 `limit`. */
  maxEquations: number;
  /** Most entries of one value (rows × columns of a matrix); more is 413 `limit` with the value's path and shape. */
  maxValueEntries: number;
  /** Longest dimension of one value (rows, columns, vector length); more is 413 `limit`. */
  maxDimension: number;
  /** Most parameter entries (over `wrt`) a gradient check perturbs; each costs two forward passes. */
  maxGradcheckEntries: number;
  /** Most entries of one intermediate value (checked on the estimate, before computing); more is 413 `limit` naming it. */
  maxIntermediateEntries: number;
  /** Most value entries one answer may carry (every value and gradient, or the gradients alone with `values: false`); more is 413 `limit`. */
  maxResultEntries: number;
  /**
   * Estimated work (nanoseconds on the reference machine, see {@link estimateProblem}) below which
   * backprop, graph export, grading and gradient checks run on the calling thread; from it on they
   * go to the pool, when there is one.
   */
  inlineWorkLimit: number;
}

/**
 * The default limits.
 *
 * - `maxEquations` 500.
 * - `maxValueEntries` 65 536 (256 × 256) and `maxDimension` 1 024: every dimension of every
 *   intermediate value is a dimension of some given value, so these bound the work of each
 *   operation (≤ 1 024³ multiply-adds).
 * - `maxGradcheckEntries` 20 000.
 * - `maxIntermediateEntries` 262 144 (2 MiB of float64): four times the largest value; an outer
 *   product of two 1024-vectors (1 048 576 entries) is refused before it is computed.
 * - `maxResultEntries` 262 144: about 5 MB of JSON; a problem with bigger intermediates can still be
 *   asked for its loss and gradients alone (`values: false`).
 * - `inlineWorkLimit` 2 000 000 — 2 ms of estimated work: the event loop stays free for `/health`
 *   and small requests; see {@link estimateProblem} for the measured costs it is counted in.
 *
 * @example
 * await backprop({ problem }, { limits: { ...DEFAULT_SERVICE_LIMITS, maxEquations: 50 } });
 */
export const DEFAULT_SERVICE_LIMITS: Readonly<ServiceLimits> = Object.freeze({
  maxEquations: 500,
  maxValueEntries: 65_536,
  maxDimension: 1_024,
  maxGradcheckEntries: 20_000,
  maxIntermediateEntries: 262_144,
  maxResultEntries: 262_144,
  inlineWorkLimit: 2_000_000,
});

/** A limit error: code `limit` (413), located, with the numbers a client needs as `extensions`. */
function limitError(message: string, path: readonly (string | number)[], extensions: Record<string, unknown>): ChainruleError {
  return Object.assign(new ChainruleError('limit', message, { path }), { extensions });
}

/**
 * How many equations a problem has: array elements, or non-empty lines / LaTeX rows of the text.
 *
 * @example
 * equationCount({ equations: 'y = W x\nL = y' }); // 2
 */
export function equationCount(problem: Pick<Problem, 'equations'>): number {
  const texts = typeof problem.equations === 'string' ? [problem.equations] : problem.equations;
  let count = 0;
  for (const text of texts) count += text.split(/\r?\n|\\\\/).filter((line) => line.trim() !== '').length;
  return count;
}

/**
 * Checks a validated problem against the limits: the equation count, and the entries and the
 * dimensions of every value. A fault is a `ChainruleError` (code `limit`, status 413) naming the
 * JSON path of the value and its shape, with `extensions` (`shape`, `entries`, `limit`).
 *
 * @example
 * checkProblemLimits(problem, DEFAULT_SERVICE_LIMITS); // throws: values.W1: 300×300 = 90000 entries; at most 65536 per value
 */
export function checkProblemLimits(problem: Problem, limits: ServiceLimits): void {
  const equations = equationCount(problem);
  if (equations > limits.maxEquations) {
    throw limitError(`${equations} equations; at most ${limits.maxEquations} per problem`, ['equations'], { count: equations, limit: limits.maxEquations });
  }
  for (const [name, value] of Object.entries(problem.values)) {
    const shape = valueShape(value);
    const entries = shape.reduce((p, e) => p * e, 1);
    const shown = shape.length === 0 ? 'a number' : shape.join('×');
    if (entries > limits.maxValueEntries) {
      throw limitError(`${shown} = ${entries} entries; at most ${limits.maxValueEntries} per value`, ['values', name], { shape, entries, limit: limits.maxValueEntries });
    }
    const longest = Math.max(0, ...shape);
    if (longest > limits.maxDimension) {
      throw limitError(`${shown}: a dimension of ${longest}; at most ${limits.maxDimension}`, ['values', name], { shape, limit: limits.maxDimension });
    }
  }
}

/**
 * Checks that a gradient check stays within `maxGradcheckEntries` parameter entries.
 *
 * @example
 * checkGradcheckLimits(problem, DEFAULT_SERVICE_LIMITS); // throws: wrt: a gradient check of 44 parameter entries; at most 30
 */
export function checkGradcheckLimits(problem: Problem, limits: ServiceLimits): void {
  let total = 0;
  for (const name of problem.wrt) {
    if (Object.hasOwn(problem.values, name)) total += valueShape(problem.values[name]!).reduce((p, e) => p * e, 1);
  }
  if (total > limits.maxGradcheckEntries) {
    throw limitError(`a gradient check of ${total} parameter entries; at most ${limits.maxGradcheckEntries}`, ['wrt'], { entries: total, limit: limits.maxGradcheckEntries });
  }
}

/**
 * Checks a problem's estimate against the limits on intermediates and on the answer, before
 * anything is computed: 413 `limit` naming the equation of the largest intermediate and its shape,
 * or the entries the answer would carry. `values: false` counts the gradients alone.
 *
 * @example
 * checkEstimateLimits(estimateProblem(problem), DEFAULT_SERVICE_LIMITS, { values: false });
 */
export function checkEstimateLimits(estimate: WorkEstimate, limits: ServiceLimits, answer: { values?: boolean; result?: boolean } = {}): void {
  const { largest } = estimate;
  if (largest && largest.entries > limits.maxIntermediateEntries) {
    const shown = largest.shape.join('×');
    throw limitError(`the equation of '${largest.equation}' (line ${largest.line}) computes a ${shown} intermediate = ${largest.entries} entries; at most ${limits.maxIntermediateEntries} per intermediate`, ['equations'], {
      equation: largest.equation,
      line: largest.line,
      shape: largest.shape,
      entries: largest.entries,
      limit: limits.maxIntermediateEntries,
    });
  }
  if (answer.result === false) return;
  const entries = answer.values === false ? estimate.gradientEntries : estimate.resultEntries;
  if (entries > limits.maxResultEntries) {
    const hint = answer.values === false ? '' : '; ask for the loss and gradients alone (values=false)';
    throw limitError(`the answer would carry ${entries} value entries; at most ${limits.maxResultEntries}${hint}`, answer.values === false ? ['wrt'] : ['values'], { entries, limit: limits.maxResultEntries });
  }
}
