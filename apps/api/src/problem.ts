/**
 * Errors as `application/problem+json` (RFC 9457): one place maps every error the app can meet —
 * `ChainruleError` (the one error class of chainrule, `ComputeError` included), zod validation
 * failures, Hono's `HTTPException`s and unexpected exceptions — to a problem details object.
 * 4xx for the client's faults, 5xx only for the server's; a 5xx never carries the message or the
 * stack of the error behind it (that is logged instead).
 */
import { ComputeError } from '@chainrule/compute';
import { ChainruleError, type ErrorCode, type ErrorLocation, formatJsonPath } from '@chainrule/graph';
import { explainIssue } from '@chainrule/problem';
import { z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';

/** The media type of every error response. */
export const PROBLEM_JSON = 'application/problem+json';

/** Problem `type` URIs are this plus a slug, e.g. `https://chainrule.dev/problems/parse`. */
export const PROBLEM_TYPE_BASE = 'https://chainrule.dev/problems/';

/** Where a JSON path points: the request body (default), the query string, or the URL path. */
export type PathLocation = 'body' | 'query' | 'path';

/** One fault of a request that failed validation. */
export interface FieldError {
  /** JSON path of the fault, e.g. `values.W1[2]` (body), or the parameter name (query, path). */
  path: string;
  in: PathLocation;
  message: string;
}

/** A problem details object as the API sends it. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  /** Machine-readable cause: a `ChainruleError` code or an API slug. */
  code: string;
  /** JSON path of the fault in the request body (`problem.values.W1`), when known. */
  path?: string;
  /** 1-based line / column in the equation text or the JSON text, when known. */
  line?: number;
  column?: number;
  /** Every validation fault, for 422 validation problems. */
  errors?: FieldError[];
  [extension: string]: unknown;
}

/** The zod schema of {@link ProblemDetails}, for the OpenAPI document. */
export const problemDetailsSchema = z
  .object({
    type: z.string().describe('A URI naming the kind of problem, e.g. https://chainrule.dev/problems/parse'),
    title: z.string().describe('A short summary of the kind of problem'),
    status: z.number().int().describe('The HTTP status code'),
    detail: z.string().describe('What went wrong with this request, in words'),
    instance: z.string().describe('The request path'),
    code: z.string().describe('Machine-readable cause: parse, graph, shape, problem, value, gradient, limit, validation, malformed-json, timeout, overloaded, …'),
    path: z.string().optional().describe('JSON path of the fault in the request body, e.g. problem.values.W1[2]'),
    line: z.number().int().optional().describe('1-based line of the fault in the equation (or JSON) text'),
    column: z.number().int().optional().describe('1-based column of the fault in the equation (or JSON) text'),
    errors: z
      .array(z.object({ path: z.string(), in: z.enum(['body', 'query', 'path']), message: z.string() }))
      .optional()
      .describe('Every fault found by validation'),
  })
  .loose()
  .openapi('ProblemDetails');

/** HTTP-only details an error raised by the API itself may carry, next to a `ChainruleError`'s own. */
export interface ApiErrorDetails {
  /** The slug of the problem type, when it is not the error's `code` (e.g. `timeout`, `malformed-json`). */
  problemType?: string;
  /** Seconds for a `Retry-After` header. */
  retryAfterSeconds?: number;
  /** Extra members of the problem details object, e.g. `{ shape: [300, 300], limit: 65536 }`. */
  extensions?: Record<string, unknown>;
  /** Extra response headers, e.g. `Allow` of a 405. */
  headers?: Record<string, string>;
}

/**
 * A `ChainruleError` raised by the API layer, with its HTTP details. Still a `ChainruleError`:
 * the app has one error class, with a `status`.
 *
 * @example
 * throw apiError('limit', 'too many requests in flight', { status: 503, problemType: 'overloaded', retryAfterSeconds: 1 });
 */
export function apiError(
  code: ErrorCode,
  message: string,
  options: ApiErrorDetails & { status?: number; location?: ErrorLocation; cause?: unknown } = {},
): ChainruleError & ApiErrorDetails {
  const { status, location, cause, ...details } = options;
  const error = new ChainruleError(code, message, location ?? {}, { ...(status === undefined ? {} : { status }), ...(cause === undefined ? {} : { cause }) });
  return Object.assign(error, details);
}

const TITLES: Record<string, string> = {
  parse: 'The equations could not be parsed',
  graph: 'The equations do not make a computational graph',
  shape: 'The shapes of the values do not fit the equations',
  problem: 'The problem is not valid',
  value: 'A value is not valid',
  gradient: 'The gradient cannot be computed',
  limit: 'The request exceeds a limit',
  validation: 'The request does not match its schema',
  'malformed-json': 'The request body is not valid JSON',
  'body-too-large': 'The request body is too large',
  'unsupported-media-type': 'Unsupported media type',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  'bad-request': 'Bad request',
  timeout: 'The request took too long',
  overloaded: 'The server is busy',
  unavailable: 'The service is unavailable',
  aborted: 'The request was aborted',
  internal: 'Internal server error',
};

