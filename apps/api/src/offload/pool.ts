/**
 * A small pool of worker threads for the API's own heavy tasks (`tasks.ts`): large backprops,
 * graph exports (SVG layout takes 50–70 ms even for Question 2), reference solutions, grading.
 * The compute pool of `@chainrule/compute` has passes for matmul, gradient checks and batches
 * only; this pool covers the rest until it has them.
 *
 * A running task cannot be interrupted: on timeout or abort its worker is terminated and a new one
 * starts on demand.
 */
import { Worker } from 'node:worker_threads';
import { ChainruleError } from '@chainrule/graph';
import { apiError } from '../problem.ts';
import type { TaskName, TaskInput, TaskOutput } from './tasks.ts';
import type { TaskReply, TaskRequest } from './worker.ts';

const BOOTSTRAP = new URL('./worker-bootstrap.mjs', import.meta.url);

/** Options of {@link TaskPool}. */
export interface TaskPoolOptions {
  /** Worker threads (default 1: the compute pool already has one per core). */
  size?: number;
  /** Tasks that may wait for a worker; one more is rejected with 503 `overloaded` (default 32). */
  maxQueue?: number;
  /** Default per-task timeout in ms, queue time included (default 30 000). */
  timeoutMs?: number;
  /** Where unexpected worker errors are reported (default `console.error`). */
  log?: (message: string, error?: unknown) => void;
}

/** Options of one {@link TaskPool.run}. */
export interface RunOptions {
  /** Cancels the task: a queued one leaves the queue, a running one has its worker terminated. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** A snapshot of the pool. */
export interface TaskPoolStats {
  size: number;
  workers: number;
  busy: number;
  queued: number;
  closed: boolean;
}

interface Job {
  readonly id: number;
  readonly request: TaskRequest;
  slot: Slot | undefined;
  settled: boolean;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  cleanup(): void;
}

interface Slot {
  readonly worker: Worker;
  job: Job | undefined;
  retired: boolean;
  lastError: string | undefined;
}

/** The parent's node flags minus its tsx loader: the bootstrap registers tsx itself. */
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

/**
 * Runs tasks of `tasks.ts` in worker threads, with a bounded queue and per-task timeouts.
 *
 * @example
 * const tasks = new TaskPool({ size: 1 });
 * const { body } = await tasks.run('graph', { problem, format: 'svg', gradients: true, simplify: true }, { signal });
 * await tasks.close();
 */
export class TaskPool {
  readonly size: number;
  readonly maxQueue: number;
  readonly timeoutMs: number;
  readonly #log: (message: string, error?: unknown) => void;
  readonly #slots = new Set<Slot>();
  #queue: Job[] = [];
  #nextId = 1;
  #closed = false;

  constructor(options: TaskPoolOptions = {}) {
    this.size = Math.max(1, Math.floor(options.size ?? 1));
    this.maxQueue = Math.max(0, Math.floor(options.maxQueue ?? 32));
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.#log = options.log ?? ((message, error) => console.error(message, error ?? ''));
  }

  /**
   * Runs a task in a worker. Rejects with the task's own `ChainruleError`, or with 503 errors
   * (`overloaded` when the queue is full, `timeout`, `unavailable` once closed), or a 500
   * `internal` error when the worker crashed or the task failed unexpectedly.
   *
   * @example
   * const result = await tasks.run('backprop', { problem, round: 2 });
   */
  run<K extends TaskName>(task: K, input: TaskInput<K>, options: RunOptions = {}): Promise<TaskOutput<K>> {
    return new Promise<TaskOutput<K>>((resolve, reject) => {
      if (this.#closed) return reject(apiError('internal', 'the task pool is shutting down', { status: 503, problemType: 'unavailable', retryAfterSeconds: 1 }));
      const { signal } = options;
      if (signal?.aborted) return reject(abortReason(signal));
      if (!this.#idleSlot() && this.#slots.size >= this.size && this.#queue.length >= this.maxQueue) {
        return reject(
          apiError('limit', `the task queue is full (${this.#queue.length} tasks waiting); retry later`, { status: 503, problemType: 'overloaded', retryAfterSeconds: 1 }),
        );
      }
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const id = this.#nextId++;
      const job: Job = {
        id,
        request: { id, task, input },
        slot: undefined,
        settled: false,
        resolve: resolve as (value: unknown) => void,
        reject,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          if (onAbort) signal?.removeEventListener('abort', onAbort);
        },
      };
      const timeoutMs = options.timeoutMs ?? this.timeoutMs;
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => this.#cancel(job, apiError('limit', `${task} took longer than ${timeoutMs} ms and was stopped`, { status: 503, problemType: 'timeout' })), timeoutMs);
        timer.unref();
      }
      if (signal) {
        onAbort = () => this.#cancel(job, abortReason(signal));
        signal.addEventListener('abort', onAbort, { once: true });
      }
      this.#queue.push(job);
      this.#dispatch();
    });
  }

