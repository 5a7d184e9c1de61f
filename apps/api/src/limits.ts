/**
 * The limits of the API: those of the service layer (equations, value sizes, gradient checks,
 * the inline work budget — the same for the CLI) and the HTTP ones (body size, deadline,
 * admission). Every limit is an option of `createApp({ limits })`; the defaults are in
 * {@link DEFAULT_LIMITS}.
 */
import { DEFAULT_SERVICE_LIMITS, type ServiceLimits } from '@chainrule/service';

/** The limits of the API; see {@link DEFAULT_LIMITS} for the defaults and the reasons. */
export interface ApiLimits extends ServiceLimits {
  /** Largest request body in bytes; more is 413 `body-too-large`. */
  bodyLimitBytes: number;
  /** Time a request may take, in ms, before it is answered 503 `timeout` (work on a pool is cancelled). */
  requestTimeoutMs: number;
  /**
   * Heavy requests (on a pool) in flight at once; one more is answered 503 `overloaded` with
   * `Retry-After` at once. Default: the task pool's workers + `heavyQueue` (see {@link heavyAdmission}).
   */
  maxHeavyInFlight?: number;
  /** Heavy requests admitted beyond one per worker, waiting in the pool's queue (default 2). */
  heavyQueue: number;
  /** `Retry-After` seconds sent with 503 `overloaded`. */
  retryAfterSeconds: number;
}

/**
 * The default limits: the service's (`DEFAULT_SERVICE_LIMITS` of `@chainrule/service`), and
 *
 * - `bodyLimitBytes` 256 KiB: a course problem is well under 10 KiB; 65 536 value entries (the
 *   service's limit per value) fit in it ("0," is two bytes).
 * - `requestTimeoutMs` 10 s.
 * - `maxHeavyInFlight`: one per worker of the task pool + `heavyQueue` 2. Admitting more only
 *   lengthens the queue: a request admitted behind many others waits past its deadline, and under
 *   overload none completes (16 admitted for 2 workers: 3 of 32 gradient checks succeeded).
 *
 * @example
 * createApp({ limits: { ...DEFAULT_LIMITS, bodyLimitBytes: 1024 * 1024 } });
 */
export const DEFAULT_LIMITS: Readonly<ApiLimits> = Object.freeze({
  ...DEFAULT_SERVICE_LIMITS,
  bodyLimitBytes: 256 * 1024,
  requestTimeoutMs: 10_000,
  heavyQueue: 2,
  retryAfterSeconds: 1,
});

/**
 * How many heavy requests are admitted at once: `maxHeavyInFlight` when set, else one per worker
 * of the pool they run on and `heavyQueue` more.
 *
 * @example
 * new Semaphore(heavyAdmission(limits, pool.size)); // 2 workers → 4
 */
export function heavyAdmission(limits: Pick<ApiLimits, 'maxHeavyInFlight' | 'heavyQueue'>, workers: number): number {
  return limits.maxHeavyInFlight ?? Math.max(1, workers) + limits.heavyQueue;
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
