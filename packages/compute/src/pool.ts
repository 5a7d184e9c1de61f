import { type MatmulShape, Tensor, matmul, matmulShape } from '@chainrule/tensor';
import { defaultHost } from '#worker-host';
import { transfer } from './comlink.ts';
import type { WorkerSource } from './worker-source.ts';
import { CallQueue, type JobRun, type QueueOptions, abortedError, closedError } from './queue.ts';
import type { PassName } from './errors.ts';
import { checkOut, isShared, splitRange, transferables } from './passes.ts';
import { SharedBuffers } from './shared-buffers.ts';
import { MATMUL_POOL_THRESHOLD } from './thresholds.ts';
import type { DebugAction } from './worker-api.ts';

/** Default `PoolOptions.maxQueue`. @example createPool({ maxQueue: DEFAULT_MAX_QUEUE / 4 }) */
export const DEFAULT_MAX_QUEUE = 64;
/** Default `PoolOptions.timeoutMs`: one minute per call. @example createPool({ timeoutMs: DEFAULT_TIMEOUT_MS / 6 }) */
export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Options of {@link createPool}.
 *
 * @example
 * createPool({ size: 2, maxQueue: 16, timeoutMs: 10_000, matmulThreshold: 1_000_000 });
 * createPool({ worker: new URL('./compute-worker.js', import.meta.url) }); // a page's bundled worker
 */
export interface PoolOptions {
  /**
   * Number of workers (default: `os.availableParallelism()` on Node, `navigator.hardwareConcurrency`
   * in a browser). Workers start on first use.
   */
  size?: number;
  /** How many calls may wait for a worker; one more is rejected with a `queue-full` ComputeError (default 64). */
  maxQueue?: number;
  /** Default per-call timeout in ms, counted from the call (queue time included); 0 or Infinity: none (default 60 000). */
  timeoutMs?: number;
  /** Multiply-adds from which a matmul leaves the calling thread (default {@link MATMUL_POOL_THRESHOLD}). */
  matmulThreshold?: number;
  /**
   * Browser only: where the Web Workers start from — the URL of a module that imports
   * `@chainrule/compute/worker` (a bundled page's own worker entry), or a function that starts
   * such a worker (`() => new Worker(new URL('./compute-worker.ts', import.meta.url), { type: 'module' })`).
   * Default: `worker-browser.js` beside the package's own module — right only where the package's
   * files are served as they are and their imports resolve inside a worker; a bundled page
   * passes its worker, else its first call fails with a `crashed` error naming this option. On
   * Node the pool always starts its own worker module; passing this is a TypeError.
   */
  worker?: WorkerSource;
  /**
   * Whether matmul operands and results live on SharedArrayBuffers the workers read and write in
   * place (default: wherever they exist — always on Node, in a page only when it is cross-origin
   * isolated). Without shared memory each worker gets copies of its rows of A and of B, and sends
   * its rows of C back (transferred, not copied); results then lie on ordinary ArrayBuffers.
   * `true` where SharedArrayBuffer is unavailable is a RangeError.
   */
  sharedMemory?: boolean;
}

/**
 * Options every call takes.
 *
 * @example
 * await pool.task(url, 'render', input, { signal: AbortSignal.timeout(5_000) });
 */
export interface CallOptions {
  /** Cancels the call: a queued call leaves the queue, a running one has its workers terminated (and replaced). */
  signal?: AbortSignal | undefined;
  /** Overrides the pool's `timeoutMs` for this call. */
  timeoutMs?: number | undefined;
}

/**
 * Options of {@link ComputePool.task} and {@link ComputePool.tasks}.
 *
 * @example
 * await pool.tasks(url, 'chunk', chunks, { name: 'batch', transfer: true, signal });
 */
export interface TaskOptions extends CallOptions {
  /** What the call is named in its errors (`batch timed out after …`); the task's name by default. */
  name?: string;
  /**
   * Move typed arrays instead of copying them: those of each input (which are detached in the
   * caller) and those the task's answer owns (at its top or one level down). For tasks that make
   * fresh arrays, such as packed chunks of numbers.
   */
  transfer?: boolean;
}

/**
 * Options of {@link ComputePool.matmul}.
 *
 * @example
 * const c = await pool.matmul(a, b);
 * await pool.matmul(a, b2, { out: c }); // reuses c's shared memory
 */
