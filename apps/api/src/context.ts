/**
 * What every route shares: the injected dependencies, the per-request deadline, JSON bodies read
 * with line/column errors, and the options that hand a request's work to the service layer.
 */
import type { PoolStats, TaskPool } from '@chainrule/compute';
import { ChainruleError } from '@chainrule/graph';
import { parseJson } from '@chainrule/problem';
import type { ServiceOptions } from '@chainrule/service';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AnswerCache } from './answers.ts';
import type { ApiLimits, Semaphore } from './limits.ts';
import { apiError } from './problem.ts';

/** What the API needs of a pool: what the service runs tasks on, and the numbers `/health` shows. */
export type PoolLike = TaskPool & { stats(): Pick<PoolStats, 'size' | 'workers' | 'busy' | 'queued'> & Partial<PoolStats> };
/** The pool gradient checks are split across (tests inject stand-ins). */
export type ComputeLike = PoolLike;
/** The pool heavy backprops, graph exports, renderings and grading run on (tests run them inline). */
export type TasksLike = PoolLike;

/** The dependencies of the routes, built by `createApp`. */
export interface Deps {
  pool: ComputeLike;
  tasks: TasksLike;
  limits: ApiLimits;
  /** Permits for heavy requests in flight. */
  heavy: Semaphore;
  /** Answers of requests that repeat (see `answers.ts`). */
  answers: AnswerCache;
  log: (message: string, error?: unknown) => void;
}

/** The request's deadline, as routes see it. */
export interface Deadline {
  /** Aborted when the client goes away or the deadline passes; made on first use (it costs ~30 µs). */
  readonly signal: AbortSignal;
}

/** Hono env of the app: the request's deadline. */
export interface AppEnv {
  Variables: { deadline: Deadline; answerKey?: string };
}

/**
 * The request deadline: sets `c.var.deadline.signal` (aborted when the client goes away or the
 * deadline passes) and answers 503 `timeout` at the deadline even if the handler is still waiting.
 * Work on a pool is cancelled through the signal; inline work is small by construction.
 *
 * @example
 * app.use('/v1/*', deadline(10_000));
 */
export function deadline(ms: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Nothing is allocated for the signal unless a route asks for it: most requests never do.
    let controller: AbortController | undefined;
    let signal: AbortSignal | undefined;
    let expiredError: unknown;
    c.set('deadline', {
      get signal() {
        if (!signal) {
          controller = new AbortController();
          if (expiredError !== undefined) controller.abort(expiredError);
          signal = AbortSignal.any([controller.signal, c.req.raw.signal]);
        }
        return signal;
      },
    });
    let expire!: (error: unknown) => void;
    const expired = new Promise<never>((_, reject) => (expire = reject));
    const timer = setTimeout(() => {
      expiredError = apiError('limit', `the request took longer than ${ms} ms; its work was cancelled`, { status: 503, problemType: 'timeout' });
      controller?.abort(expiredError);
      expire(expiredError);
    }, ms);
    const work = next();
    try {
      await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
      // A handler still running after the deadline answers no one; its failure is not unhandled.
      work.catch(() => {});
    }
  };
}

/**
 * Hono's body limit, decided from `Content-Length` without touching the body: Hono's own
 * middleware asks for `c.req.raw.body` first, which makes `@hono/node-server` build a full
 * `Request` with a body stream from the socket for every request (a GET included) — a large part
 * of what a small request costs — where reading the body later takes a direct path otherwise.
 * A body without a length (chunked) is counted as it streams in, by Hono's middleware.
 *
 * @example
 * app.use('/v1/*', requestBodyLimit(256 * 1024, () => { throw tooLarge(); }));
 */
export function requestBodyLimit(maxSize: number, onError: (c: Context) => Response | Promise<Response>): MiddlewareHandler {
  const streamed = bodyLimit({ maxSize, onError });
  return (c, next) => {
    const length = c.req.header('content-length');
    // Without Transfer-Encoding, HTTP/1.1 carries exactly Content-Length bytes of body.
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) return Number(length) > maxSize ? Promise.resolve(onError(c)) : next();
    // No length: a GET has no body; anything else (chunked, or a Request made in the process) is counted.
    return c.req.method === 'GET' || c.req.method === 'HEAD' ? next() : streamed(c, next);
  };
}

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Whether a `Content-Type` is JSON (`application/json`, `application/problem+json`, any charset).
 *
 * @example
 * isJsonBody('application/json; charset=utf-8'); // true
 */
