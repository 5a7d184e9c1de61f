/**
 * The limits of the API and the checks that enforce them. Every limit is an option of
 * `createApp({ limits })`; the defaults are in {@link DEFAULT_LIMITS}.
 */
import { MATMUL_POOL_THRESHOLD } from '@chainrule/compute';
import type { Problem } from '@chainrule/problem';
import { apiError } from './problem.ts';

/** The limits of the API; see {@link DEFAULT_LIMITS} for the defaults and the reasons. */
export interface ApiLimits {
  /** Largest request body in bytes; more is 413 `body-too-large`. */
  bodyLimitBytes: number;
  /** Most equations in a problem (lines, array elements, or `\\`-separated LaTeX rows); more is 413 `limit`. */
  maxEquations: number;
  /** Most entries of one value (rows × columns of a matrix); more is 413 `limit` with the value's path and shape. */
  maxValueEntries: number;
  /** Longest dimension of one value (rows, columns, vector length); more is 413 `limit`. */
  maxDimension: number;
  /** Most parameter entries (over `wrt`) a gradient check perturbs; each costs two forward passes. */
  maxGradcheckEntries: number;
  /** Time a request may take, in ms, before it is answered 503 `timeout` (work on a pool is cancelled). */
  requestTimeoutMs: number;
  /** Heavy requests (on a pool) in flight at once; one more is answered 503 `overloaded` with `Retry-After`. */
  maxHeavyInFlight: number;
  /** `Retry-After` seconds sent with 503 `overloaded`. */
  retryAfterSeconds: number;
  /**
   * Estimated multiply-adds below which backprop, graph export and grading run inline on the
   * event loop; from it on they go to a worker (see {@link estimateWork}).
   */
  inlineWorkLimit: number;
}

/**
 * The default limits.
 *
 * - `bodyLimitBytes` 256 KiB: a course problem is well under 10 KiB.
 * - `maxEquations` 500.
 * - `maxValueEntries` 65 536 (256 × 256) and `maxDimension` 1 024: every dimension of every
 *   intermediate value is a dimension of some given value, so these bound the work of each
 *   operation (≤ 1 024³ multiply-adds). 65 536 entries also fit in the body limit ("0," is two
 *   bytes; 250 000 entries would need ~500 KB, so a larger entry limit would never be reached).
 * - `maxGradcheckEntries` 20 000.
 * - `requestTimeoutMs` 10 s.
 * - `maxHeavyInFlight` 16: well inside the compute pool's queue (64), so the pool never refuses them.
 * - `inlineWorkLimit` the compute pool's measured matmul threshold (2²¹ multiply-adds ≈ 2·10⁶):
 *   below it, a worker round trip costs more than the work.
 *
 * @example
 * createApp({ limits: { ...DEFAULT_LIMITS, bodyLimitBytes: 1024 * 1024 } });
 */
export const DEFAULT_LIMITS: Readonly<ApiLimits> = Object.freeze({
  bodyLimitBytes: 256 * 1024,
  maxEquations: 500,
  maxValueEntries: 65_536,
  maxDimension: 1_024,
  maxGradcheckEntries: 20_000,
  requestTimeoutMs: 10_000,
  maxHeavyInFlight: 16,
  retryAfterSeconds: 1,
  inlineWorkLimit: MATMUL_POOL_THRESHOLD,
});

type Value = Problem['values'][string];

/** The shape of a value as written: `[]`, `[n]`, or `[rows, widest row]`. @example valueShape([[1, 2], [3, 4], [5, 6]]) // [3, 2] */
export function valueShape(value: Value): number[] {
  if (typeof value === 'number') return [];
  if (value.length === 0 || typeof value[0] === 'number') return [value.length];
  let cols = 0;
  for (const row of value as number[][]) cols = Math.max(cols, row.length);
  return [value.length, cols];
}

/** How many equations a problem has: array elements, or non-empty lines / LaTeX rows of the text. @example equationCount({ equations: 'y = W x\nL = y' }) // 2 */
export function equationCount(problem: Pick<Problem, 'equations'>): number {
  const texts = typeof problem.equations === 'string' ? [problem.equations] : problem.equations;
  let count = 0;
  for (const text of texts) count += text.split(/\r?\n|\\\\/).filter((line) => line.trim() !== '').length;
  return count;
}

/**
 * Checks a validated problem against the limits: the equation count, and the entries and the
 * dimensions of every value. A fault is a `ChainruleError` (code `limit`, status 413) naming the
 * JSON path of the value and its shape.
 *
 * @example
 * checkProblemLimits(problem, DEFAULT_LIMITS); // throws: values.W1: 300×300 = 90000 entries; at most 65536 per value
 */
export function checkProblemLimits(problem: Problem, limits: ApiLimits): void {
  const equations = equationCount(problem);
  if (equations > limits.maxEquations) {
    throw apiError('limit', `${equations} equations; at most ${limits.maxEquations} per problem`, {
      location: { path: ['equations'] },
      extensions: { count: equations, limit: limits.maxEquations },
    });
  }
  for (const [name, value] of Object.entries(problem.values)) {
    const shape = valueShape(value);
    const entries = shape.reduce((p, e) => p * e, 1);
    const shown = shape.length === 0 ? 'a number' : shape.join('×');
    if (entries > limits.maxValueEntries) {
      throw apiError('limit', `${shown} = ${entries} entries; at most ${limits.maxValueEntries} per value`, {
        location: { path: ['values', name] },
        extensions: { shape, entries, limit: limits.maxValueEntries },
      });
    }
    const longest = Math.max(0, ...shape);
    if (longest > limits.maxDimension) {
      throw apiError('limit', `${shown}: a dimension of ${longest}; at most ${limits.maxDimension}`, {
        location: { path: ['values', name] },
        extensions: { shape, limit: limits.maxDimension },
      });
    }
  }
}

/**
 * Checks that a gradient check stays within `maxGradcheckEntries` parameter entries.
 *
 * @example
 * checkGradcheckLimits(problem, DEFAULT_LIMITS);
 */
export function checkGradcheckLimits(problem: Problem, limits: ApiLimits): void {
  let total = 0;
  for (const name of problem.wrt) {
    const value = problem.values[name];
    if (value !== undefined) total += valueShape(value).reduce((p, e) => p * e, 1);
  }
  if (total > limits.maxGradcheckEntries) {
    throw apiError('limit', `a gradient check of ${total} parameter entries; at most ${limits.maxGradcheckEntries}`, {
      location: { path: ['wrt'] },
      extensions: { entries: total, limit: limits.maxGradcheckEntries },
    });
  }
}

/**
 * An upper estimate of the multiply-adds of a forward and backward pass: every dimension of an
 * intermediate value is a dimension of a given value, so one operation costs at most D³ for the
 * longest dimension D, and a pass has about three operations per equation.
 *
 * @example
 * estimateWork(assignmentQ3Problem()); // 3 · 7 · 4³ = 1344
 */
export function estimateWork(problem: Problem): number {
  let longest = 1;
  for (const value of Object.values(problem.values)) longest = Math.max(longest, ...valueShape(value));
  return 3 * equationCount(problem) * longest ** 3;
}

/**
 * A counting semaphore that never waits: `tryAcquire` returns a release function, or undefined
 * when all permits are taken (the caller answers 503).
 *
 * @example
 * const release = semaphore.tryAcquire();
 * if (!release) throw overloaded();
 * try { await work(); } finally { release(); }
 */
export class Semaphore {
  #inUse = 0;
  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.#inUse;
  }

  tryAcquire(): (() => void) | undefined {
    if (this.#inUse >= this.limit) return undefined;
    this.#inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
    };
  }
}
