import { QUESTIONS } from '@chainrule/assignment9';
import { SOLUTION_FORMATS, type SolutionFormat } from '@chainrule/solutions';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { AppEnv, Deps } from '../../context.ts';
import { errorResponses, roundQuery } from '../../schemas.ts';
import { SolutionDocuments } from './documents.ts';

const route = createRoute({
  method: 'get',
  path: '/v1/solutions/{question}',
  tags: ['solutions'],
  summary: 'The reference solution of a question of Assignment 9',
  description:
    'Q1 uses the labelled stand-in for the network of the lecture slides 73/74 (which are not available): every format says so. Q2 is the graph of the network, Q3 its forward and backward pass with the sheet’s numbers (rounded to two decimals by default). Rendered once, then served from memory.',
  request: {
    params: z.object({ question: z.enum(QUESTIONS).openapi({ param: { name: 'question', in: 'path' }, example: 'q3' }) }),
    query: z.object({
      format: z.enum(SOLUTION_FORMATS as [SolutionFormat, ...SolutionFormat[]]).default('json').openapi({ description: 'json, md (Markdown), latex or text', example: 'md' }),
      round: roundQuery,
    }),
  },
  responses: {
    200: {
      description: 'The solution in the chosen format',
      content: {
        'application/json': { schema: z.record(z.string(), z.unknown()).openapi({ description: 'The solution as JSON: the result keys (loss, values, gradients) of Q3 at the top, steps, figures' }) },
        'text/markdown': { schema: z.string() },
        'application/x-latex': { schema: z.string() },
        'text/plain': { schema: z.string() },
      },
    },
    ...errorResponses(422, 500, 503),
  },
});

/**
 * `GET /v1/solutions/{question}`. The reference solutions never change: each (question, format,
 * rounding) is rendered once — at server start, or on the task pool at its first request — and
 * then served from memory (`documents`).
 *
 * @example
 * app.route('/', solutionsRoutes(deps));
 */
export function solutionsRoutes(deps: Deps, documents = new SolutionDocuments()) {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const { question } = c.req.valid('param');
    const { format, round } = c.req.valid('query');
    const { body, mediaType } = documents.ready(question, format, round) ?? (await abortable(documents.render(question, format, round, { pool: deps.tasks, limits: deps.limits }), c.var.deadline.signal));
    return c.body(body, 200, { 'Content-Type': mediaType, 'Cache-Control': 'public, max-age=3600' });
  });
}

/** The promise, or the signal's reason once it aborts first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
