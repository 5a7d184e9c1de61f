/**
 * The queue of a pool: calls made of jobs, admission against `maxQueue`, the per-call timeout and
 * abort signal, and the dispatch of jobs to idle workers. A call settles once — with every job's
 * result in order, or with the first failure — and a settled call's queued jobs are dropped.
 */
import type { Remote } from './comlink.ts';
import { ChainruleError } from '@chainrule/tensor';
import { ComputeError, type PassName } from './errors.ts';
import { type WorkerHost, type WorkerSource, describeError } from './host.ts';
import type { WorkerApi } from './worker-api.ts';
import { type Slot, Workers } from './workers.ts';

/** One piece of work for one worker. */
export type JobRun = (api: Remote<WorkerApi>) => Promise<unknown>;

/** What every call may say about its cancellation. */
export interface QueueOptions {
  signal?: AbortSignal | undefined;
  /** Overrides the pool's timeout for this call; 0 or Infinity: none. */
  timeoutMs?: number | undefined;
}

interface Job {
  readonly call: Call;
  readonly index: number;
  readonly run: JobRun;
}

interface Call {
  readonly pass: PassName;
  readonly results: unknown[];
  remaining: number;
  queued: number;
  readonly running: Set<Slot<Job>>;
  settled: boolean;
  resolve(results: unknown[]): void;
  reject(error: unknown): void;
  cleanup(): void;
}

/**
 * Calls waiting for and running on the workers of one pool.
 *
 * @example
 * const queue = new CallQueue({ size: 2, maxQueue: 64, timeoutMs: 60_000, host: defaultHost });
 * const [a, b] = await queue.run('task', [(api) => api.task(url, 'x', 1), (api) => api.task(url, 'x', 2)], { signal });
 */
export class CallQueue {
  readonly workers: Workers<Job>;
  #queue: Job[] = [];
  readonly #waiting = new Set<Call>();
  readonly #active = new Set<Call>();
  #closed = false;

  constructor(private readonly options: { size: number; maxQueue: number; timeoutMs: number; host: WorkerHost; worker?: WorkerSource | undefined }) {
    this.workers = new Workers<Job>(options.size, options.host, options.worker, {
      lost: (_slot, job, why, started) => {
        if (job && !job.call.settled) {
          job.call.running.delete(_slot);
          const { pass } = job.call;
          const message = started ? `${pass} failed: the worker crashed (${why}); it was replaced` : `${pass} failed: a worker failed to start (${why})`;
          this.#settle(job.call, new ComputeError('crashed', pass, message));
        }
        this.#dispatch();
      },
    });
  }

  /** Calls with work waiting for a worker. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /** Calls accepted and not yet settled. */
  get active(): number {
    return this.#active.size;
  }

  /** Queues one job per entry of `jobs`; resolves with their results in order once all are done. */
  run(pass: PassName, jobs: readonly JobRun[], options: QueueOptions = {}): Promise<unknown[]> {
    return new Promise<unknown[]>((resolve, reject) => {
      if (this.#closed) return reject(closedError(pass));
      const { signal } = options;
      if (signal?.aborted) return reject(abortedError(pass, signal, 'before it started'));
      if (jobs.length === 0) return resolve([]);
      const wouldWait = this.#queue.length > 0 || this.workers.free() < jobs.length;
      if (wouldWait && this.#waiting.size >= this.options.maxQueue) {
        return reject(
          new ComputeError('queue-full', pass, `${pass}: the compute queue is full (${this.#waiting.size} calls waiting, maxQueue ${this.options.maxQueue}); retry later`, {
            retryAfterSeconds: 1,
          }),
        );
      }

      let timer: ReturnType<typeof setTimeout> | undefined;
      let onAbort: (() => void) | undefined;
      const call: Call = {
        pass,
        results: new Array(jobs.length),
        remaining: jobs.length,
        queued: jobs.length,
        running: new Set(),
        settled: false,
        resolve,
        reject,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          if (onAbort) signal?.removeEventListener('abort', onAbort);
        },
      };
      const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
      if (timeoutMs > 0 && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          const where = call.running.size > 0 ? 'its worker was terminated and replaced' : 'it was still waiting in the queue';
          this.#cancel(call, new ComputeError('timeout', pass, `${pass} timed out after ${timeoutMs} ms; ${where}`));
        }, timeoutMs);
        // The workers hold the process open while they compute; the timer alone need not (Node only).
        (timer as { unref?: () => void }).unref?.();
      }
      if (signal) {
        onAbort = () => this.#cancel(call, abortedError(pass, signal, call.running.size > 0 ? 'while running; its worker was terminated and replaced' : 'while queued'));
        signal.addEventListener('abort', onAbort, { once: true });
      }
      this.#active.add(call);
      this.#waiting.add(call);
      jobs.forEach((run, index) => this.#queue.push({ call, index, run }));
      this.#dispatch();
    });
  }

  /** Rejects every pending call with a `closed` ComputeError and terminates the workers. */
  close(): Promise<void> {
    this.#closed = true;
    for (const call of [...this.#active]) this.#settle(call, closedError(call.pass));
    this.#queue = [];
    return this.workers.close();
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#closed) {
      let slot: Slot<Job> | undefined;
      try {
        slot = this.workers.acquire();
      } catch (error) {
        // No worker can be started here (no Worker constructor, a bad worker URL): nothing queued can run.
        for (const call of new Set(this.#queue.map((job) => job.call))) this.#settle(call, new ComputeError('crashed', call.pass, `${call.pass} failed: a worker could not be started (${describeError(error)})`, { cause: error }));
        return;
      }
      if (!slot) return;
      this.#start(slot, this.#queue.shift()!);
    }
  }

  #start(slot: Slot<Job>, job: Job): void {
    const { call } = job;
    if (--call.queued === 0) this.#waiting.delete(call);
    this.workers.assign(slot, job);
    call.running.add(slot);
    let pending: Promise<unknown>;
    try {
      // A worker still starting (or importing the task modules of `warmup`) takes the job once ready.
      pending = slot.isReady ? job.run(slot.api) : slot.ready.then(() => job.run(slot.api));
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (result) => this.#finished(slot, job, { result }),
      (error: unknown) => this.#finished(slot, job, { error }),
    );
  }

  #finished(slot: Slot<Job>, job: Job, outcome: { result: unknown } | { error: unknown }): void {
    // A slot that was terminated (timeout, abort, crash) has already answered for its job.
    if (slot.job !== job) return;
    this.workers.release(slot);
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
    for (const slot of running) this.workers.retire(slot);
    this.#dispatch();
  }
}

/** The error of a call on a closed pool. @example throw closedError('matmul') */
export function closedError(pass: PassName): ComputeError {
  return new ComputeError('closed', pass, `${pass}: the compute pool is closed`);
}

/** The error of a call whose signal aborted. @example throw abortedError('matmul', signal, 'before it started') */
export function abortedError(pass: PassName, signal: AbortSignal, when: string): ComputeError {
  return new ComputeError('aborted', pass, `${pass} was aborted ${when}`, { cause: signal.reason });
}

/** An error thrown by the computation itself in a worker: a fault of the input stays as it is. */
function workerError(pass: PassName, error: unknown): unknown {
  if (error instanceof ChainruleError) return error;
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ChainruleError('internal', `${pass} failed in a worker: ${message}`, {}, { cause: error });
}
