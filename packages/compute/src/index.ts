/**
 * @chainrule/compute — a pool of workers spoken to through Comlink: the queue, timeouts, abort
 * signals, a shared-buffer matmul and task modules (`task`, `tasks`) for the packages that own a
 * kind of heavy work. One API on Node (worker_threads) and in browsers (module Web Workers); the
 * platform's worker host is picked once, by the `#worker-host` import conditions. Depends on the
 * tensor core and comlink only.
 */
import { defaultHost } from '#worker-host';
import { ComputePool, type PoolOptions } from './pool.ts';

export {
  type CallOptions,
  type MatmulOptions,
  type PoolOptions,
  type PoolStats,
  type TaskOptions,
  type TaskPool,
  ComputePool,
  DEFAULT_MAX_QUEUE,
  DEFAULT_TIMEOUT_MS,
} from './pool.ts';
export { type ComputeFailure, type PassName, ComputeError } from './errors.ts';
export { MATMUL_POOL_THRESHOLD } from './thresholds.ts';
export { splitRange, taskModule } from './passes.ts';
export type { DebugAction } from './worker-api.ts';
export type { WebWorkerLike, WorkerSource } from './worker-source.ts';

/**
 * A new pool of workers: worker threads on Node, module Web Workers in a browser. Workers start
 * on first use (or on `warmup()`), are unref'd while idle so they never keep a Node process
 * alive, and are terminated by `close()`.
 *
 * @example
 * const pool = createPool({ size: 2, maxQueue: 16, timeoutMs: 10_000 });
 * const c = await pool.matmul(a, b, { signal: request.signal });
 * await pool.close();
 * // In a bundled page: the worker entry it bundled (one line: import '@chainrule/compute/worker')
 * const webPool = createPool({ worker: new URL('./compute-worker.js', import.meta.url) });
 */
export function createPool(options: PoolOptions = {}): ComputePool {
  return new ComputePool(options);
}

let defaultPool: ComputePool | undefined;
let exitHookInstalled = false;

/**
 * The shared pool (default options), created on first call and closed when the process exits
 * (a page's workers end with the page). A closed default pool is replaced by a new one on the
 * next call.
 *
 * @example
 * const c = await getDefaultPool().matmul(a, b);
 */
export function getDefaultPool(): ComputePool {
  if (!defaultPool || defaultPool.closed) defaultPool = new ComputePool();
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    defaultHost.onExit(() => void defaultPool?.close());
  }
  return defaultPool;
}