const HTTP_SLUGS: Record<number, string> = {
  400: 'bad-request',
  404: 'not-found',
  405: 'method-not-allowed',
  413: 'body-too-large',
  415: 'unsupported-media-type',
  503: 'unavailable',
};

/** What the error handler decided: the body, and headers to add. */
export interface ProblemAnswer {
  details: ProblemDetails;
  headers: Record<string, string>;
  /** The error to log: set for 5xx answers. */
  log?: unknown;
}

/**
 * The problem details object for any error thrown while handling a request to `instance`.
 *
 * @example
 * const { details } = toProblem(new ChainruleError('parse', "expected ')'", { line: 2, column: 9 }), '/v1/backprop');
 * details.status; // 422
 * details.type;   // 'https://chainrule.dev/problems/parse'
 */
export function toProblem(error: unknown, instance: string): ProblemAnswer {
  // A pool call aborted by the request's own deadline reports the deadline, not the abort.
  if (error instanceof ComputeError && error.reason === 'aborted' && error.cause instanceof ChainruleError) return toProblem(error.cause, instance);
  if (error instanceof ChainruleError) return chainruleProblem(error, instance);
  if (error instanceof HTTPException) {
    const status = error.status;
    const slug = HTTP_SLUGS[status] ?? (status >= 500 ? 'internal' : 'bad-request');
    if (status >= 500) return internalProblem(error, instance);
    return { details: details(slug, status, error.message || TITLES[slug]!, instance), headers: {} };
  }
  return internalProblem(error, instance);
}

function chainruleProblem(error: ChainruleError, instance: string): ProblemAnswer {
  const api = error as ChainruleError & ApiErrorDetails;
  let slug = api.problemType ?? error.code;
  let retryAfter = api.retryAfterSeconds;
  if (error instanceof ComputeError) {
    slug = { timeout: 'timeout', 'queue-full': 'overloaded', closed: 'unavailable', crashed: 'internal', aborted: 'aborted' }[error.reason];
    retryAfter = error.retryAfterSeconds ?? (error.reason === 'closed' ? 1 : undefined);
  }
  const status = error.status;
  if (status >= 500 && slug === 'internal') return internalProblem(error, instance);
  const body = details(slug, status, error.describe(), instance);
  const { path, line, column } = error.location;
  if (path !== undefined && path.length > 0) body.path = formatJsonPath(path);
  if (line !== undefined) body.line = line;
  if (column !== undefined) body.column = column;
  Object.assign(body, api.extensions);
  const headers: Record<string, string> = { ...api.headers };
  if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
  return { details: body, headers };
}

function internalProblem(error: unknown, instance: string): ProblemAnswer {
  return {
    details: details('internal', 500, 'An unexpected error occurred while handling the request; it has been logged.', instance),
    headers: {},
    log: error,
  };
}

function details(slug: string, status: number, detail: string, instance: string): ProblemDetails {
  return { type: PROBLEM_TYPE_BASE + slug, title: TITLES[slug] ?? slug, status, detail, instance, code: slug };
}

/**
 * The 422 problem of a request that failed zod validation: every issue with its JSON path
 * (`values.W1[2]`), a union narrowed to the branch that got furthest.
 *
 * @example
 * validationProblem(zodError, 'json', '/v1/backprop').details.errors; // [{ path: 'values.W1[2]', in: 'body', message: '…' }]
 */
export function validationProblem(error: z.ZodError, target: string, instance: string): ProblemAnswer {
  const where: PathLocation = target === 'query' ? 'query' : target === 'param' ? 'path' : 'body';
  const errors: FieldError[] = error.issues.map((issue) => {
    const { path, message } = explainIssue(issue);
    return { path: path.length > 0 ? formatJsonPath(path) : where === 'body' ? '(body)' : '(query)', in: where, message };
  });
  const first = errors[0]!;
  const body = details('validation', 422, `${first.path}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, instance);
  if (where === 'body' && first.path !== '(body)') body.path = first.path;
  body.errors = errors;
  return { details: body, headers: {} };
}

/**
 * The response for a problem: `application/problem+json`, with its headers.
 *
 * @example
 * return problemResponse(toProblem(error, c.req.path));
 */
export function problemResponse(answer: ProblemAnswer): Response {
  return new Response(JSON.stringify(answer.details), {
    status: answer.details.status,
    headers: { 'Content-Type': PROBLEM_JSON, ...answer.headers },
  });
}
