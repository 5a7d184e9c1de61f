/**
 * Sizes below which a pass runs inline on the calling thread rather than on the pool: below them
 * posting to the workers and collecting the results costs more than the work saved. Measured by
 * `bench/threshold.ts` on a warm pool of 2 workers; see the package README for the numbers.
 */

/**
 * Matmul goes to the pool from this many multiply-adds (m·n·k) on; 64³ ≈ 2.6·10⁵.
 *
 * @example
 * pool.matmul(a, b); // inline when a.rows · b.cols · a.cols < MATMUL_POOL_THRESHOLD
 */
export const MATMUL_POOL_THRESHOLD = 262_144;

/**
 * A gradient check goes to the pool from this many parameter elements on (each costs two forward passes).
 *
 * @example
 * pool.gradientCheck(problem, { threshold: GRADIENT_CHECK_POOL_THRESHOLD * 2 });
 */
export const GRADIENT_CHECK_POOL_THRESHOLD = 64;

/**
 * A batch goes to the pool from this many items on (each costs one forward and backward pass).
 *
 * @example
 * pool.batch(problem, inputs); // inline when inputs.length < BATCH_POOL_THRESHOLD
 */
export const BATCH_POOL_THRESHOLD = 32;

/** The three thresholds together, as `PoolOptions.thresholds` overrides them. */
export interface Thresholds {
  /** Multiply-adds m·n·k; see {@link MATMUL_POOL_THRESHOLD}. */
  matmul: number;
  /** Parameter elements; see {@link GRADIENT_CHECK_POOL_THRESHOLD}. */
  gradientCheck: number;
  /** Items; see {@link BATCH_POOL_THRESHOLD}. */
  batch: number;
}

/**
 * The measured defaults.
 *
 * @example
 * createPool({ thresholds: { ...DEFAULT_THRESHOLDS, matmul: 0 } }); // every matmul on the pool
 */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  matmul: MATMUL_POOL_THRESHOLD,
  gradientCheck: GRADIENT_CHECK_POOL_THRESHOLD,
  batch: BATCH_POOL_THRESHOLD,
});
