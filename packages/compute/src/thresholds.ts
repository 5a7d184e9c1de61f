/**
 * Sizes below which a pass runs inline on the calling thread rather than on the pool: below them
 * posting to the workers and collecting the results costs more than the work saved. Measured by
 * `bench/threshold.ts` on a warm pool of 2 workers on an idle 2-core machine; see the package
 * README for the numbers. On a machine whose cores are busy with other work the pool gains less,
 * and the crossovers move up.
 */

/**
 * Matmul goes to the pool from this many multiply-adds (m·n·k) on: 128³. Measured: 96³ is 1.2×
 * slower on the pool than inline, 128³ 1.2× faster.
 *
 * @example
 * pool.matmul(a, b); // inline when a.rows · b.cols · a.cols < MATMUL_POOL_THRESHOLD
 */
export const MATMUL_POOL_THRESHOLD = 2_097_152;

/**
 * A gradient check goes to the pool from this many parameter elements on (each costs two forward
 * passes). Measured on a two-layer network: 49 elements are 1.4× slower on the pool, 81 1.2× faster.
 *
 * @example
 * pool.gradientCheck(problem, { threshold: GRADIENT_CHECK_POOL_THRESHOLD * 2 });
 */
export const GRADIENT_CHECK_POOL_THRESHOLD = 64;

/**
 * A batch goes to the pool from this many items on (each costs one forward and backward pass).
 * Measured on a two-layer network (4 inputs, 8 hidden): 32 items are 1.1× slower on the pool, 48
 * 1.05× faster. Items of a larger graph cost more each, and pay off sooner.
 *
 * @example
 * pool.batch(problem, inputs); // inline when inputs.length < BATCH_POOL_THRESHOLD
 */
export const BATCH_POOL_THRESHOLD = 48;

/** The three thresholds together, as `PoolOptions.thresholds` overrides them. @example createPool({ thresholds: { batch: 16 } }) */
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