export function isJsonBody(contentType: string | undefined): boolean {
  return JSON_MEDIA_TYPE.test(contentType?.split(';')[0]?.trim() ?? '');
}

/**
 * How deep request bodies are read: containers nested deeper are parsed as empty (see
 * `parseJson`). The deepest a route's schema reads is six levels (a check request's submission
 * matrix); a body nested 100,000 deep costs a scan, not 100,000 arrays built.
 */
export const JSON_DEPTH_READ = 64;

/**
 * Reads a JSON body as text and parses it, so that malformed JSON is answered 400 with the line
 * and column of the fault (Hono's `c.req.json()` says neither); the parsed value is what
 * `c.req.json()` answers the zod validator that follows (the body is parsed once). A body that is not JSON is 415.
 *
 * @example
 * createRoute({ method: 'post', path: '/v1/backprop', middleware: [jsonBody()] as const, … });
 */
export function jsonBody(): MiddlewareHandler {
  return async (c, next) => {
    const contentType = c.req.header('content-type');
    if (!isJsonBody(contentType)) {
      throw apiError('problem', `the body must be JSON (Content-Type: application/json), not ${contentType ? `'${contentType}'` : 'without a Content-Type'}`, {
        status: 415,
        problemType: 'unsupported-media-type',
      });
    }
    const text = await c.req.text();
    let value: unknown;
    try {
      value = parseJson(text, 'the request body', { maxDepth: JSON_DEPTH_READ });
    } catch (error) {
      if (error instanceof ChainruleError && error.status === 400) {
        throw apiError('problem', error.message, { status: 400, problemType: 'malformed-json', location: error.location });
      }
      throw error;
    }
    // The validator reads the body with `c.req.json()`, which in Hono parses the cached text again
    // (its body cache keeps the text, not the value): it gets the value parsed here instead.
    const parsedBody = Promise.resolve(value);
    c.req.json = () => parsedBody as Promise<never>;
    await next();
  };
}

/**
 * Runs off-thread work under the heavy-request semaphore: 503 `overloaded` with `Retry-After`
 * when all permits are taken.
 *
 * @example
 * const result = await heavy(deps, () => pool.task(url, 'graph', input, { signal }));
 */
export async function heavy<T>(deps: Deps, work: () => Promise<T>): Promise<T> {
  const release = deps.heavy.tryAcquire();
  if (!release) throw overloaded(deps);
  try {
    return await work();
  } finally {
    release();
  }
}

function overloaded(deps: Deps) {
  return apiError('limit', `${deps.heavy.limit} heavy requests are already in flight; retry shortly`, {
    status: 503,
    problemType: 'overloaded',
    retryAfterSeconds: deps.limits.retryAfterSeconds,
  });
}

/**
 * For routes whose every request is heavy work (gradient checks, variants): 503 `overloaded`
 * before the body is read when all permits are taken. Under overload, refusals are most of the
 * traffic; reading and validating each body first took the CPU the workers need (on two cores,
 * goodput fell to a third of the pool's unloaded throughput).
 *
 * @example
 * app.use('/v1/gradcheck', admissionGate(deps));
 */
export function admissionGate(deps: Deps): MiddlewareHandler {
  return (c, next) => {
    if (c.req.method === 'POST' && deps.heavy.inUse >= deps.heavy.limit) throw overloaded(deps);
    return next();
  };
}

/**
 * The service options of a request: the pool, the limits, the request's deadline (made only when
 * work goes to the pool) and admission of that work under the heavy-request semaphore.
 *
 * @example
 * return c.json(await backprop(request, serviceOptions(deps, c)), 200);
 */
export function serviceOptions(deps: Deps, c: Context<AppEnv>, pool: PoolLike = deps.tasks): ServiceOptions {
  return {
    pool,
    limits: deps.limits,
    get signal() {
      return c.var.deadline.signal;
    },
    admit: (work) => heavy(deps, work),
  };
}
