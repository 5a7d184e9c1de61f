import { describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { Q3_LOSS, Q3_W3_GRADIENT, expectProblem, inlineTasks, postJson, q3Problem, stubPool } from '../../test-support.ts';

const tasks = inlineTasks();
const app = createApp({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks });

interface Result {
  loss: number;
  values: Record<string, number[]>;
  gradients: Record<string, number[][]>;
  round?: number;
  rounded?: Result;
  steps?: { format: string; mediaType: string; text: string };
}

function expectMatrixClose(actual: number[][] | undefined, expected: number[][]): void {
  expect(actual).toHaveLength(expected.length);
  expected.forEach((row, i) => row.forEach((value, j) => expect(actual![i]![j]).toBeCloseTo(value, 10)));
}

describe('POST /v1/backprop', () => {
  it('solves Question 3: the loss, every value and the gradients (its exact answer is estimated under the 2 ms inline budget: on the event loop)', async () => {
    const res = await postJson(app, '/v1/backprop', q3Problem());
    expect(res.status).toBe(200);
    const result = (await res.json()) as Result;
    expect(result.loss).toBeCloseTo(Q3_LOSS, 10);
    expectMatrixClose(result.gradients.W3, Q3_W3_GRADIENT);
    expect(result.values.u1![0]).toBeCloseTo(2.55, 12);
    expect(result.values.y![0]).toBeCloseTo(8.825, 12);
    expect(Object.keys(result.gradients)).toEqual(['W1', 'W2', 'W3']);
    expect(result).not.toHaveProperty('rounded');
    expect(tasks.calls).toEqual([]);
  });

  it('adds the path of a student who rounds every step, with round', async () => {
    const result = (await (await postJson(app, '/v1/backprop?round=2', q3Problem())).json()) as Result;
    expect(result.loss).toBeCloseTo(Q3_LOSS, 10);
    expect(result.round).toBe(2);
    for (const value of Object.values(result.rounded!.values).flat()) expect(Math.round(value * 100) / 100).toBeCloseTo(value, 12);
    expect(result.rounded!.values.u1).toEqual([2.55, 3.9, 2.5]);
  });

  it.each([
    ['md', 'text/markdown'],
    ['latex', 'application/x-latex'],
    ['text', 'text/plain'],
  ])('renders the worked steps as %s on the task pool', async (format, mediaType) => {
    const before = tasks.calls.length;
    const result = (await (await postJson(app, `/v1/backprop?steps=${format}&round=2`, q3Problem())).json()) as Result;
    expect(result.loss).toBeCloseTo(Q3_LOSS, 10);
    expect(result.rounded?.loss).toBeDefined();
    expect(result.steps).toMatchObject({ format });
    expect(result.steps!.mediaType).toContain(mediaType);
    expect(result.steps!.text).toMatch(/Forward pass/i);
    expect(result.steps!.text).toContain('2.55');
    expect(tasks.calls.slice(before)).toEqual(['backprop']);
  });

  it('answers an equation that does not parse with its line, column and path', async () => {
    const problem = { ...q3Problem(), equations: 'L = 1/2 ||y - ŷ||^2\ny = u3 + z2\nu3 = W3 z1\nz2 = f(u2\nu2 = W2 x\nz1 = f(u1)\nu1 = W1 x' };
    const body = await expectProblem(await postJson(app, '/v1/backprop', problem), 422, 'parse');
    expect(body).toMatchObject({ path: 'equations', line: 4 });
    expect(body.column).toBeGreaterThan(1);
    expect(body.detail).toMatch(/^equations, line 4, column \d+: /);
  });

  it('answers a value of the wrong shape with the equation that cannot use it', async () => {
    const problem = q3Problem();
    problem.values.W3 = [[1, 0.5], [0.2, 0.3]];
    const body = await expectProblem(await postJson(app, '/v1/backprop', problem), 422, 'shape');
    expect(body.path).toBe('equations[2]');
    expect(body.detail).toContain('u3 = W3 z1');
  });

  it('answers a missing value with its JSON path', async () => {
    const problem = q3Problem();
    delete (problem.values as Record<string, unknown>).W2;
    const body = await expectProblem(await postJson(app, '/v1/backprop', problem), 422, 'value');
    expect(body.path).toBe('values.W2');
  });
});
