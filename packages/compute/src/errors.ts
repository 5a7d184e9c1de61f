import { ChainruleError } from '@chainrule/tensor';

/**
 * What a call of the pool is named in its errors: `matmul`, `debug` (the test hook), or the name
 * of a task (`gradientCheck`, `batch`, `grade`, an app's own task).
 *
 * @example
 * if (error instanceof ComputeError && error.pass === 'gradientCheck') …
 */
export type PassName = string;

/** Why a call failed without an answer from the computation itself. @example if (error.reason === 'timeout') … */
export type ComputeFailure = 'timeout' | 'aborted' | 'crashed' | 'queue-full' | 'closed';

const STATUS: Record<ComputeFailure, number> = {
  timeout: 503,
  'queue-full': 503,
  closed: 503,
  crashed: 500,
  // nginx's "client closed request": the caller gave up, so normally no one reads the answer.
  aborted: 499,
};

/**
 * A call of the pool that failed for a reason of the pool, not of the input: it timed out, was
 * aborted, its worker crashed, the queue was full, or the pool was closed. It is a
 * `ChainruleError` (code `limit` for timeout / queue full, `internal` otherwise), so an HTTP layer
 * answers with `status`, plus `Retry-After: retryAfterSeconds` when that is set (queue full).
 *
 * @example
 * try {
 *   await pool.matmul(a, b, { timeoutMs: 100 });
 * } catch (error) {
 *   if (error instanceof ComputeError && error.reason === 'queue-full') {
 *     response.status(error.status).set('Retry-After', String(error.retryAfterSeconds)).end();
 *   }
 * }
 */
export class ComputeError extends ChainruleError {
  readonly reason: ComputeFailure;
  readonly pass: PassName;
  /** Set for failures worth retrying soon (queue full): seconds for a `Retry-After` header. */
  readonly retryAfterSeconds: number | undefined;

  constructor(reason: ComputeFailure, pass: PassName, message: string, options: { cause?: unknown; retryAfterSeconds?: number } = {}) {
    const code = reason === 'timeout' || reason === 'queue-full' ? 'limit' : 'internal';
    super(code, message, {}, { status: STATUS[reason], cause: options.cause });
    this.reason = reason;
    this.pass = pass;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}
