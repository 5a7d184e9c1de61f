import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { inlineTasks, stubPool } from '../../test-support.ts';

const app = createApp({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks: inlineTasks() });

describe('GET /openapi.json', () => {
  it('documents every route, from the zod schemas that validate the requests', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, unknown>; parameters?: { name: string }[] }>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/v1/backprop', '/v1/check', '/v1/gradcheck', '/v1/graph', '/v1/solutions/{question}', '/v1/variants']);
    expect(doc.paths['/v1/backprop']!.post!.requestBody!.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/ProblemFile' });
    expect(doc.paths['/v1/backprop']!.post!.parameters!.map((p) => p.name)).toEqual(['round', 'steps', 'values', 'decimals']);
    expect(doc.paths['/v1/graph']!.post!.parameters!.map((p) => p.name)).toEqual(['format', 'gradients', 'simplify', 'title']);
    expect(doc.paths['/v1/backprop']!.post!.responses).toHaveProperty('422');
    expect(doc.components.schemas.ProblemFile!.required).toEqual(['equations']);
    expect(Object.keys(doc.components.schemas.ProblemFile!.properties!)).toEqual(['equations', 'functions', 'values', 'wrt', 'roles', 'loss']);
    expect(doc.components.schemas).toHaveProperty('ProblemDetails');
    expect(doc.components.schemas).toHaveProperty('GradcheckRequest');
    expect(doc.components.schemas).toHaveProperty('CheckRequest');
  });

  it('lists `values` of a backprop answer, and of its rounded path, as optional: values=false leaves both out', async () => {
    const doc = (await (await app.request('/openapi.json')).json()) as { components: { schemas: Record<string, { properties: Record<string, { required?: string[] }>; required?: string[] }> } };
    const backprop = doc.components.schemas.Backprop!;
    expect(backprop.required).toEqual(['loss', 'gradients']);
    expect(backprop.properties.rounded!.required).toEqual(['loss', 'gradients']);
    const answer = (await (await app.request('/v1/backprop?values=false&round=2', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ equations: 'L = 1/2 ||W x||^2', values: { W: [[1, 2]], x: [1, 1] }, wrt: ['W'] }) })).json()) as Record<string, Record<string, unknown>>;
    expect(Object.keys(answer).sort()).toEqual(['gradients', 'loss', 'round', 'rounded']);
    expect(Object.keys(answer.rounded!).sort()).toEqual(['gradients', 'loss']);
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI from local, pinned assets: no other origin, no inline script', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<script>|<script(?![^>]*\ssrc=)[^>]*>/);
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(urls).toEqual(expect.arrayContaining(['/docs/assets/swagger-ui-bundle.js', '/docs/assets/init.js', '/docs/assets/swagger-ui.css']));

    // Each asset is the installed swagger-ui-dist file, byte for byte, with its media type.
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('swagger-ui-dist/package.json'));
    expect(JSON.parse(readFileSync(path.join(dist, 'package.json'), 'utf8')).version).toBe(require('../../../package.json').dependencies['swagger-ui-dist'].replace(/^\^/, ''));
    for (const url of urls) {
      const asset = await app.request(url);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
      const file = url.replace('/docs/assets/', '');
      if (file === 'init.js') continue;
      expect(asset.headers.get('content-type'), url).toMatch(file.endsWith('.js') ? /^text\/javascript/ : file.endsWith('.css') ? /^text\/css/ : /^image\/png/);
      expect(Buffer.from(await asset.arrayBuffer()).equals(readFileSync(path.join(dist, file))), url).toBe(true);
    }
  });

  it('starts Swagger UI on /openapi.json from a script file', async () => {
    const init = await app.request('/docs/assets/init.js');
    expect(init.headers.get('content-type')).toMatch(/^text\/javascript/);
    const script = await init.text();
    expect(script).toContain("url: '/openapi.json'");
    expect(script).toContain('SwaggerUIBundle(');
  });

  it('serves nothing else from the package', async () => {
    for (const file of ['package.json', 'index.html', '..%2Fpackage.json', 'swagger-ui-bundle.js.map', 'constructor', '__proto__', 'toString']) {
      const res = await app.request(`/docs/assets/${file}`);
      expect(res.status, file).toBe(404);
    }
  });
});
