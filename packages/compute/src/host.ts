/**
 * What the pool needs of a platform to run workers — start one, hear when it fails or dies, keep
 * it from holding the process open, stop it — and two small implementations: Node's
 * `worker_threads` (`host-node.ts`) and the browser's module `Worker` (`host-browser.ts`). Which
 * one a program gets is picked once, by the `#worker-host` entry of `imports` in package.json:
 * bundlers resolve it with the `browser` condition, Node with `node`, so `node:worker_threads`
 * never reaches a browser bundle.
 */
import type { Endpoint } from './comlink.ts';
import type { WorkerSource } from './worker-source.ts';

export type { WebWorkerLike, WorkerSource } from './worker-source.ts';

/** What happens to a started worker, reported by its host. */
export interface WorkerEvents {
  /** An uncaught error in the worker (or a failed start), as text; `exit` follows. */
  error(message: string): void;
  /** A message from the worker could not be deserialized. */
  messageerror(message: string): void;
  /** The worker is gone on its own (crash, `process.exit`, failed start): `why` names the cause. */
  exit(why: string): void;
}

/** One started worker. */
export interface HostedWorker {
  /** The Comlink endpoint that speaks to it. */
  readonly endpoint: Endpoint;
  /** Let it keep the process alive (while it computes); a no-op where there is no such thing. */
  ref(): void;
  /** Never let it keep the process alive (while idle). */
  unref(): void;
  /** Stops it; resolves once it is gone. No `exit` event follows. */
  terminate(): Promise<void>;
}

/**
 * A platform's way of running workers.
 *
 * @example
 * const worker = host.start({ name: 'chainrule-compute-1' }, { error, messageerror, exit });
 */
export interface WorkerHost {
  /** `node` (worker_threads) or `browser` (Web Workers). */
  readonly platform: 'node' | 'browser';
  /** The default pool size: the parallelism the platform reports. */
  parallelism(): number;
  /** Whether SharedArrayBuffers can be shared with the workers (in a page: only when cross-origin isolated). */
  sharedMemory(): boolean;
  start(options: { name: string; source?: WorkerSource | undefined }, events: WorkerEvents): HostedWorker;
  /** Runs `close` when the program ends (the process exits); where it cannot tell, does nothing. */
  onExit(close: () => void): void;
}

/** An error (or anything thrown) as one line. @example describeError(new TypeError('x')) // 'TypeError: x' */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
