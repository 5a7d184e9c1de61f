/**
 * The worker side of the pool, exposed through Comlink on the worker's parent port: the matmul
 * row blocks, task modules (`TASKS[name](input)`) and the test hook. Started by
 * `worker-bootstrap.mjs`, which registers tsx first in development.
 */
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ChainruleError } from '@chainrule/tensor';
import { type NodeEndpointLike, expose, nodeEndpoint, transfer } from './comlink.ts';
import { type MatmulJob, matmulRows, transferables } from './passes.ts';

/** What a test asks of the debug hook (`ComputePool.debug`). @example await pool.debug('sleep', 1_000, { timeoutMs: 50 }) */
export type DebugAction = 'noop' | 'sleep' | 'crash' | 'exit' | 'throw';

/** The API a worker exposes; the pool sees it as `Remote<WorkerApi>`. */
export interface WorkerApi {
  ready(): true;
  matmulRows(job: MatmulJob): void;
  /** Runs `TASKS[name](input)` of the module; with `move`, the answer's own typed arrays are transferred. */
  task(moduleUrl: string, name: string, input: unknown, move: boolean): Promise<unknown>;
  /** Test hook: see `ComputePool.debug`. */
  debug(action: DebugAction, arg: number): Promise<number> | number;
}

const api: WorkerApi = {
  ready: () => true,
  matmulRows,
  async task(moduleUrl, name, input, move) {
    const tasks = ((await import(moduleUrl)) as { TASKS?: Record<string, unknown> }).TASKS;
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
        // Blocks the thread, as a runaway computation would: only terminate() can stop it.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, arg);
        return arg;
      case 'throw':
        throw new Error(`debug: thrown on request (${arg})`);
      case 'crash':
        setImmediate(() => {
          throw new Error(`debug: uncaught error on request (${arg})`);
        });
        return new Promise<number>(() => {});
      case 'exit':
        process.exit(arg);
    }
  },
};

if (!parentPort) throw new Error('worker.ts runs inside a worker thread of the compute pool');

// On Linux, setpriority(PRIO_PROCESS, 0) applies to the calling thread only: the workers yield the
// CPU to the thread that serves the CLI or the API, which must stay responsive while they compute.
try {
  os.setPriority(10);
} catch {
  // Not permitted or not supported here: the workers run at normal priority.
}
expose(api, nodeEndpoint(parentPort as unknown as NodeEndpointLike));
