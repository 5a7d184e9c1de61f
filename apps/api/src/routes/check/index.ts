import { submissionSchema } from '@chainrule/grader';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { check } from '@chainrule/service';
import { type AppEnv, type Deps, jsonBody, serviceOptions } from '../../context.ts';
import { BODY_ERRORS, ProblemFile, errorResponses, named } from '../../schemas.ts';

const Submission = named(submissionSchema, 'Submission', {
  description: 'A student’s hand computation: the loss, computed values and gradients by name; every part may be missing',
  example: { loss: 48.2, values: { u1: [2.55, 3.9, 2.5] }, gradients: { W3: [[19.95, 30.52, 19.56], [15.12, 23.13, 14.83]] } },
});

const CheckRequest = z
  .object({
    problem: z.union([z.enum(['q1', 'q3']), ProblemFile]).describe('A problem file, or "q1" / "q3" of Assignment 9 (q1: the stand-in network)'),
    submission: Submission,
    round: z.number().int().min(0).max(12).nullable().optional().describe('Decimals every step is rounded to, null for exact arithmetic (default: 2 for q3, exact otherwise)'),
  })
  .strict()
  .openapi('CheckRequest');

const route = createRoute({
  method: 'post',
  path: '/v1/check',
  tags: ['grader'],
  summary: 'Grade a hand-computed backpropagation',
  description:
    'Every step of the forward and backward pass is judged in order; a step computed correctly from the student’s own earlier (wrong) values is `carried`, not wrong. The JSON report, or text / Markdown feedback.',
  middleware: [jsonBody()] as const,
  request: {
    query: z.object({ format: z.enum(['json', 'text', 'markdown']).default('json').openapi({ description: 'The report format', example: 'markdown' }) }),
    body: { required: true, content: { 'application/json': { schema: CheckRequest } } },
  },
  responses: {
    200: {
      description: 'The grade report',
      content: {
        'application/json': { schema: z.record(z.string(), z.unknown()).openapi({ description: 'The grader’s JSON report: items by name, firstWrong, counts, points' }) },
        'text/plain': { schema: z.string() },
        'text/markdown': { schema: z.string() },
      },
    },
    ...errorResponses(...BODY_ERRORS),
  },
});

/**
 * `POST /v1/check`: the grader.
 *
 * @example
 * app.route('/', checkRoutes(deps));
 */
export function checkRoutes(deps: Deps) {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const { problem, submission, round } = c.req.valid('json');
    const { format } = c.req.valid('query');
    const output = await check({ problem, submission, format, ...(round === undefined ? {} : { round }) }, serviceOptions(deps, c));
    if ('json' in output) return c.json(output.json as unknown as Record<string, unknown>, 200);
    return c.body(output.body, 200, { 'Content-Type': output.mediaType });
  });
}
