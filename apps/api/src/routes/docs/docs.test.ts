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
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/v1/backprop', '/v1/check', '/v1/gradcheck', '/v1/graph', '/v1/solutions/{question}']);
    expect(doc.paths['/v1/backprop']!.post!.requestBody!.content['application/json']!.schema).toEqual({ $ref: '#/components/schemas/ProblemFile' });
    expect(doc.paths['/v1/backprop']!.post!.parameters!.map((p) => p.name)).toEqual(['round', 'steps', 'decimals']);
    expect(doc.paths['/v1/graph']!.post!.parameters!.map((p) => p.name)).toEqual(['format', 'gradients', 'simplify', 'title']);
    expect(doc.paths['/v1/backprop']!.post!.responses).toHaveProperty('422');
    expect(doc.components.schemas.ProblemFile!.required).toEqual(['equations']);
    expect(Object.keys(doc.components.schemas.ProblemFile!.properties!)).toEqual(['equations', 'functions', 'values', 'wrt', 'roles', 'loss']);
    expect(doc.components.schemas).toHaveProperty('ProblemDetails');
    expect(doc.components.schemas).toHaveProperty('GradcheckRequest');
    expect(doc.components.schemas).toHaveProperty('CheckRequest');
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI pointed at the document', async () => {
    const res = await app.request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await res.text()).toContain('/openapi.json');
  });
});
