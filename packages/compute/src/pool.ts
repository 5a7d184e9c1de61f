import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { ChainruleError, type ErrorCode, canonicalName } from '@chainrule/graph';
import { type Problem, type ProblemInput, type SolvedProblem, parseProblem, solveProblem } from '@chainrule/problem';
import { type NestedArray, type Shape, ShapeError, Tensor, describeShape, fromFlat, matmul, tensor } from '@chainrule/tensor';
import { type Remote, nodeEndpoint, transfer, wrap } from './comlink.ts';
import { ComputeError, type PassName } from './errors.ts';
import { type BatchChunkResult, type BatchValue, batchChunk, cachedPrepare, encodeBatch, finiteDifferences, splitRange } from './passes.ts';
import { SharedBuffers } from './shared-buffers.ts';
import { DEFAULT_THRESHOLDS, type Thresholds } from './thresholds.ts';
import type { DebugAction, WorkerApi } from './worker.ts';
import { type BatchEntry, type GradeOptions, type GradedQuestion, type SummaryRow, gradeBatch, summaryTable } from '@chainrule/grader';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);

/**
 * The parent's node flags minus its tsx loader: the bootstrap registers tsx itself, and a second
 * registration inherited from `--import tsx` would only stack another set of hooks.
 */
function workerExecArgv(): string[] {
  const flags: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    if (/^--(import|require|loader|experimental-loader)$/.test(flag) && argv[i + 1]?.includes('tsx')) i++;
    else if (!/^--(import|require|loader|experimental-loader)=.*tsx/.test(flag)) flags.push(flag);
  }
  return flags;
}

/** Default `PoolOptions.maxQueue`. @example createPool({ maxQueue: DEFAULT_MAX_QUEUE / 4 }) */
export const DEFAULT_MAX_QUEUE = 64;
/** Default `PoolOptions.timeoutMs`: one minute per call. @example createPool({ timeoutMs: DEFAULT_TIMEOUT_MS / 6 }) */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Options of {@link createPool}.
 *
 * @example
 * createPool({ size: 2, maxQueue: 16, timeoutMs: 10_000, thresholds: { matmul: 1_000_000 } });
 */
export interface PoolOptions {
  /** Number of worker threads (default `os.availableParallelism()`). Workers start on first use. */
  size?: number;
  /** How many calls may wait for a worker; one more is rejected with a `queue-full` ComputeError (default 64). */
  maxQueue?: number;
  /** Default per-call timeout in ms, counted from the call (queue time included); 0 or Infinity: none (default 60 000). */
  timeoutMs?: number;
  /** Sizes from which a pass leaves the calling thread (default {@link DEFAULT_THRESHOLDS}). */
  thresholds?: Partial<Thresholds>;
}

/**
 * Options every pass takes.
 *
 * @example
 * await pool.batch(problem, inputs, { signal: AbortSignal.timeout(5_000), mode: 'pool' });
 */
export interface CallOptions {
  /** Cancels the call: a queued call leaves the queue, a running one has its workers terminated (and replaced). */
  signal?: AbortSignal;
  /** Overrides the pool's `timeoutMs` for this call. Inline runs are not interrupted (they are small by construction). */
  timeoutMs?: number;
  /** `auto` (default) compares the size with the threshold; `inline` and `pool` force a path. */
  mode?: 'auto' | 'inline' | 'pool';
  /** Overrides the pool's threshold of this pass for this call. */
  threshold?: number;
}

/**
 * Options of {@link ComputePool.matmul}.
 *
 * @example
 * const c = await pool.matmul(a, b);
 * await pool.matmul(a, b2, { out: c }); // reuses c's shared memory
 */
export interface MatmulOptions extends CallOptions {
  /**
   * Write the product into this tensor (of the result's shape) and return it, as `gemm` writes
   * into C. On a SharedArrayBuffer (a previous result of the pool, say) the workers write into it
   * directly, which spares allocating and faulting in fresh memory; otherwise it is filled by a copy.
   * After a call that failed (timeout, abort, crash) its contents are unspecified.
   */
  out?: Tensor;
}

/**
 * Options of {@link ComputePool.gradientCheck}.
 *
 * @example
 * await pool.gradientCheck(problem, { h: 1e-5, tolerance: 1e-5, gradients: { W1: studentAnswer } });
 */
