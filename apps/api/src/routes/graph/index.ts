import { EXPORT_FORMATS, type ExportFormat, type GraphJson, graphJsonSchema } from '@chainrule/export';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { graph } from '@chainrule/service';
import { type AppEnv, type Deps, jsonBody, serviceOptions } from '../../context.ts';
import { BODY_ERRORS, ProblemFile, errorResponses, flag, named } from '../../schemas.ts';

const GraphJson = named(graphJsonSchema, 'GraphJson');
const text = (example: string) => z.string().openapi({ example });

const route = createRoute({
  method: 'post',
  path: '/v1/graph',
  tags: ['graph'],
  summary: 'A problem file → its computational graph',
  description:
    'The directed graph of the equations (Question 2 a), optionally with the nodes backpropagation adds for the gradients of the parameters in `wrt` (Question 2 b), optionally simplified (added nodes with one input and one output left out). JSON, Graphviz DOT, Mermaid, SVG (laid out by Graphviz, on a worker) or TikZ. Values are not needed.',
  middleware: [jsonBody()] as const,
  request: {
    query: z.object({
      format: z.enum(EXPORT_FORMATS as [ExportFormat, ...ExportFormat[]]).default('json').openapi({ description: 'Output format', example: 'svg' }),
      gradients: flag('Add the gradient nodes of ∂loss/∂w for every w in wrt (default false)'),
      simplify: flag('Leave out added nodes with one input and one output (default false)'),
      title: z.string().max(200).optional().openapi({ description: 'A caption / graph title' }),
    }),
    body: { required: true, content: { 'application/json': { schema: ProblemFile } } },
  },
  responses: {
    200: {
      description: 'The graph in the chosen format',
      content: {
        'application/json': { schema: GraphJson },
        'text/vnd.graphviz': { schema: text('digraph {\n  W1 -> u1\n}') },
        'text/vnd.mermaid': { schema: text('flowchart BT\n  W1 --> u1') },
        'image/svg+xml': { schema: text('<svg …>') },
        'application/x-tex': { schema: text('\\begin{tikzpicture} … \\end{tikzpicture}') },
      },
    },
    ...errorResponses(...BODY_ERRORS),
  },
});

/**
 * `POST /v1/graph`.
 *
 * @example
 * app.route('/', graphRoutes(deps));
 */
export function graphRoutes(deps: Deps) {
  return new OpenAPIHono<AppEnv>().openapi(route, async (c) => {
    const problem = c.req.valid('json');
    const { format, gradients, simplify, title } = c.req.valid('query');
    const request = { problem, format, gradients, simplify, ...(title === undefined ? {} : { title }) };
    const { body, mediaType } = await graph(request, serviceOptions(deps, c));
    if (format === 'json') return c.json(JSON.parse(body) as GraphJson, 200);
    return c.body(body, 200, { 'Content-Type': mediaType });
  });
}
