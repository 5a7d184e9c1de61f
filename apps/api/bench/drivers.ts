/**
 * What the load bench drives the server with: the server in a child process, autocannon runs,
 * closed loops of heavy requests, a loop replaying the hostile corpus, and the CPU-noise probe.
 * The loops keep the bench process light (bodies encoded once, answers drained, not parsed), so
 * autocannon's latencies measured in the same process are the server's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon, { type Options, type Result } from 'autocannon';
import { DEEP_SITES, NAMED_REQUESTS, PROTOTYPE_NAMES, deepBodies, withName } from '../src/hostile/corpus.ts';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The server as `pnpm api` starts it (`node --import tsx src/server.ts`, default pools), on a free loopback port. */
export async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const child = spawn(process.execPath, ['--conditions=@chainrule/source', '--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) {
        clearInterval(timer);
        resolve(match[1]!);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`the server exited with code ${child.exitCode}: ${output}`));
      }
    }, 20);
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

export interface Health {
  heavyInFlight: { current: number; limit: number };
  compute: { size: number; workers: number; busy: number; queued: number };
  tasks: { size: number; workers: number; busy: number; queued: number };
}

export const health = async (url: string): Promise<Health> => (await (await fetch(`${url}/health`)).json()) as Health;

/** One autocannon run, as a row of the table. */
export interface Row {
  name: string;
  connections: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  completed: number;
  errors: number;
  timeouts: number;
  resets: number;
  non2xx: number;
  statuses: Record<string, number>;
}

export async function load(
  name: string,
  options: { url: string; connections: number; duration: number; overallRate?: number; method?: string; headers?: Record<string, string>; body?: string; requests?: Options['requests'] },
): Promise<Row> {
  const result: Result = await autocannon({ timeout: 10, ...options });
  return {
    name,
    connections: result.connections,
    // The total over the duration: `requests.average` is per one-second sample and drops a partial last second.
    requestsPerSecond: result['2xx'] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    completed: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    resets: result.resets,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [status, count])),
  };
}

/** Errors, timeouts, resets and non-2xx answers of a run. */
export const dropped = (row: Row) => row.errors + row.timeouts + row.resets + row.non2xx;

/** What a closed loop of requests got back. */
export interface LoopStats {
  /** Answers by status; `overloaded` and `timeout` split the 503s by their problem code. */
  statuses: Map<string, number>;
  /** 200s answered while the window was open (see {@link closedLoops}). */
  okInWindow: number;
  /** Time to answer of each 503 `overloaded`, ms. */
  overloadedMs: number[];
  /** Fetch failures (connection errors). */
  failed: number;
  /** Why they failed, by message. */
  failures: Map<string, number>;
  /** The length of the window, s. */
  windowSeconds: number;
}

const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** The status of an answer, with 503s told apart by their problem code (`503 overloaded`, `503 timeout`). */
async function statusOf(res: Response): Promise<string> {
  if (res.status !== 503) {
    await res.arrayBuffer();
    return String(res.status);
  }
  const text = await res.text();
  return `503 ${/"code":"([\w-]+)"/.exec(text)?.[1] ?? '?'}`;
}

/**
 * `loops` clients, each sending `body` to `path` back to back for `seconds`; a 503 `overloaded` is
 * retried after `retryMs` (default 200 ms, five times sooner than the 1 s Retry-After asks: the
 * offered load stays `loops` in flight). Much sooner retries measure the load generator instead:
 * at 0–20 ms, twelve refused clients spin this process and the server's event loop at hundreds of
 * refusals a second, on the same two cores the workers need. Counts the 200s answered within the
 * window, so that requests still in flight when it closes are not counted as goodput.
 */
export async function closedLoops(url: string, path: string, body: string, loops: number, seconds: number, retryMs = 200): Promise<LoopStats> {
  const stats: LoopStats = { statuses: new Map(), okInWindow: 0, overloadedMs: [], failed: 0, failures: new Map(), windowSeconds: seconds };
  const start = performance.now();
  const end = start + seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const sent = performance.now();
      try {
        const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const status = await statusOf(res);
        count(stats.statuses, status);
        if (status === '200' && performance.now() <= end) stats.okInWindow++;
        if (status === '503 overloaded') {
          stats.overloadedMs.push(performance.now() - sent);
          await sleep(retryMs);
        }
      } catch (error) {
        stats.failed++;
        count(stats.failures, failureText(error));
      }
    }
  };
  await Promise.all(Array.from({ length: loops }, loop));
  return stats;
}

/** A fetch failure in words: undici's message and the cause's code (`other side closed`, `ECONNRESET`). */
export function failureText(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return [error instanceof Error ? error.message : String(error), cause?.code ?? cause?.message].filter(Boolean).join(': ');
}

/** Every request of the hostile corpus: deep JSON at every site, every prototype name at every place a name goes. */
export function hostileRequests(): { method: string; path: string; body?: string }[] {
  const deep = DEEP_SITES.flatMap(({ url, before, after }) => deepBodies(before, after).map(({ text }) => ({ method: 'POST', path: url, body: text })));
  const named = NAMED_REQUESTS.flatMap((request) =>
    PROTOTYPE_NAMES.map((name) => ({ method: request.method, path: withName(request.url, name), ...(request.body === undefined ? {} : { body: withName(request.body, name) }) })),
  );
  return [...deep, ...named];
}

/** Replays the hostile corpus, round after round, until stopped; counts the answers by status. */
export function hostileLoop(url: string) {
  const requests = hostileRequests();
  const statuses = new Map<string, number>();
  const failures = new Map<string, number>();
  let failed = 0;
  let running = true;
  const done = (async () => {
    for (let i = 0; running; i = (i + 1) % requests.length) {
      const { method, path, body } = requests[i]!;
      try {
        const res = await fetch(`${url}${path}`, { method, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }) });
        count(statuses, await statusOf(res));
      } catch (error) {
        failed++;
        count(failures, failureText(error));
      }
    }
  })();
  return {
    corpusSize: requests.length,
    async stop() {
      running = false;
      await done;
      return { statuses, failed, failures };
    },
  };
}

/** The p-th percentile of a list (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
