/**
 * The workers of a pool: starting them through the platform's host (worker threads or Web
 * Workers), watching them (errors, undeserializable messages, exits), ref'ing them while they
 * compute and unref'ing them while idle, terminating and replacing them.
 */
import { type Remote, wrap } from './comlink.ts';
import { ComputeError } from './errors.ts';
import type { HostedWorker, WorkerHost, WorkerSource } from './host.ts';
import type { WorkerApi } from './worker-api.ts';

/** One worker and what the pool knows about it. */
export interface Slot<J = unknown> {
  readonly id: number;
  readonly worker: HostedWorker;
  readonly api: Remote<WorkerApi>;
  readonly ready: Promise<void>;
  /** The job it runs, if any. */
  job: J | undefined;
  retired: boolean;
  isReady: boolean;
  /** The last uncaught error the worker reported, for the crash message. */
  lastError: string | undefined;
}

/** How the workers tell their owner that one died on its own. */
export interface WorkerEvents<J> {
  /**
   * The worker died (uncaught error, `process.exit`, out of memory) or broke its channel, while
   * running `job` (if any); `started` says whether it had become ready (a worker that never did
   * failed to start, and is not replaced eagerly).
   */
  lost(slot: Slot<J>, job: J | undefined, why: string, started: boolean): void;
}

/**
 * The set of live workers of one pool, at most `size`.
 *
 * @example
 * const workers = new Workers(2, host, undefined, { lost: (slot, job, why) => failJob(job, why) });
 * const slot = workers.idle() ?? workers.spawn();
 */
export class Workers<J> {
  readonly #slots = new Set<Slot<J>>();
  #nextId = 1;
  #started = 0;
  #replaced = 0;
  #closed = false;
  /** Task modules every worker imports before it counts as ready (`warmup({ modules })`), replacements too. */
  readonly #modules = new Set<string>();

  constructor(
    readonly size: number,
    private readonly host: WorkerHost,
    private readonly source: WorkerSource | undefined,
    private readonly events: WorkerEvents<J>,
  ) {}

  /** Live workers (started or starting). */
  get count(): number {
    return this.#slots.size;
  }

  /** Workers started since the pool was created, replacements included. */
  get started(): number {
    return this.#started;
  }

  /** Workers terminated or lost to a crash while the pool was open. */
  get replaced(): number {
    return this.#replaced;
  }

  /** Workers with a job. */
  busy(): number {
    let busy = 0;
    for (const slot of this.#slots) if (slot.job !== undefined) busy++;
    return busy;
  }

  /** Idle workers plus the ones that may still be started. */
  free(): number {
    return this.size - this.busy();
  }

  /** An idle worker, a ready one first; else a new one while there is room; else undefined. */
  acquire(): Slot<J> | undefined {
    let slot: Slot<J> | undefined;
    for (const candidate of this.#slots) {
      if (candidate.job === undefined && (!slot || (candidate.isReady && !slot.isReady))) slot = candidate;
    }
    return slot ?? (this.#slots.size < this.size ? this.spawn() : undefined);
  }

  /** Marks a worker busy with `job`: it keeps the process alive while it computes. */
  assign(slot: Slot<J>, job: J): void {
    slot.job = job;
    slot.worker.ref();
  }

  /** Marks a worker idle: an idle worker never keeps the process alive. */
  release(slot: Slot<J>): void {
    slot.job = undefined;
    slot.worker.unref();
  }

  /** Starts every missing worker and waits until all are ready, with `modules` imported in each (and in every later worker). */
  async warmup(modules: readonly string[] = []): Promise<void> {
    const added = modules.filter((url) => !this.#modules.has(url));
    for (const url of added) this.#modules.add(url);
    const started = [...this.#slots];
    while (this.#slots.size < this.size) this.spawn();
    await Promise.all([
      ...[...this.#slots].map((slot) => slot.ready),
      // Workers started before these modules were named import them now.
      ...(added.length === 0 ? [] : started.map((slot) => slot.ready.then(() => slot.api.preload(added)))),
    ]);
  }

  /** Terminates a worker (its computation cannot be interrupted otherwise) and starts a replacement. */
  retire(slot: Slot<J>): void {
    if (slot.retired) return;
    slot.retired = true;
    slot.job = undefined;
    this.#slots.delete(slot);
    slot.worker.terminate().catch(() => {});
    this.#replaced++;
    if (!this.#closed) this.spawn();
  }

  /** Terminates every worker; resolves once they have exited. */
  close(): Promise<void> {
    this.#closed = true;
    const exits = [...this.#slots].map((slot) => {
      slot.retired = true;
      return slot.worker.terminate();
    });
    this.#slots.clear();
    return Promise.allSettled(exits).then(() => undefined);
  }

  spawn(): Slot<J> {
    const id = this.#nextId++;
    let markReady!: () => void;
    let failReady!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    ready.catch(() => {});
    // The slot exists before the worker: a host may report a failed start at once.
    let slot!: Slot<J>;
    const worker = this.host.start(
      { name: `chainrule-compute-${id}`, source: this.source },
      {
        error: (message) => {
          if (slot) slot.lastError = message;
        },
        messageerror: (message) => {
          if (!slot) return;
          slot.lastError = message;
          this.#lost(slot, undefined);
        },
        exit: (why) => {
          failReady(new ComputeError('crashed', 'debug', `the worker stopped before it was ready (${why})`));
          if (slot) this.#lost(slot, why);
        },
      },
    );
    slot = {
      id,
      worker,
      api: wrap<WorkerApi>(worker.endpoint),
      ready,
      job: undefined,
      retired: false,
      isReady: false,
      lastError: undefined,
    };
    this.#slots.add(slot);
    this.#started++;
    const modules = [...this.#modules];
    slot.api
      .ready()
      .then(() => (modules.length === 0 ? undefined : slot.api.preload(modules)))
      .then(
        () => {
          slot.isReady = true;
          markReady();
        },
        () => {},
      );
    return slot;
  }

  /** A worker is gone on its own (`why`), or must go (a broken channel: `why` undefined). */
  #lost(slot: Slot<J>, why: string | undefined): void {
    if (slot.retired) return;
    const job = slot.job;
    const wasReady = slot.isReady;
    slot.retired = true;
    slot.job = undefined;
    this.#slots.delete(slot);
    if (why === undefined) slot.worker.terminate().catch(() => {});
    if (this.#closed) return;
    this.#replaced++;
    // A worker that never became ready is not replaced eagerly, so a broken start cannot loop;
    // queued work still starts one on demand.
    if (wasReady && this.#slots.size < this.size) this.spawn();
    this.events.lost(slot, job, slot.lastError ?? why ?? 'its channel broke', wasReady);
  }
}
