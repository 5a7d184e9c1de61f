/**
 * The size from which a matmul leaves the calling thread: below it, posting to the workers and
 * collecting the results costs more than the work saved. Measured by `bench/threshold.ts` on a
 * warm pool of 2 workers on an idle 2-core machine (see the package README): 96³ multiply-adds
 * are 1.2× slower on the pool than inline, 128³ 1.2× faster. On a machine whose cores are busy
 * with other work the pool gains less, and the crossover moves up.
 *
 * The thresholds of the task passes (gradient check, batch, class grading) belong to the packages
 * that own those tasks.
 *
 * @example
 * pool.matmul(a, b); // inline when a.rows · b.cols · a.cols < MATMUL_POOL_THRESHOLD
 */
export const MATMUL_POOL_THRESHOLD = 2_097_152;
