/**
 * The zod schemas shared by the routes: they validate the requests and, through
 * `@hono/zod-openapi`, make the OpenAPI document — one source for both.
 */
import { acceptedProblem, problemResultSchema, problemSchema, valueSchema } from '@chainrule/problem';
import { assignmentQ3Problem } from '@chainrule/assignment9';
import { z } from '@hono/zod-openapi';
import { PROBLEM_JSON, problemDetailsSchema } from './problem.ts';

/** Question 3's problem file, the example of every problem in the document. */
export const Q3_EXAMPLE = assignmentQ3Problem();

/**
 * A schema of another package, named (and described) for the OpenAPI document. zod 4 gives a
 * schema its methods when it is created, so schemas made before `@hono/zod-openapi` was loaded
 * lack `.openapi()`; this calls it through the prototype, which returns a new, named copy.
 *
 * @example
 * const ProblemFile = named(problemSchema, 'ProblemFile', { description: 'A problem file' });
 */
export function named<T extends z.ZodType>(schema: T, refId: string, metadata: Parameters<T['openapi']>[1] = {}): T {
  return (z.ZodType.prototype.openapi as (this: T, refId: string, metadata: unknown) => T).call(schema, refId, metadata);
}

/**
 * A problem file: the schema of `@chainrule/problem`, named for the document. As a whole request
 * body (`/v1/backprop`, `/v1/graph`) it is validated once, by the problem package's one-pass
 * check of a plain valid file (`acceptedProblem`: the same output, ~3 µs for Question 3) and only
 * when that declines by the schema itself (~15 µs), which names every fault.
 */
export const ProblemFile = named(problemSchema, 'ProblemFile', {
  description: 'A problem file: equations (ASCII, Unicode or LaTeX), function bindings, values of the leaves, and the parameters to differentiate for.',
  example: Q3_EXAMPLE,
});
// The body validator calls `safeParseAsync` of the body's schema (nested in another schema, the
// schema's own parse runs): this copy's own method answers a plain valid file without the schema.
const schemaParse = ProblemFile.safeParseAsync.bind(ProblemFile);
ProblemFile.safeParseAsync = ((value: unknown, params?: Parameters<typeof schemaParse>[1]) => {
  const accepted = acceptedProblem(value);
  return accepted ? Promise.resolve({ success: true as const, data: accepted }) : schemaParse(value, params);
}) as typeof ProblemFile.safeParseAsync;

/** A number, a vector, or a matrix as an array of rows. */
export const Numbers = named(valueSchema, 'Numbers', { description: 'A number, a vector, or a matrix as an array of rows', example: [[1, 0.5, 0.25], [0.2, 0.3, 0.4]] });

/** The result of a problem: loss, every computed value, the gradients — the schema of `@chainrule/problem`, named. */
export const ProblemResultSchema = named(problemResultSchema, 'ProblemResult');

/** A query flag: `true`/`false` (or `1`/`0`). */
export function flag(description: string) {
  return z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((value) => value === 'true' || value === '1')
    .openapi({ description, example: 'true' });
}

/** Decimals of rounding, in a query string. */
export const roundQuery = z.coerce
  .number()
  .int()
  .min(0)
  .max(12)
  .optional()
  .openapi({ description: 'Also compute every value rounded to this many decimals at every step (0–12), as a student rounding by hand does', example: 2 });

const problemContent = { [PROBLEM_JSON]: { schema: problemDetailsSchema } };

const ERROR_DESCRIPTIONS = {
  400: 'Malformed JSON (with its line and column)',
  404: 'Not found',
  413: 'Body too large, or a limit exceeded (too many equations, a value too large): with the JSON path and the shape',
  415: 'The body is not application/json',
  422: 'Validation failed (with the JSON path), or the equations do not parse or do not fit (with line, column and path)',
  500: 'An unexpected error (logged; never a stack trace)',
  503: 'Saturated (with Retry-After), or the request took longer than the timeout',
} as const;

/**
 * The problem+json responses of a route, for the OpenAPI document.
 *
 * @example
 * responses: { 200: …, ...errorResponses(400, 413, 415, 422, 500, 503) }
 */
export function errorResponses<const S extends keyof typeof ERROR_DESCRIPTIONS>(...statuses: S[]): Record<S, { description: string; content: typeof problemContent }> {
  const out = {} as Record<S, { description: string; content: typeof problemContent }>;
  for (const status of statuses) out[status] = { description: ERROR_DESCRIPTIONS[status], content: problemContent };
  return out;
}

/** Every status a route with a JSON body can fail with. */
export const BODY_ERRORS = [400, 413, 415, 422, 500, 503] as const;