export interface MatmulOptions extends CallOptions {
  /** `auto` (default) compares m·n·k with the threshold; `inline` and `pool` force a path. */
  mode?: 'auto' | 'inline' | 'pool';
  /** Overrides the pool's matmul threshold for this call. */
  threshold?: number;
  /**
   * Write the product into this tensor (of the result's shape) and return it, as `gemm` writes
   * into C. On a SharedArrayBuffer (a previous result of the pool, say) the workers write into it
   * directly, which spares allocating and faulting in fresh memory; otherwise it is filled by a copy.
   * After a call that failed (timeout, abort, crash) its contents are unspecified.
   */
  out?: Tensor;
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

/**
 * What a task module's owner needs of a pool: `split` (to share work out), `task` and `tasks`.
 * Domain packages take one of these as a type only — they import nothing of this package at run
 * time, so they stay usable in a browser — and a test can hand them a stand-in.
 *
 * @example
 * function gradientCheck(problem: Problem, options: { pool?: TaskPool } = {}) { … }
 */
export type TaskPool = Pick<ComputePool, 'size' | 'split' | 'task' | 'tasks'>;

/**
 * A pool of worker threads spoken to only through Comlink: a shared-buffer matmul, and task
 * modules of other packages (`TASKS[name](input)` of a module URL) run on the same queue, with
 * the same timeouts and abort signals. Create it with {@link createPool} or use the shared
 * {@link getDefaultPool}.
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
  readonly matmulThreshold: number;
  /** Whether matmul shares memory with the workers (see {@link PoolOptions.sharedMemory}). */
  readonly sharedMemory: boolean;
  /** Where the workers run: `node` (worker_threads) or `browser` (Web Workers). */
  readonly platform: 'node' | 'browser';

  readonly #queue: CallQueue;
  readonly #buffers = new SharedBuffers();
  #closed = false;
  #closing: Promise<void> | undefined;

