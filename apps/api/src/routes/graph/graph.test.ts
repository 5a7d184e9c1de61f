import type { GraphJson } from '@chainrule/export';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { createPool } from '@chainrule/compute';
import { poolTasks } from '../../offload/pool.ts';
import { HANG_LIMITS, expectProblem, postJson, q3Problem, stubPool } from '../../test-support.ts';

const computePool = createPool({ size: 1 });
const tasks = poolTasks(computePool);
const app = createApp({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks, limits: HANG_LIMITS });
afterAll(() => computePool.close());

/** Question 2: the equations alone, no values. */
const q2 = () => {
  const { equations, functions, wrt } = q3Problem();
  return { equations, functions, wrt };
};

describe('POST /v1/graph', () => {
  it('answers the forward graph as JSON by default (Question 2 a): a directed edge from every node to its users', async () => {
    const res = await postJson(app, '/v1/graph', q2());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const graph = (await res.json()) as GraphJson;
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(['L', 'W1', 'W2', 'W3', 'u1', 'u2', 'u3', 'x', 'y', 'yhat', 'z1', 'z2']);
    expect(graph.nodes.some((n) => n.added)).toBe(false);
    expect(graph.edges).toContainEqual({ from: 'W1', to: 'u1' });
    expect(graph.edges).toContainEqual({ from: 'x', to: 'u2' });
    expect(graph.edges).toContainEqual({ from: 'z1', to: 'u3' });
    expect(graph.nodes.find((n) => n.id === 'L')?.kind).toBe('loss');
  });

  it('adds the gradient nodes for wrt (Question 2 b), and simplification hides the one-in-one-out ones', async () => {
    const full = (await (await postJson(app, '/v1/graph?gradients=true', q2())).json()) as GraphJson;
    const added = full.nodes.filter((n) => n.added).map((n) => n.id);
    expect(added).toEqual(expect.arrayContaining(['dL/dW1', 'dL/dW2', 'dL/dW3', 'dL/dy']));
    expect(full.hidden).toEqual([]);
    const simple = (await (await postJson(app, '/v1/graph?gradients=1&simplify=true', q2())).json()) as GraphJson;
    expect(simple.hidden.length).toBeGreaterThan(0);
    expect(simple.nodes.filter((n) => n.added).length).toBe(added.length - simple.hidden.length);
  });

  it.each([
    ['dot', 'text/vnd.graphviz', 'digraph'],
    ['mermaid', 'text/vnd.mermaid', 'flowchart'],
    ['tikz', 'application/x-tex', '\\begin{tikzpicture}'],
  ])('exports %s as %s', async (format, mediaType, start) => {
    const res = await postJson(app, `/v1/graph?format=${format}&gradients=true&title=Q2`, q2());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(mediaType);
    expect(await res.text()).toContain(start);
  });

  it('lays out SVG on the task pool, off the event loop', async () => {
    const res = await postJson(app, '/v1/graph?format=svg&gradients=true&simplify=true', q2());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/svg+xml');
    const svg = await res.text();
    expect(svg).toContain('<svg');
    expect(svg).toContain('W3');
  });

  it('asks for wrt when gradient nodes are wanted without parameters', async () => {
    const body = await expectProblem(await postJson(app, '/v1/graph?gradients=true', { equations: q2().equations, functions: { f: 'relu' } }), 422, 'problem');
    expect(body.path).toBe('wrt');
  });

  it('rejects an unknown format with the query parameter named', async () => {
    const body = await expectProblem(await postJson(app, '/v1/graph?format=png', q2()), 422, 'validation');
    expect(body.errors).toEqual([expect.objectContaining({ path: 'format', in: 'query' })]);
  });
});
