/**
 * Starts the API on a port: `pnpm api`, `PORT` (default 8787; 0 picks a free one), `HOST` (default:
 * every interface), `REQUEST_TIMEOUT_MS` and `CHAINRULE_CORS_ORIGINS`. SIGTERM / SIGINT shut it
 * down gracefully: stop accepting connections, answer the requests in flight (each within its
 * deadline), terminate pool work still running past the deadline, exit 0 — within the request
 * timeout + 2 s whatever happens.
 *
 * Started as `exec node --import tsx` (package.json), not through the `tsx` CLI: the CLI relays
 * signals to a child process and kills it (SIGKILL) when the child does not acknowledge a signal
 * within 30 ms — which a server busy with a request can miss, losing the requests in flight. The
 * `exec` of each script makes pnpm's child the server itself, so a signal pnpm passes on reaches
 * it (with `sh -c` in between, the shell died and the server was orphaned, still serving).
 */
import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ComputePool, createPool } from '@chainrule/compute';
import { SERVICE_TASK_MODULES } from '@chainrule/service';
import { serve } from '@hono/node-server';
import { type AppOptions, createApp } from './app.ts';
import { parseCorsOrigins } from './browser.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { poolTasks } from './offload/pool.ts';
import { SolutionDocuments } from './routes/solutions/documents.ts';

/** Default `PORT`. */
export const DEFAULT_PORT = 8787;

/** Options of {@link startServer}. */
export interface ServerOptions extends Omit<AppOptions, 'pool' | 'tasks'> {
  port?: number;
  hostname?: string;
  /** The compute pool (default: a new one, one worker per core). Closed by `close()`. */
  pool?: ComputePool;
  /**
   * Start the workers, and render the reference solutions on this thread before listening, so
   * that the first request for one is answered from memory however slowly the workers start
   * (default true).
   */
  warm?: boolean;
  /**
   * After this many ms of shutting down, connections still open are cut and the pool is closed,
   * terminating work still running (default: the request timeout + 0.5 s — every request in
   * flight has been answered by its deadline by then).
   */
  shutdownGraceMs?: number;
}

/** A running server. */
export interface RunningServer {
  /** `http://localhost:PORT`. */
  url: string;
  port: number;
  /** Stops accepting connections, waits for the requests in flight (at most `shutdownGraceMs`), then closes the pool. */
  close(): Promise<void>;
}

/**
 * Starts the API with `@hono/node-server`.
 *
 * @example
 * const server = await startServer({ port: 0 });
 * await fetch(`${server.url}/health`);
 * await server.close();
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const { port = DEFAULT_PORT, hostname, warm = true, shutdownGraceMs, ...appOptions } = options;
  const pool = options.pool ?? createPool();
  const solutions = new SolutionDocuments();
  if (warm) {
    void pool.warmup({ modules: SERVICE_TASK_MODULES }).catch(() => {});
    // Before listening, on this thread (~1 s of CPU): the workers yield the CPU to the event loop,
    // and on a loaded machine they took longer than the request deadline to start and render them.
    await solutions.renderAll();
  }
  const app = createApp({ ...appOptions, pool, tasks: poolTasks(pool), solutions });

  // Responses in flight when shutdown starts close their connection, so keep-alive clients let go.
  const inFlight = new Set<ServerResponse>();
  let closing: Promise<void> | undefined;

  const { server, address } = await new Promise<{ server: ReturnType<typeof serve>; address: AddressInfo }>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, ...(hostname === undefined ? {} : { hostname }) }, (address) => resolve({ server, address }));
    // EADDRINUSE, EACCES: fail the start instead of crashing later.
    server.once('error', (error) => {
      void pool.close().catch(() => {});
      reject(error);
    });
  });
  server.on('request', (_request, response: ServerResponse) => {
    if (closing) response.setHeader('Connection', 'close');
    inFlight.add(response);
    response.once('close', () => inFlight.delete(response));
  });

  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      for (const response of inFlight) if (!response.headersSent) response.setHeader('Connection', 'close');
      const requestTimeoutMs = appOptions.limits?.requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs;
      // Past the grace every request has had its deadline: cut what is left (a client that never
      // reads its answer, a body that never ends) and terminate the pool's work (abandoned tasks).
      const grace = setTimeout(() => {
        if ('closeAllConnections' in server) server.closeAllConnections();
        void pool.close().catch(() => {});
      }, shutdownGraceMs ?? requestTimeoutMs + 500);
      grace.unref();
      server.close(() => {
        clearTimeout(grace);
        void pool.close().then(resolve, resolve);
      });
      if ('closeIdleConnections' in server) server.closeIdleConnections();
    });
    return closing;
  };

  return { url: `http://localhost:${address.port}`, port: address.port, close };
}

async function main(): Promise<void> {
  const port = process.env.PORT === undefined || process.env.PORT === '' ? DEFAULT_PORT : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`PORT must be a port number (0–65535), got '${process.env.PORT}'`);
    process.exit(2);
  }
  const timeout = process.env.REQUEST_TIMEOUT_MS;
  const requestTimeoutMs = timeout === undefined || timeout === '' ? undefined : Number(timeout);
  if (requestTimeoutMs !== undefined && !(Number.isInteger(requestTimeoutMs) && requestTimeoutMs > 0)) {
    console.error(`REQUEST_TIMEOUT_MS must be a positive whole number of milliseconds, got '${timeout}'`);
    process.exit(2);
  }
  let corsOrigins;
  try {
    corsOrigins = parseCorsOrigins(process.env.CHAINRULE_CORS_ORIGINS);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
  const running = await startServer({
    port,
    ...(process.env.HOST ? { hostname: process.env.HOST } : {}),
    ...(requestTimeoutMs === undefined ? {} : { limits: { requestTimeoutMs } }),
    ...(corsOrigins === undefined ? {} : { corsOrigins }),
  });
  console.log(`chainrule API listening on ${running.url} (docs: /docs)`);
  let stopping = false;
  const shutdown = (reason: NodeJS.Signals | 'the parent process exited') => {
    if (stopping) {
      // A second Ctrl-C means "now"; a repeated SIGTERM changes nothing.
      if (reason === 'SIGINT') process.exit(130);
      return;
    }
    stopping = true;
    console.log(`${reason}: finishing the requests in flight, then exiting`);
    // close() ends by the grace (deadline + 0.5 s); this is for a close that cannot (a blocked pool).
    const limitMs = (requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs) + 2_000;
    setTimeout(() => {
      console.error(`still shutting down ${limitMs} ms after ${reason}: exiting now`);
      process.exit(1);
    }, limitMs).unref();
    void running.close().then(() => process.exit(0));
  };
  // `on`, not `once`: with no listener left, a repeated signal would kill the process mid-shutdown.
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  // Run by a package manager (`pnpm api`), the server is orphaned if the wrapper is killed with a
  // signal it cannot pass on (SIGKILL): then the parent changes, and the server shuts down too.
  if (process.env.npm_lifecycle_event !== undefined) {
    const parent = process.ppid;
    setInterval(() => process.ppid !== parent && shutdown('the parent process exited'), 500).unref();
  }
}

const entry = process.argv[1];
if (entry !== undefined && path.resolve(entry) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    const code = (error as { code?: string }).code;
    console.error(`chainrule API failed to start: ${code === 'EADDRINUSE' ? `port ${process.env.PORT ?? DEFAULT_PORT} is in use` : error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