  /** Starts the workers now rather than on first use. @example await tasks.warmup(); */
  warmup(): void {
    while (!this.#closed && this.#slots.size < this.size) this.#spawn();
  }

  /** @example tasks.stats(); // { size: 1, workers: 1, busy: 0, queued: 0, closed: false } */
  stats(): TaskPoolStats {
    let busy = 0;
    for (const slot of this.#slots) if (slot.job) busy++;
    return { size: this.size, workers: this.#slots.size, busy, queued: this.#queue.length, closed: this.#closed };
  }

  /** Rejects pending tasks and terminates the workers. Idempotent. @example await tasks.close(); */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = () => apiError('internal', 'the task pool was closed', { status: 503, problemType: 'unavailable', retryAfterSeconds: 1 });
    for (const job of this.#queue) this.#settle(job, { error: closed() });
    this.#queue = [];
    const exits: Promise<number>[] = [];
    for (const slot of this.#slots) {
      if (slot.job) this.#settle(slot.job, { error: closed() });
      slot.retired = true;
      exits.push(slot.worker.terminate());
    }
    this.#slots.clear();
    await Promise.allSettled(exits);
  }

  #idleSlot(): Slot | undefined {
    for (const slot of this.#slots) if (!slot.job) return slot;
    return undefined;
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      const slot = this.#idleSlot() ?? (this.#slots.size < this.size ? this.#spawn() : undefined);
      if (!slot) return;
      const job = this.#queue.shift()!;
      slot.job = job;
      job.slot = slot;
      slot.worker.ref();
      slot.worker.postMessage(job.request);
    }
  }

  #spawn(): Slot {
    let worker: Worker;
    try {
      worker = new Worker(BOOTSTRAP, { name: 'chainrule-api-task', execArgv: workerExecArgv() });
    } catch (error) {
      // Some node flags are process-wide (`--trace-gc`, …) and a worker refuses them; it needs none.
      if ((error as { code?: string }).code !== 'ERR_WORKER_INVALID_EXEC_ARGV') throw error;
      worker = new Worker(BOOTSTRAP, { name: 'chainrule-api-task', execArgv: [] });
    }
    worker.unref();
    const slot: Slot = { worker, job: undefined, retired: false, lastError: undefined };
    this.#slots.add(slot);
    worker.on('message', (reply: TaskReply) => this.#reply(slot, reply));
    worker.on('error', (error) => {
      slot.lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    });
    worker.once('exit', (code) => this.#lost(slot, code));
    return slot;
  }

  #reply(slot: Slot, reply: TaskReply): void {
    const job = slot.job;
    if (!job || job.id !== reply.id) return;
    slot.job = undefined;
    slot.worker.unref();
    if (reply.ok) {
      this.#settle(job, { value: reply.value });
    } else {
      const { chainrule, message, stack } = reply.error;
      if (chainrule) {
        this.#settle(job, { error: new ChainruleError(chainrule.code, message, chainrule.location, { status: chainrule.status }) });
      } else {
        this.#log(`task ${job.request.task} failed in a worker: ${message}`, stack);
        this.#settle(job, { error: new ChainruleError('internal', `${job.request.task} failed in a worker`) });
      }
    }
    this.#dispatch();
  }

  #settle(job: Job, outcome: { value: unknown } | { error: unknown }): void {
    if (job.settled) return;
    job.settled = true;
    job.cleanup();
    if ('error' in outcome) job.reject(outcome.error);
    else job.resolve(outcome.value);
  }

  /** Timeout or abort: a queued job leaves the queue, a running one has its worker terminated. */
  #cancel(job: Job, error: unknown): void {
    if (job.settled) return;
    this.#settle(job, { error });
    const slot = job.slot;
    if (slot) {
      slot.job = undefined;
      this.#retire(slot);
    } else {
      this.#queue = this.#queue.filter((queued) => queued !== job);
    }
    this.#dispatch();
  }

  #retire(slot: Slot): void {
    if (slot.retired) return;
    slot.retired = true;
    this.#slots.delete(slot);
    void slot.worker.terminate();
  }

  /** A worker died on its own (uncaught error, out of memory). */
  #lost(slot: Slot, code: number): void {
    if (slot.retired) return;
    slot.retired = true;
    this.#slots.delete(slot);
    const job = slot.job;
    if (job && !job.settled) {
      this.#log(`a task worker died running ${job.request.task} (exit code ${code})`, slot.lastError);
      this.#settle(job, { error: new ChainruleError('internal', `${job.request.task} failed: its worker died`) });
    }
    this.#dispatch();
  }
}

/** The reason of an aborted signal as the error to reject with: our own deadline error, or an `aborted` one. */
function abortReason(signal: AbortSignal): unknown {
  if (signal.reason instanceof ChainruleError) return signal.reason;
  return apiError('internal', 'the request was aborted', { status: 499, problemType: 'aborted' });
}
