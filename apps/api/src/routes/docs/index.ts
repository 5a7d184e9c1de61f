import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../context.ts';
import { apiError } from '../../problem.ts';

/** The document's header. */
export const OPENAPI_INFO = {
  title: 'chainrule API',
  version: '1.0.0',
  description:
    'Backpropagation the textbook way: equations → computational graph → symbol-to-symbol gradients → worked solutions, for Assignment 9 of the Deep Neural Networks course. Errors are application/problem+json (RFC 9457) with the JSON path, or the line and column, of the fault.',
};

/** Where `swagger-ui-dist` (pinned in package.json and the lockfile) is installed. */
const SWAGGER_UI_DIR = path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The files of Swagger UI that `/docs` uses, served from `/docs/assets/`, with their media types. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
  'favicon-16x16.png': 'image/png',
};

/** Starts Swagger UI on the document; a file of its own, as the Content-Security-Policy allows no inline script. */
const INITIALIZER = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>chainrule API</title>
    <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
    <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="/docs/assets/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/assets/swagger-ui-bundle.js"></script>
    <script src="/docs/assets/init.js"></script>
  </body>
</html>
`;

/**
 * `GET /openapi.json` (OpenAPI 3.1, generated from the zod schemas that validate the requests,
 * built once) and `GET /docs` (Swagger UI from the installed `swagger-ui-dist`: no CDN, so it
 * works offline and runs exactly the version the lockfile pins). Registered on the app itself,
 * after every route.
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
  app.get('/docs', (c) => c.html(PAGE));
  const files = new Map<string, Uint8Array<ArrayBuffer> | string>();
  app.get('/docs/assets/:file', (c) => {
    const file = c.req.param('file');
    const mediaType = file === 'init.js' ? 'text/javascript; charset=utf-8' : Object.hasOwn(DOCS_ASSETS, file) ? DOCS_ASSETS[file] : undefined;
    if (mediaType === undefined) throw apiError('problem', `no file ${c.req.path}; the docs use ${Object.keys(DOCS_ASSETS).join(', ')} and init.js`, { status: 404, problemType: 'not-found' });
    let body = files.get(file);
    if (body === undefined) {
      body = file === 'init.js' ? INITIALIZER : new Uint8Array(readFileSync(path.join(SWAGGER_UI_DIR, file)));
      files.set(file, body);
    }
    return c.body(body, 200, { 'Content-Type': mediaType, 'Cache-Control': 'public, max-age=3600' });
  });
  return app;
}

const TAGS = [
  { name: 'graph', description: 'Equations → computational graph (Question 2)' },
  { name: 'backprop', description: 'Forward and backward pass, gradient checks (Questions 1 and 3)' },
  { name: 'solutions', description: 'The reference solutions of Assignment 9' },
  { name: 'grader', description: 'Grading of hand-computed solutions' },
  { name: 'variants', description: 'Exam variants: new numbers for every student, each with its answer key' },
  { name: 'service', description: 'Health' },
];
