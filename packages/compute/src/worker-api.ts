/**
 * The worker side of the pool, the same on both platforms: the matmul row blocks (on shared
 * memory, or on copies where there is none), task modules (`TASKS[name](input)` of a module URL)
 * and the test hook. `worker-node.ts` and `worker-browser.ts` expose it through Comlink with what
 * differs between a thread and a Web Worker (sleeping, crashing, exiting).
 */
import { ChainruleError } from '@chainrule/tensor';
import { transfer } from './comlink.ts';
import { type MatmulBlock, type MatmulJob, matmulBlock, matmulRows, transferables } from './passes.ts';

/** What a test asks of the debug hook (`ComputePool.debug`). @example await pool.debug('sleep', 1_000, { timeoutMs: 50 }) */
export type DebugAction = 'noop' | 'sleep' | 'crash' | 'exit' | 'throw';

/** The API a worker exposes; the pool sees it as `Remote<WorkerApi>`. */
export interface WorkerApi {
  ready(): true;
  /** A row block of C written into shared memory. */
  matmulRows(job: MatmulJob): void;
  /** A row block of C from copies of its operands, returned (transferred). */
  matmulBlock(job: MatmulBlock): Float64Array;
  /** Imports task modules ahead of their first task (see `ComputePool.warmup`); a module that fails to load fails its first task instead, with the reason. */
  preload(moduleUrls: readonly string[]): Promise<void>;
  /** Runs `TASKS[name](input)` of the module; with `move`, the answer's own typed arrays are transferred. */
  task(moduleUrl: string, name: string, input: unknown, move: boolean): Promise<unknown>;
  /** Test hook: see `ComputePool.debug`. */
  debug(action: DebugAction, arg: number): Promise<number> | number;
}

/** What differs between a worker thread and a Web Worker. */
export interface WorkerPlatform {
  /** Blocks the worker for `ms`, as a runaway computation would. */
  block(ms: number): void;
  /** Ends the worker as `process.exit(code)` does. */
  exit(code: number): never | void;
}

/**
 * The worker's API on a platform.
 *
 * @example
 * expose(workerApi({ block: (ms) => …, exit: (code) => process.exit(code) }), endpoint);
 */
export function workerApi(platform: WorkerPlatform): WorkerApi {
  return {
    ready: () => true,
    matmulRows,
    matmulBlock: (job) => {
      const c = matmulBlock(job);
      return transfer(c, [c.buffer as ArrayBuffer]);
    },
    async preload(moduleUrls) {
      await Promise.allSettled(moduleUrls.map((url) => import(/* @vite-ignore */ url)));
    },
    async task(moduleUrl, name, input, move) {
      const tasks = ((await import(/* @vite-ignore */ moduleUrl)) as { TASKS?: Record<string, unknown> }).TASKS;
      const run = tasks && Object.hasOwn(tasks, name) ? tasks[name] : undefined;
      if (typeof run !== 'function') throw new ChainruleError('internal', `${moduleUrl} exports no task '${name}' in TASKS`);
      const output: unknown = await (run as (input: unknown) => unknown)(input);
      return move ? transfer(output, transferables(output)) : output;
    },
    debug(action, arg) {
      switch (action) {
        case 'noop':
          return arg;
        case 'sleep':
          // Blocks the worker, as a runaway computation would: only terminate() can stop it.
          platform.block(arg);
          return arg;
        case 'throw':
          throw new Error(`debug: thrown on request (${arg})`);
        case 'crash':
          setTimeout(() => {
            throw new Error(`debug: uncaught error on request (${arg})`);
          });
          return new Promise<number>(() => {});
        case 'exit':
          platform.exit(arg);
          return new Promise<number>(() => {});
      }
    },
  };
}

/**
 * Blocks the calling thread for `ms`: on a futex where shared memory exists, else by spinning.
 *
 * @example
 * blockFor(50);
 */
export function blockFor(ms: number): void {
  if (typeof SharedArrayBuffer === 'function') {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
    return;
  }
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin: nothing else can run in this worker until the block ends
  }
}