export interface GradientCheckOptions extends CallOptions {
  /** Step of the central differences (default 1e-6). */
  h?: number;
  /** Largest relative error that passes (default 1e-5: central differences with h = 1e-6 carry errors of a few 1e-6 on sigmoid networks). */
  tolerance?: number;
  /**
   * Absolute floor of the denominator of the relative error |n − s| / max(|n|, |s|, floor)
   * (default 1e-4·max(1, |L|)): the roundoff of L(θ ± h) grows with |L|, and a difference of
   * derivatives below it is noise of the finite differences, not a wrong gradient.
   */
  floor?: number;
  /** Gradients to check instead of the symbolic ones, by parameter name (e.g. a student's answer). */
  gradients?: Readonly<Record<string, NestedArray>>;
}

/**
 * How one parameter fared in a gradient check: its worst element.
 *
 * @example
 * // { name: 'W1', shape: [3, 2], maxRelativeError: 5.6e-10, index: [2, 1], numeric: -0.01024, symbolic: -0.01024, pass: true }
 */
export interface ParameterCheck {
  /** The parameter as the equations write it. */
  name: string;
  shape: number[];
  /** The worst relative error over its elements (0 for an empty parameter). */
  maxRelativeError: number;
  /** Where the worst element is: `[i, j]` in a matrix, `[i]` in a vector, `[]` for a scalar. */
  index: number[];
  /** Finite-difference and checked (symbolic) derivative at `index`. */
  numeric: number;
  symbolic: number;
  pass: boolean;
}

/**
 * The result of {@link ComputePool.gradientCheck}.
 *
 * @example
 * const { pass, parameters } = await pool.gradientCheck(problem);
 * for (const p of parameters) if (!p.pass) console.log(`${p.name}[${p.index.join(', ')}]: ${p.symbolic} vs ${p.numeric}`);
 */
export interface GradientCheckResult {
  pass: boolean;
  /** The worst relative error over all parameters. */
  maxRelativeError: number;
  parameters: ParameterCheck[];
  /** The finite-difference gradients, keyed like `solveProblem`'s gradients. */
  numeric: Record<string, number | number[] | number[][]>;
  loss: number;
  h: number;
  tolerance: number;
  floor: number;
  /** Where the differences were computed. */
  ranOn: 'inline' | 'pool';
}

/**
 * One item of a batch: its loss and gradients, or why it failed.
 *
 * @example
 * for (const item of result.items) console.log(item.ok ? item.loss : `${item.code}: ${item.error}`);
 */
export type BatchItemResult =
  | { ok: true; loss: number; gradients: Record<string, number | number[] | number[][]> }
  | { ok: false; error: string; code: ErrorCode };

/**
 * The result of {@link ComputePool.batch}.
 *
 * @example
 * const { meanLoss, meanGradients, failed } = await pool.batch(problem, dataset);
 */
export interface BatchResult {
  items: BatchItemResult[];
  succeeded: number;
  failed: number;
  /** Mean loss of the items that succeeded (NaN when none did). */
  meanLoss: number;
  /** Mean gradients of the items that succeeded; a parameter whose gradient shape varies between items is left out. */
  meanGradients: Record<string, number | number[] | number[][]>;
  ranOn: 'inline' | 'pool';
}

/**
 * A snapshot of the pool, for monitoring and tests.
 *
 * @example
 * const { busy, queued, replaced } = pool.stats();
 */
export interface PoolStats {
  size: number;
  /** Live workers (started or starting). */
  workers: number;
  busy: number;
  /** Calls with work waiting for a worker. */
  queued: number;
  /** Calls accepted and not yet settled. */
  active: number;
  /** Workers started since the pool was created, replacements included. */
  started: number;
  /** Workers terminated or lost to a crash while the pool was open. */
  replaced: number;
  closed: boolean;
}

interface Slot {
  readonly id: number;
  readonly worker: Worker;
  readonly api: Remote<WorkerApi>;
  readonly ready: Promise<void>;
  job: Job | undefined;
  retired: boolean;
  isReady: boolean;
  /** The last uncaught error the worker reported, for the crash message. */
  lastError: string | undefined;
}

interface Job {
  readonly call: Call;
  readonly index: number;
  readonly run: (api: Remote<WorkerApi>) => Promise<unknown>;
}

interface Call {
  readonly pass: PassName;
  readonly results: unknown[];
  remaining: number;
  queued: number;
  readonly running: Set<Slot>;
  settled: boolean;
  resolve(results: unknown[]): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/**
 * A pool of worker threads for the heavy passes, spoken to only through Comlink. Create it with
 * {@link createPool} or use the shared {@link getDefaultPool}.
 *
 * @example
 * const pool = createPool({ size: 2 });
 * const c = await pool.matmul(a, b);
 * await pool.close();
 */
export class ComputePool {
  readonly size: number;
  readonly maxQueue: number;
  readonly timeoutMs: number;
  readonly thresholds: Readonly<Thresholds>;

