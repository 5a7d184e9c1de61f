import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { createPool } from '@chainrule/compute';
import { type TaskRunner, poolTasks } from '../../offload/pool.ts';
import { HANG_LIMITS, Q3_LOSS, expectProblem, stubPool } from '../../test-support.ts';

const pool = createPool({ size: 1 });
const onPool = poolTasks(pool);
let runs = 0;
const tasks: TaskRunner = {
  size: onPool.size,
  split: (total) => onPool.split(total),
  task: (...args) => {
    runs++;
    return onPool.task(...args);
  },
  tasks: (...args) => onPool.tasks(...args),
  stats: () => onPool.stats(),
};
const app = createApp({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks, limits: HANG_LIMITS });
afterAll(() => pool.close());

describe('GET /v1/solutions/{question}', () => {
  it('answers Question 3 as JSON by default, the result keys at the top', async () => {
    const res = await app.request('/v1/solutions/q3');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const q3 = (await res.json()) as { id: string; loss: number; gradients: Record<string, number[][]>; rounded: { loss: number } };
    expect(q3.id).toBe('q3');
    expect(q3.loss).toBeCloseTo(Q3_LOSS, 10);
    expect(q3.gradients.W3![0]![0]).toBeCloseTo(19.95375, 10);
  });

  it.each([
    ['md', 'text/markdown', '## Question 3'],
    ['latex', 'application/x-latex', '\\documentclass'],
    ['text', 'text/plain', 'Question 3'],
  ])('renders format=%s as %s', async (format, mediaType, marker) => {
    const res = await app.request(`/v1/solutions/q3?format=${format}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain(mediaType);
    expect(await res.text()).toContain(marker);
  });

  it('says that Question 1 uses the stand-in network, in every format', async () => {
    for (const format of ['json', 'md', 'latex', 'text']) {
      const text = await (await app.request(`/v1/solutions/q1?format=${format}`)).text();
      expect(text, format).toMatch(/stand-in/i);
    }
  });

  it('answers Question 2: the graph with the added gradient nodes', async () => {
    const res = await app.request('/v1/solutions/q2?format=md');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('Question 2');
  });

  it('renders each document once and serves it from memory after that', async () => {
    await app.request('/v1/solutions/q3?format=text&round=3');
    const before = runs;
    const [a, b] = await Promise.all([app.request('/v1/solutions/q3?format=text&round=3'), app.request('/v1/solutions/q3?format=text&round=3')]);
    expect(await a.text()).toBe(await b.text());
    expect(runs).toBe(before);
    expect(a.headers.get('cache-control')).toContain('max-age');
  });

  it('rejects an unknown question and format', async () => {
    expect((await expectProblem(await app.request('/v1/solutions/q4'), 422, 'validation')).errors).toEqual([expect.objectContaining({ path: 'question', in: 'path' })]);
    expect((await expectProblem(await app.request('/v1/solutions/q3?format=pdf'), 422, 'validation')).errors).toEqual([expect.objectContaining({ path: 'format', in: 'query' })]);
  });
});
