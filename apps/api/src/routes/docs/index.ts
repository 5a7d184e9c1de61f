import { swaggerUI } from '@hono/swagger-ui';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../context.ts';

/** The document's header. */
export const OPENAPI_INFO = {
  title: 'chainrule API',
  version: '1.0.0',
  description:
    'Backpropagation the textbook way: equations → computational graph → symbol-to-symbol gradients → worked solutions, for Assignment 9 of the Deep Neural Networks course. Errors are application/problem+json (RFC 9457) with the JSON path, or the line and column, of the fault.',
};

/**
 * `GET /openapi.json` (OpenAPI 3.1, generated from the zod schemas that validate the requests,
 * built once) and `GET /docs` (Swagger UI). Registered on the app itself, after every route.
 *
 * @example
 * addDocs(app);
 */
export function addDocs<A extends OpenAPIHono<AppEnv, any, any>>(app: A): A {
  let document: unknown;
  app.get('/openapi.json', (c) => {
    document ??= app.getOpenAPI31Document({ openapi: '3.1.0', info: OPENAPI_INFO, tags: TAGS });
    return c.json(document as Record<string, unknown>);
  });
  app.get('/docs', swaggerUI({ url: '/openapi.json', title: 'chainrule API' }));
  return app;
}

const TAGS = [
  { name: 'graph', description: 'Equations → computational graph (Question 2)' },
  { name: 'backprop', description: 'Forward and backward pass, gradient checks (Questions 1 and 3)' },
  { name: 'solutions', description: 'The reference solutions of Assignment 9' },
  { name: 'grader', description: 'Grading of hand-computed solutions' },
  { name: 'service', description: 'Health' },
];
