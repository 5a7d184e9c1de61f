/**
 * The worker side of the pool: the passes of `passes.ts`, exposed through Comlink on the
 * worker's parent port. Started by `worker-bootstrap.mjs`, which registers tsx first.
 */
import os from 'node:os';
import { parentPort } from 'node:worker_threads';
import { ChainruleError } from '@chainrule/graph';
import { type Problem } from '@chainrule/problem';
import { type BatchEntry, type GradeOptions, type GradedQuestion, gradeBatch } from '@chainrule/grader';
import { type NodeEndpointLike, expose, nodeEndpoint, transfer } from './comlink.ts';
import { type BatchChunk, type BatchChunkResult, type MatmulJob, batchChunk, finiteDifferences, matmulRows } from './passes.ts';

/** What a test asks of the debug hook (`ComputePool.debug`). @example await pool.debug('sleep', 1_000, { timeoutMs: 50 }) */
export type DebugAction = 'noop' | 'sleep' | 'crash' | 'exit' | 'throw';

/** The API a worker exposes; the pool sees it as `Remote<WorkerApi>`. */
export interface WorkerApi {
  ready(): true;
  matmulRows(job: MatmulJob): void;
  finiteDifferences(problem: Problem, start: number, end: number, h: number): Float64Array;
  batch(problem: Problem, chunk: BatchChunk): BatchChunkResult;
  grade(problem: Problem | GradedQuestion, submissions: { id: string; submission: unknown }[], options: GradeOptions): BatchEntry[];
  task(moduleUrl: string, name: string, input: unknown): Promise<unknown>;
  /** Test hook: see `Pool.debug`. */
  debug(action: DebugAction, arg: number): Promise<number> | number;
}

const api: WorkerApi = {
  ready: () => true,
  matmulRows,
  finiteDifferences(problem, start, end, h) {
    const out = finiteDifferences(problem, start, end, h);
    return transfer(out, [out.buffer]);
  },
  batch(problem, chunk) {
    const result = batchChunk(problem, chunk);
    return transfer(result, [result.losses.buffer, result.data.buffer]);
  },
  grade: (problem, submissions, options) => gradeBatch(problem, submissions, options).results,
  async task(moduleUrl, name, input) {
    const tasks = ((await import(moduleUrl)) as { TASKS?: Record<string, unknown> }).TASKS;
    const run = tasks?.[name];
    if (typeof run !== 'function') throw new ChainruleError('internal', `${moduleUrl} exports no task '${name}' in TASKS`);
    return (run as (input: unknown) => unknown)(input);
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
