import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { backprop } from '@chainrule/service';
import { answerJson, cachedAnswers } from '../../answers.ts';
import { type AppEnv, type Deps, jsonBody, serviceOptions } from '../../context.ts';
import { BODY_ERRORS, ProblemFile, ProblemResultSchema, errorResponses, roundQuery } from '../../schemas.ts';

const LossAndGradients = ProblemResultSchema.partial({ values: true });

const BackpropSchema = LossAndGradients.extend({
  round: z.number().int().optional().describe('The decimals of `rounded`, when asked for'),
  rounded: LossAndGradients.optional().describe('The result when every intermediate value is rounded to `round` decimals (without `values` when values=false)'),
  steps: z
    .object({
      format: z.enum(['text', 'md', 'latex']),
      mediaType: z.string(),
      text: z.string().describe('The worked solution: every forward and backward step with its numbers'),
    })
    .optional()
    .describe('The worked forward and backward pass, when asked for'),
}).openapi('Backprop');

const route = createRoute({
  method: 'post',
  path: '/v1/backprop',
  tags: ['backprop'],
  summary: 'A problem file → loss, values and gradients',
  description:
    'The forward and backward pass of a problem file: the loss, every computed value and ∂L/∂w for every w in `wrt`. With `round`, also the result of rounding every intermediate value; with `steps`, also the worked solution (every step with its numbers) as text, Markdown or LaTeX. With `values=false`, the loss and the gradients alone (`values` left out): a problem whose intermediates are too many to send stays usable. The answer may carry at most `maxResultEntries` value entries and an intermediate at most `maxIntermediateEntries`, both checked on the estimate before anything is computed (413 `limit` naming the equation and the shape). Problems estimated under 2 ms of work are solved on the event loop; the others, and worked steps, on a worker under the request deadline.',
  middleware: [jsonBody()] as const,
  request: {
    query: z.object({
      round: roundQuery,
      steps: z.enum(['text', 'md', 'latex']).optional().openapi({ description: 'Also render the worked solution in this format', example: 'md' }),
      values: z.enum(['true', 'false', '1', '0']).optional().openapi({ description: 'Include every computed value (default true); false answers the loss and the gradients alone', example: 'false' }),
      decimals: z.coerce.number().int().min(0).max(12).optional().openapi({ description: 'Decimals of exact numbers in the worked steps (default 4)' }),
    }),
    body: { required: true, content: { 'application/json': { schema: ProblemFile } } },
  },
  responses: {
    200: { description: 'The result', content: { 'application/json': { schema: BackpropSchema } } },
    ...errorResponses(...BODY_ERRORS),
  },
});

/**
 * `POST /v1/backprop`.
 *
 * @example
 * app.route('/', backpropRoutes(deps));
 */
export function backpropRoutes(deps: Deps) {
  const app = new OpenAPIHono<AppEnv>();
  app.use(route.path, cachedAnswers(deps.answers));
  return app.openapi(route, async (c) => {
    const problem = c.req.valid('json');
    const { round, steps, decimals, values } = c.req.valid('query');
    const request = {
      problem,
      ...(values === 'false' || values === '0' ? { values: false } : {}),
      ...(round === undefined ? {} : { round }),
      ...(steps === undefined ? {} : { steps }),
      ...(decimals === undefined ? {} : { decimals }),
    };
    const result = await backprop(request, serviceOptions(deps, c));
    return answerJson(deps.answers, c, result);
  });
}