  readonly #slots = new Set<Slot>();
  readonly #buffers = new SharedBuffers();
  #queue: Job[] = [];
  readonly #waiting = new Set<Call>();
  readonly #active = new Set<Call>();
  #closed = false;
  #closing: Promise<void> | undefined;
  #nextId = 1;
  #started = 0;
  #replaced = 0;

  constructor(options: PoolOptions = {}) {
    this.size = positiveInteger(options.size ?? os.availableParallelism(), 'size');
    this.maxQueue = Math.max(0, Math.floor(options.maxQueue ?? DEFAULT_MAX_QUEUE));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.thresholds = Object.freeze({ ...DEFAULT_THRESHOLDS, ...options.thresholds });
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * C = A·B. From `thresholds.matmul` multiply-adds on, row blocks of C are computed by the
   * workers with the tensor kernel `gemm` on SharedArrayBuffer views (A's block, all of B, C's
   * block); smaller products, and those with a single row, run inline. Same shapes, values and
   * errors as `matmul` of the tensor package. A result from the pool lies on a SharedArrayBuffer
   * (no copy is made; it is shared, not transferable — `.slice()` it to transfer it), and is used
   * without a copy when passed to `matmul` again.
   *
   * @example
   * const c = await pool.matmul(randomMatrix(1024, 1024), randomMatrix(1024, 1024));
   */
  async matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Promise<Tensor> {
    const dims = matmulDims(a, b);
    const { out } = options;
    if (out) checkOut(a, b, out, dims);
    const threshold = options.threshold ?? this.thresholds.matmul;
    if (!dims || dims.m < 2 || this.#inline(options, dims.m * dims.n * dims.k, threshold)) {
      return this.#runInline('matmul', options, () => {
        if (!out) return matmul(a, b);
        out.data.set(matmul(a, b).data);
        return out;
      });
    }
    const { m, n, k, shape } = dims;
    const [sa, aOffset, aStaged] = this.#stage(a.data);
    const [sb, bOffset, bStaged] = this.#stage(b.data);
    // Without a shared `out`, C is fresh memory and becomes the result: the workers fault its pages in, in parallel.
    const direct = out !== undefined && out.data.buffer instanceof SharedArrayBuffer;
    const sc = direct ? (out.data.buffer as SharedArrayBuffer) : new SharedArrayBuffer(m * n * 8);
    const cOffset = direct ? out.data.byteOffset / 8 : 0;
    const tasks = splitRange(m, this.size).map(
      ([rowStart, rowEnd]) =>
        (api: Remote<WorkerApi>) =>
          api.matmulRows({ a: sa, b: sb, c: sc, aOffset, bOffset, cOffset, m, n, k, rowStart, rowEnd }),
    );
    try {
      await this.#run('matmul', tasks, options);
    } finally {
      // Workers only read A and B: even a worker still finishing a failed call cannot spoil a buffer's next use.
      if (aStaged) this.#buffers.release(sa);
      if (bStaged) this.#buffers.release(sb);
    }
    if (direct) return out;
    const result = new Float64Array(sc);
    if (!out) return new Tensor(result, shape);
    out.data.set(result);
    return out;
  }