  constructor(options: PoolOptions = {}) {
    const host = defaultHost;
    this.platform = host.platform;
    this.size = positiveInteger(options.size ?? host.parallelism(), 'size');
    this.maxQueue = Math.max(0, Math.floor(options.maxQueue ?? DEFAULT_MAX_QUEUE));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.matmulThreshold = options.matmulThreshold ?? MATMUL_POOL_THRESHOLD;
    if (options.worker !== undefined && host.platform === 'node') {
      throw new TypeError('createPool: `worker` is for browsers; on Node the pool starts its own worker module');
    }
    const shared = host.sharedMemory();
    if (options.sharedMemory === true && !shared) {
      throw new RangeError('createPool: sharedMemory is unavailable here (a page must be cross-origin isolated to use SharedArrayBuffer)');
    }
    this.sharedMemory = options.sharedMemory ?? shared;
    this.#queue = new CallQueue({ size: this.size, maxQueue: this.maxQueue, timeoutMs: this.timeoutMs, host, worker: options.worker });
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * C = A·B. From `matmulThreshold` multiply-adds on, row blocks of C are computed by the
   * workers with the tensor kernel `gemm` on SharedArrayBuffer views (A's block, all of B, C's
   * block) — or, without shared memory (a page that is not cross-origin isolated), on copies of
   * A's block and B, each worker sending its block of C back; smaller products, and those with a
   * single row, run inline. Same shapes, values and errors as `matmul` of the tensor package. A
   * result from the shared pool lies on a SharedArrayBuffer (no copy is made; it is shared, not
   * transferable — `.slice()` it to transfer it), and is used without a copy when passed to
   * `matmul` again.
   *
   * @example
   * const c = await pool.matmul(randomMatrix(1024, 1024), randomMatrix(1024, 1024));
   */
  async matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Promise<Tensor> {
    // The tensor's one shape rule (column vectors): the same shapes, and the same errors, as `matmul`.
    const dims = matmulShape(a.shape, b.shape);
    const { out } = options;
    if (out) checkOut(a, b, out, dims);
    const mode = options.mode ?? 'auto';
    const threshold = options.threshold ?? this.matmulThreshold;
    if (a.rank === 0 || b.rank === 0 || dims.m < 2 || mode === 'inline' || (mode === 'auto' && dims.m * dims.n * dims.k < threshold)) {
      this.#checkOpen('matmul', options);
      if (!out) return matmul(a, b);
      out.data.set(matmul(a, b).data);
      return out;
    }
    if (!this.sharedMemory) return this.#matmulCopied(a, b, dims, options);
    const { m, n, k, shape } = dims;
    const [sa, aOffset, aStaged] = this.#stage(a.data);
    const [sb, bOffset, bStaged] = this.#stage(b.data);
    // Without a shared `out`, C is fresh memory and becomes the result: the workers fault its pages in, in parallel.
    const direct = out !== undefined && isShared(out.data.buffer);
    const sc = direct ? (out.data.buffer as SharedArrayBuffer) : new SharedArrayBuffer(m * n * 8);
    const cOffset = direct ? out.data.byteOffset / 8 : 0;
    const jobs = splitRange(m, this.size).map(
      ([rowStart, rowEnd]): JobRun =>
        (api) =>
          api.matmulRows({ a: sa, b: sb, c: sc, aOffset, bOffset, cOffset, m, n, k, rowStart, rowEnd }),
    );
    try {
      await this.#queue.run('matmul', jobs, options);
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

  /** The matmul without shared memory: each job carries copies of its rows of A and of B (moved, not cloned), and moves its rows of C back. */
  async #matmulCopied(a: Tensor, b: Tensor, dims: MatmulShape, options: MatmulOptions): Promise<Tensor> {
    const { m, n, k, shape } = dims;
    const ranges = splitRange(m, this.size);
    const jobs = ranges.map(([rowStart, rowEnd]): JobRun => {
      const aRows = a.data.slice(rowStart * k, rowEnd * k);
      const bAll = b.data.slice(0, k * n);
      return (api) => api.matmulBlock(transfer({ a: aRows, b: bAll, rows: rowEnd - rowStart, n, k }, [aRows.buffer, bAll.buffer]));
    });
    const blocks = (await this.#queue.run('matmul', jobs, options)) as Float64Array[];
    const result = options.out?.data ?? new Float64Array(m * n);
    blocks.forEach((block, i) => result.set(block, ranges[i]![0] * n));
    return options.out ?? new Tensor(result, shape);
  }

  /** The data on shared memory: as it is when it already is, else copied into a recycled buffer. */
  #stage(data: Float64Array): [buffer: SharedArrayBuffer, offset: number, staged: boolean] {
    if (isShared(data.buffer)) return [data.buffer, data.byteOffset / 8, false];
    const buffer = this.#buffers.acquire(data.length * 8);
    new Float64Array(buffer, 0, data.length).set(data);
    return [buffer, 0, true];
  }

  /**
   * Runs a task of a task module in a worker: `TASKS[name](input)` of the module at `module`
   * (a TypeScript module works in development: workers register tsx). Input and output travel by
   * structured clone; a `ChainruleError` thrown by the task arrives as one. This is how the
   * packages that own a kind of work (gradient checks, grading, an app's rendering) put it on
   * the pool, its queue and its timeouts.
   *
   * @example
   * const svg = await pool.task(new URL('./tasks.ts', import.meta.url), 'graph', { problem, format: 'svg' }, { signal });
   */
  async task<T = unknown>(module: URL | string, name: string, input: unknown, options: TaskOptions = {}): Promise<T> {
    const [output] = await this.tasks<T>(module, name, [input], options);
    return output!;
  }

  /**
   * The parallel form of {@link task}: one job per input, spread over the workers, answered in
   * the order of the inputs. The call settles once: with every answer, or with the first
   * failure (the other jobs are dropped; running ones finish on their own, or are terminated on
   * timeout and abort). Split large work into one input per worker with {@link split}.
   *
   * @example
   * const parts = await pool.tasks(url, 'gradientCheck', pool.split(total).map(([start, end]) => ({ problem, start, end, h })));
   */
  tasks<T = unknown>(module: URL | string, name: string, inputs: readonly unknown[], options: TaskOptions = {}): Promise<T[]> {
    const moduleUrl = String(module);
    const move = options.transfer === true;
    const jobs = inputs.map((input): JobRun => (api) => api.task(moduleUrl, name, move ? transfer(input, transferables(input)) : input, move));
    return this.#queue.run(options.name ?? name, jobs, options) as Promise<T[]>;
  }

  /**
   * Splits `total` items into one contiguous range per worker (fewer when there are fewer
   * items): how a parallel task shares its work out (see {@link splitRange}).
   *
   * @example
   * await pool.tasks(url, 'chunk', pool.split(total).map(([start, end]) => ({ problem, start, end })));
   */
  split(total: number): [start: number, end: number][] {
    return splitRange(total, this.size);
  }

  /**
   * Starts every worker now rather than on first use, and waits until they are ready. `modules`
   * are task modules each worker imports first (and every worker started later, replacements
   * included), so that no task pays for loading its module — on a loaded machine that can take
   * longer than a task's deadline. A module that fails to load fails its first task, with the reason.
   *
   * @example
   * await pool.warmup(); // before timing, or at server start
   * await pool.warmup({ modules: [new URL('./tasks.js', import.meta.url)] });
   */
  async warmup(options: { modules?: readonly (URL | string)[] } = {}): Promise<void> {
    this.#checkOpen('debug', {});
    await this.#queue.workers.warmup((options.modules ?? []).map(String));
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
  debug(action: DebugAction, arg = 0, options: CallOptions = {}): Promise<number> {
    return this.#queue.run('debug', [(api) => api.debug(action, arg) as Promise<number>], options).then((results) => results[0] as number);
  }

  /**
   * A snapshot of the workers and the queue.
   *
   * @example
   * pool.stats(); // { size: 2, workers: 2, busy: 1, queued: 0, active: 1, started: 2, replaced: 0, closed: false }
   */
  stats(): PoolStats {
    const { workers } = this.#queue;
    return {
      size: this.size,
      workers: workers.count,
      busy: workers.busy(),
      queued: this.#queue.waiting,
      active: this.#queue.active,
      started: workers.started,
      replaced: workers.replaced,
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
    this.#buffers.clear();
    this.#closing = this.#queue.close();
    return this.#closing;
  }

  #checkOpen(pass: PassName, options: QueueOptions): void {
    if (this.#closed) throw closedError(pass);
    if (options.signal?.aborted) throw abortedError(pass, options.signal, 'before it started');
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}