  /** The data on shared memory: as it is when it already is, else copied into a recycled buffer. */
  #stage(data: Float64Array): [buffer: SharedArrayBuffer, offset: number, staged: boolean] {
    if (data.buffer instanceof SharedArrayBuffer) return [data.buffer, data.byteOffset / 8, false];
    const buffer = this.#buffers.acquire(data.length * 8);
    new Float64Array(buffer, 0, data.length).set(data);
    return [buffer, 0, true];
  }

  /**
   * Checks the gradients of a problem file by central finite differences over every element of
   * every parameter in `wrt`, against the symbolic gradients of `solveProblem` (or against
   * `options.gradients`). From `thresholds.gradientCheck` parameter elements on, the elements are
   * split across the workers.
   *
   * @example
   * const check = await pool.gradientCheck({
   *   equations: ['L = 1/2 ||y - yhat||^2', 'y = W2 h + b2', 'h = sigmoid(W1 x + b1)'],
   *   values: { W1: [[0.1, 0.2], [0.3, 0.4]], b1: [0, 0], W2: [[1, -1]], b2: [0], x: [1, 2], yhat: [1] },
   *   wrt: ['W1', 'b1', 'W2', 'b2'],
   * });
   * check.pass; // true
   * check.parameters[0]; // { name: 'W1', maxRelativeError: 3e-10, index: [1, 0], ... }
   */
  async gradientCheck(input: ProblemInput | Problem, options: GradientCheckOptions = {}): Promise<GradientCheckResult> {
    const h = options.h ?? 1e-6;
    const tolerance = options.tolerance ?? 1e-5;
    if (!(h > 0)) throw new ChainruleError('problem', `gradient check: h must be a positive number, got ${h}`);
    const problem = parseProblem(input);
    const solved = solveProblem(problem);
    const parameters = problem.wrt.map((name, index) => checkedParameter(solved, name, index, options.gradients));
    const total = parameters.reduce((sum, p) => sum + p.value.size, 0);
    const floor = options.floor ?? 1e-4 * Math.max(1, Math.abs(solved.result.loss));

    let numeric: Float64Array;
    let ranOn: GradientCheckResult['ranOn'];
    if (this.#inline(options, total, options.threshold ?? this.thresholds.gradientCheck)) {
      numeric = await this.#runInline('gradientCheck', options, () => finiteDifferences(problem, 0, total, h));
      ranOn = 'inline';
    } else {
      const tasks = splitRange(total, this.size).map(([start, end]) => (api: Remote<WorkerApi>) => api.finiteDifferences(problem, start, end, h));
      const parts = (await this.#run('gradientCheck', tasks, options)) as Float64Array[];
      numeric = new Float64Array(total);
      let offset = 0;
      for (const part of parts) {
        numeric.set(part, offset);
        offset += part.length;
      }
      ranOn = 'pool';
    }

    const result: GradientCheckResult = {
      pass: true,
      maxRelativeError: 0,
      parameters: [],
      numeric: {},
      loss: solved.result.loss,
      h,
      tolerance,
      floor,
      ranOn,
    };
    let offset = 0;
    for (const { label, value, checked } of parameters) {
      const slice = numeric.slice(offset, offset + value.size);
      offset += value.size;
      let worst = 0;
      let at = 0;
      for (let i = 0; i < slice.length; i++) {
        const n = slice[i]!;
        const s = checked.data[i]!;
        let error = Math.abs(n - s) / Math.max(Math.abs(n), Math.abs(s), floor);
        if (Number.isNaN(error)) error = n === s ? 0 : Number.POSITIVE_INFINITY;
        if (error > worst) [worst, at] = [error, i];
      }
      const pass = worst <= tolerance;
      result.parameters.push({
        name: label,
        shape: [...value.shape],
        maxRelativeError: worst,
        index: value.rank === 2 ? [Math.floor(at / value.cols), at % value.cols] : value.rank === 1 ? [at] : [],
        numeric: slice[at] ?? 0,
        symbolic: checked.data[at] ?? 0,
        pass,
      });
      result.numeric[label] = fromFlat(slice, value.shape).toArray();
      result.pass &&= pass;
      result.maxRelativeError = Math.max(result.maxRelativeError, worst);
    }
    return result;
  }

  /**
   * Forward and backward pass of one problem's graph over many inputs: each input's values
   * override the problem's (a data set of x/ŷ pairs, or many submissions). Returns each item's
   * loss and gradients — or its error, without failing the others — and the means. From
   * `thresholds.batch` items on, the items are split across the workers.
   *
   * @example
   * const { items, meanLoss, meanGradients } = await pool.batch(problem, [
   *   { x: [1, 2], yhat: [1] },
   *   { x: [0, 1], yhat: [0] },
   * ]);
   */
  async batch(input: ProblemInput | Problem, inputs: readonly Readonly<Record<string, BatchValue>>[], options: CallOptions = {}): Promise<BatchResult> {
    const problem = parseProblem(input);
    const labels = cachedPrepare(problem).parameters.map((p) => p.label);
    let chunks: BatchChunkResult[];
    let ranOn: BatchResult['ranOn'];
    if (this.#inline(options, inputs.length, options.threshold ?? this.thresholds.batch)) {
      chunks = [await this.#runInline('batch', options, () => batchChunk(problem, encodeBatch(inputs)))];
      ranOn = 'inline';
    } else {
      const tasks = splitRange(inputs.length, this.size).map(([start, end]) => {
        const chunk = encodeBatch(inputs.slice(start, end));
        return (api: Remote<WorkerApi>) => api.batch(problem, transfer(chunk, [chunk.data.buffer]));
      });
      chunks = (await this.#run('batch', tasks, options)) as BatchChunkResult[];
      ranOn = 'pool';
    }
    return assembleBatch(labels, chunks, ranOn);
  }

  /**
   * Grades many submissions of one problem (a class's worth) with the grader of
   * `@chainrule/grader`, split across the workers from `thresholds.batch` submissions on.
   * A submission that cannot be read gets its error; the others are graded.
   *
   * @example
   * const { results, summary } = await pool.grade('q3', [{ id: 'alice', submission }], { round: 2 });
   */
  async grade(
    problem: Problem | GradedQuestion,
    submissions: readonly { id: string; submission: unknown }[],
    options: CallOptions & GradeOptions = {},
  ): Promise<{ results: BatchEntry[]; summary: SummaryRow[]; ranOn: 'inline' | 'pool' }> {
    const { signal, timeoutMs, mode, threshold, ...gradeOptions } = options;
    const callOptions: CallOptions = { ...(signal ? { signal } : {}), ...(timeoutMs === undefined ? {} : { timeoutMs }), ...(mode ? { mode } : {}) };
    let results: BatchEntry[];
    let ranOn: 'inline' | 'pool';
    if (this.#inline(callOptions, submissions.length, threshold ?? this.thresholds.batch)) {
      results = await this.#runInline('grade', callOptions, () => gradeBatch(problem, submissions, gradeOptions).results);
      ranOn = 'inline';
    } else {
      const tasks = splitRange(submissions.length, this.size).map(
        ([start, end]) => (api: Remote<WorkerApi>) => api.grade(problem, submissions.slice(start, end), gradeOptions),
      );
      results = ((await this.#run('grade', tasks, callOptions)) as BatchEntry[][]).flat();
      ranOn = 'pool';
    }
    return { results, summary: summaryTable(results), ranOn };
  }

  /**
   * Runs an application's own task in a worker: `TASKS[name](input)` of the module at `module`
   * (a TypeScript module works; workers register tsx). Input and output travel by structured
   * clone; a `ChainruleError` thrown by the task arrives as one. This is how an app puts work
   * that has no pass here (rendering, SVG layout) on the same pool, queue and timeouts.
   *
   * @example
   * const svg = await pool.task(new URL('./tasks.ts', import.meta.url), 'graph', { problem, format: 'svg' }, { signal });
   */
  task<T = unknown>(module: URL | string, name: string, input: unknown, options: Omit<CallOptions, 'mode' | 'threshold'> = {}): Promise<T> {
    const moduleUrl = String(module);
    return this.#run('task', [(api) => api.task(moduleUrl, name, input)], options).then((results) => results[0] as T);
  }

  /**
   * Starts every worker now rather than on first use, and waits until they are ready.
   *
   * @example
   * await pool.warmup(); // before timing, or at server start
   */
  async warmup(): Promise<void> {
    if (this.#closed) throw closedError('debug');
    while (this.#slots.size < this.size) this.#spawn();
    await Promise.all([...this.#slots].map((slot) => slot.ready));
  }

  /**
   * TEST HOOK — not for production use. Runs a debug action in a worker through the normal
   * queue: `noop` returns `arg` (round-trip latency), `sleep` blocks the worker for `arg` ms,
   * `throw` throws inside the call, `crash` throws an uncaught error in the worker, `exit` calls
   * `process.exit(arg)` in the worker.
   *
   * @example
   * await expect(pool.debug('sleep', 5_000, { timeoutMs: 50 })).rejects.toThrow(/timed out after 50 ms/);
   */
  debug(action: DebugAction, arg = 0, options: Omit<CallOptions, 'mode' | 'threshold'> = {}): Promise<number> {
    return this.#run('debug', [(api) => api.debug(action, arg)], options).then((results) => results[0] as number);
  }

  /**
   * A snapshot of the workers and the queue.
   *
   * @example
   * pool.stats(); // { size: 2, workers: 2, busy: 1, queued: 0, active: 1, started: 2, replaced: 0, closed: false }
   */
  stats(): PoolStats {
    let busy = 0;
    for (const slot of this.#slots) if (slot.job) busy++;
    return {
      size: this.size,
      workers: this.#slots.size,
      busy,
      queued: this.#waiting.size,
      active: this.#active.size,
      started: this.#started,
      replaced: this.#replaced,
      closed: this.#closed,
    };
  }

  /**
   * Rejects every pending call with a `closed` ComputeError and terminates every worker.
   * Idempotent; later calls reject.
   *
   * @example
   * await pool.close();
   */
  close(): Promise<void> {
    if (this.#closing) return this.#closing;
    this.#closed = true;
    for (const call of [...this.#active]) this.#settle(call, closedError(call.pass));
    this.#queue = [];
    const exits = [...this.#slots].map((slot) => {
      slot.retired = true;
      return slot.worker.terminate();
    });
    this.#slots.clear();
    this.#buffers.clear();
    this.#closing = Promise.allSettled(exits).then(() => undefined);
    return this.#closing;
  }

  #inline(options: CallOptions, size: number, threshold: number): boolean {
    const mode = options.mode ?? 'auto';
    return mode === 'inline' || (mode === 'auto' && size < threshold);
  }

  async #runInline<T>(pass: PassName, options: CallOptions, work: () => T): Promise<T> {
    if (this.#closed) throw closedError(pass);
    if (options.signal?.aborted) throw abortedError(pass, options.signal, 'before it started');
    return work();
  }

  /** Queues one job per task; resolves with their results in order once all are done. */
  #run(pass: PassName, tasks: readonly ((api: Remote<WorkerApi>) => Promise<unknown>)[], options: CallOptions): Promise<unknown[]> {
    return new Promise<unknown[]>((resolve, reject) => {
      if (this.#closed) return reject(closedError(pass));
      const { signal } = options;
      if (signal?.aborted) return reject(abortedError(pass, signal, 'before it started'));
      if (tasks.length === 0) return resolve([]);
      const wouldWait = this.#queue.length > 0 || this.#freeWorkers() < tasks.length;
      if (wouldWait && this.#waiting.size >= this.maxQueue) {
        return reject(
          new ComputeError('queue-full', pass, `${pass}: the compute queue is full (${this.#waiting.size} calls waiting, maxQueue ${this.maxQueue}); retry later`, {
            retryAfterSeconds: 1,
          }),
        );
      }

      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const call: Call = {
        pass,
        results: new Array(tasks.length),
        remaining: tasks.length,
        queued: tasks.length,
        running: new Set(),
        settled: false,
        resolve,
        reject,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          if (onAbort) signal?.removeEventListener('abort', onAbort);
        },
      };
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          const where = call.running.size > 0 ? 'its worker was terminated and replaced' : 'it was still waiting in the queue';
          this.#cancel(call, new ComputeError('timeout', pass, `${pass} timed out after ${timeoutMs} ms; ${where}`));
        }, timeoutMs);
        // The workers hold the process open while they compute; the timer alone need not.
        timer.unref();
      }
      if (signal) {
        onAbort = () => this.#cancel(call, abortedError(pass, signal, call.running.size > 0 ? 'while running; its worker was terminated and replaced' : 'while queued'));
        signal.addEventListener('abort', onAbort, { once: true });
      }
      this.#active.add(call);
      this.#waiting.add(call);
      tasks.forEach((run, index) => this.#queue.push({ call, index, run }));
      this.#dispatch();
    });
  }

  #freeWorkers(): number {
    let idle = 0;
    for (const slot of this.#slots) if (!slot.job) idle++;
    return idle + this.size - this.#slots.size;
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let slot: Slot | undefined;
      for (const candidate of this.#slots) {
        if (!candidate.job && (!slot || (candidate.isReady && !slot.isReady))) slot = candidate;
      }
      slot ??= this.#slots.size < this.size ? this.#spawn() : undefined;
      if (!slot) return;
      this.#start(slot, this.#queue.shift()!);
    }
  }

  #start(slot: Slot, job: Job): void {
    const { call } = job;
    if (--call.queued === 0) this.#waiting.delete(call);
    slot.job = job;
    call.running.add(slot);
    slot.worker.ref();
    let pending: Promise<unknown>;
    try {
      pending = job.run(slot.api);
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => this.#finished(slot, job, { result }),
      (error: unknown) => this.#finished(slot, job, { error }),
    );
  }

  #finished(slot: Slot, job: Job, outcome: { result: unknown } | { error: unknown }): void {
    // A slot that was terminated (timeout, abort, crash) has already answered for its job.
    if (slot.job !== job) return;
    slot.job = undefined;
    slot.worker.unref();
    const { call } = job;
    call.running.delete(slot);
    if (!call.settled) {
      if ('error' in outcome) {
        this.#settle(call, workerError(call.pass, outcome.error));
      } else {
        call.results[job.index] = outcome.result;
        if (--call.remaining === 0) this.#settle(call);
      }
    }
    this.#dispatch();
  }

  /** Resolves (no error) or rejects a call once, dropping its queued jobs. */
  #settle(call: Call, error?: unknown): void {
    if (call.settled) return;
    call.settled = true;
    call.cleanup();
    this.#active.delete(call);
    if (call.queued > 0) {
      this.#queue = this.#queue.filter((job) => job.call !== call);
      call.queued = 0;
      this.#waiting.delete(call);
    }
    if (error === undefined) call.resolve(call.results);
    else call.reject(error);
  }

  /** Timeout or abort: a computation cannot be interrupted, so its workers are terminated and replaced. */
  #cancel(call: Call, error: ComputeError): void {
    if (call.settled) return;
    const running = [...call.running];
    this.#settle(call, error);
    for (const slot of running) this.#retire(slot);
    this.#dispatch();
  }

  #retire(slot: Slot): void {
    if (slot.retired) return;
    slot.retired = true;
    slot.job = undefined;
    this.#slots.delete(slot);
    slot.worker.terminate().catch(() => {});
    this.#replaced++;
    if (!this.#closed) this.#spawn();
  }

  #spawn(): Slot {
    const worker = new Worker(BOOTSTRAP, { name: `chainrule-compute-${this.#nextId}`, execArgv: workerExecArgv() });
    worker.unref();
    let markReady!: () => void;
    let failReady!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    ready.catch(() => {});
    const slot: Slot = {
      id: this.#nextId++,
      worker,
      api: wrap<WorkerApi>(nodeEndpoint(worker)),
      ready,
      job: undefined,
      retired: false,
      isReady: false,
      lastError: undefined,
    };
    this.#slots.add(slot);
    this.#started++;
    worker.on('error', (error) => {
      slot.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    });
    worker.on('messageerror', (error) => {
      slot.lastError = `a message could not be deserialized (${error.message})`;
      this.#lost(slot, undefined);
    });
    worker.once('exit', (code) => {
      failReady(new ComputeError('crashed', 'debug', `worker exited with code ${code} before it was ready`));
      this.#lost(slot, code);
    });
    slot.api.ready().then(
      () => {
        slot.isReady = true;
        markReady();
      },
      () => {},
    );
    return slot;
  }

  /** A worker died on its own (uncaught error, process.exit, out of memory) or broke its channel. */
  #lost(slot: Slot, exitCode: number | undefined): void {
    if (slot.retired) return;
    const job = slot.job;
    const wasReady = slot.isReady;
    slot.retired = true;
    slot.job = undefined;
    this.#slots.delete(slot);
    if (exitCode === undefined) slot.worker.terminate().catch(() => {});
    if (this.#closed) return;
    this.#replaced++;
    if (job && !job.call.settled) {
      const why = slot.lastError ?? `it exited with code ${exitCode}`;
      this.#settle(job.call, new ComputeError('crashed', job.call.pass, `${job.call.pass} failed: the worker crashed (${why}); it was replaced`));
    }
    // A worker that never became ready is not replaced eagerly, so a broken start cannot loop;
    // queued work still starts one on demand.
    if (wasReady && this.#slots.size < this.size) this.#spawn();
    this.#dispatch();
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** `out` must have the result's shape and must not share memory with an operand (gemm's C must not overlap A or B). */
function checkOut(a: Tensor, b: Tensor, out: Tensor, dims: ReturnType<typeof matmulDims>): void {
  const shape = dims?.shape ?? matmul(a, b).shape;
  if (out.shape.length !== shape.length || out.shape.some((e, i) => e !== shape[i])) {
    throw new ShapeError('matmul', [a.shape, b.shape, out.shape], `out must have the shape of the product, ${describeShape(shape)}`);
  }
  const overlaps = (t: Tensor) =>
    t.data.buffer === out.data.buffer &&
    t.data.byteOffset < out.data.byteOffset + out.data.byteLength &&
    out.data.byteOffset < t.data.byteOffset + t.data.byteLength;
  if (overlaps(a) || overlaps(b)) throw new ShapeError('matmul', [a.shape, b.shape, out.shape], 'out must not share memory with an operand');
}

function closedError(pass: PassName): ComputeError {
  return new ComputeError('closed', pass, `${pass}: the compute pool is closed`);
}

function abortedError(pass: PassName, signal: AbortSignal, when: string): ComputeError {
  return new ComputeError('aborted', pass, `${pass} was aborted ${when}`, { cause: signal.reason });
}

/** An error thrown by the computation itself in a worker: a fault of the input stays as it is. */
function workerError(pass: PassName, error: unknown): unknown {
  if (error instanceof ChainruleError) return error;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ChainruleError('internal', `${pass} failed in a worker: ${message}`, {}, { cause: error });
}

/** m, n, k and the result shape of `matmul(a, b)`, or undefined for a scalar operand (which is just a product). */
function matmulDims(a: Tensor, b: Tensor): { m: number; n: number; k: number; shape: Shape } | undefined {
  if (a.rank === 0 || b.rank === 0) return undefined;
  const m = a.rank === 2 ? a.shape[0]! : 1;
  const k = a.shape[a.rank - 1]!;
  const kb = b.shape[0]!;
  const n = b.rank === 2 ? b.shape[1]! : 1;
  if (k !== kb) throw new ShapeError('matmul', [a.shape, b.shape], `inner dimensions ${k} and ${kb} differ`);
  const shape = a.rank === 2 ? (b.rank === 2 ? [m, n] : [m]) : b.rank === 2 ? [n] : [];
  return { m, n, k, shape };
}

interface CheckedParameter {
  label: string;
  value: Tensor;
  checked: Tensor;
}

function checkedParameter(
  solved: SolvedProblem,
  name: string,
  index: number,
  overrides: Readonly<Record<string, NestedArray>> | undefined,
): CheckedParameter {
  const { graph, values } = solved;
  const resolve = (n: string) => (graph.has(n) ? n : canonicalName(n).key);
  const key = resolve(name);
  const node = graph.node(key);
  if (node.expression) {
    throw new ChainruleError('problem', `'${name}' is computed by an equation; a gradient check can only perturb given values`, { path: ['wrt', index] });
  }
  const value = values.get(key)!;
  let checked: Tensor | undefined;
  for (const [given, gradient] of Object.entries(overrides ?? {})) {
    if (resolve(given) !== key) continue;
    checked = tensor(gradient);
    if (checked.size !== value.size) {
      throw new ChainruleError('shape', `the gradient given for '${given}' has shape ${describeShape(checked.shape)}, the parameter ${describeShape(value.shape)}`, {
        path: ['gradients', given],
      });
    }
  }
  if (!checked) {
    const gradientNode = solved.gradientGraph.nodes.find((n) => n.gradient?.wrt === key && n.gradient?.of === graph.loss);
    checked = gradientNode ? values.get(gradientNode.id)! : new Tensor(new Float64Array(value.size), value.shape);
  }
  return { label: node.label, value, checked };
}

function assembleBatch(labels: readonly string[], chunks: readonly BatchChunkResult[], ranOn: BatchResult['ranOn']): BatchResult {
  const items: BatchItemResult[] = [];
  const sums = new Map<number, { shape: number[]; sum: Float64Array } | null>();
  let lossSum = 0;
  for (const chunk of chunks) {
    let offset = 0;
    chunk.errors.forEach((error, i) => {
      if (error) {
        items.push({ ok: false, error: error.message, code: error.code });
        return;
      }
      const gradients: Record<string, number | number[] | number[][]> = {};
      chunk.shapes[i]!.forEach((shape, p) => {
        const size = shape.reduce((s, e) => s * e, 1);
        const data = chunk.data.subarray(offset, offset + size);
        offset += size;
        gradients[labels[p]!] = fromFlat(data, shape).toArray();
        const acc = sums.get(p);
        if (acc === undefined) sums.set(p, { shape, sum: data.slice() });
        else if (acc !== null) {
          if (acc.shape.length === shape.length && acc.shape.every((e, d) => e === shape[d])) for (let j = 0; j < size; j++) acc.sum[j]! += data[j]!;
          else sums.set(p, null);
        }
      });
      lossSum += chunk.losses[i]!;
      items.push({ ok: true, loss: chunk.losses[i]!, gradients });
    });
  }
  const succeeded = items.filter((item) => item.ok).length;
  const meanGradients: BatchResult['meanGradients'] = {};
  for (const [p, acc] of sums) {
    if (acc) meanGradients[labels[p]!] = fromFlat(acc.sum.map((v) => v / succeeded), acc.shape).toArray();
  }
  return { items, succeeded, failed: items.length - succeeded, meanLoss: succeeded > 0 ? lossSum / succeeded : Number.NaN, meanGradients, ranOn };
}
