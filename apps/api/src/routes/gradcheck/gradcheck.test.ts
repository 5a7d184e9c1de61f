import { createPool } from '@chainrule/compute';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { HANG_LIMITS, Q3_W3_GRADIENT, expectProblem, inlineTasks, postJson, q3Problem } from '../../test-support.ts';

const pool = createPool({ size: 2 });
const app = createApp({ pool, tasks: inlineTasks(), limits: { ...HANG_LIMITS, maxGradcheckEntries: 30 } });
afterAll(() => pool.close());

interface Check {
  pass: boolean;
  maxRelativeError: number;
  ranOn: string;
  parameters: { name: string; pass: boolean; index: number[]; numeric: number; symbolic: number }[];
  numeric: Record<string, number[][]>;
}

describe('POST /v1/gradcheck', () => {
  it('checks the symbolic gradients of Question 3 by central differences, on the compute pool', async () => {
    const res = await postJson(app, '/v1/gradcheck', { problem: q3Problem() });
    expect(res.status).toBe(200);
    const check = (await res.json()) as Check;
    expect(check.pass).toBe(true);
    expect(check.ranOn).toBe('pool');
    expect(check.maxRelativeError).toBeLessThan(1e-6);
    expect(check.parameters.map((p) => p.name)).toEqual(['W1', 'W2', 'W3']);
    check.numeric.W3!.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(Q3_W3_GRADIENT[i]![j]!, 5)));
  });

  it("finds the wrong entry of a student's gradient", async () => {
    const W3 = structuredClone(Q3_W3_GRADIENT);
    W3[1]![2] = 14.9;
    const check = (await (await postJson(app, '/v1/gradcheck', { problem: q3Problem(), gradients: { W3 } })).json()) as Check;
    expect(check.pass).toBe(false);
    expect(check.parameters.find((p) => p.name === 'W3')).toMatchObject({ pass: false, index: [1, 2], symbolic: 14.9 });
  });

  it('locates faults of the problem inside `problem`, and of the gradients in `gradients`', async () => {
    const problem = q3Problem();
    problem.values.W1 = [[0.4, 0.5], [0.2, 0.25], [0.1, 0.75]];
    const shape = await expectProblem(await postJson(app, '/v1/gradcheck', { problem }), 422, 'shape');
    expect(shape.path).toBe('problem.equations[6]');
    const gradients = await expectProblem(await postJson(app, '/v1/gradcheck', { problem: q3Problem(), gradients: { W3: [[1, 2]] } }), 422, 'shape');
    expect(gradients.path).toBe('gradients.W3');
    const schema = await expectProblem(await postJson(app, '/v1/gradcheck', { problem: q3Problem(), h: -1 }), 422, 'validation');
    expect(schema.path).toBe('h');
  });

  it('refuses more parameter entries than the limit, before any work', async () => {
    const problem = q3Problem();
    problem.values.W1 = Array.from({ length: 3 }, () => [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
    problem.values.x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const body = await expectProblem(await postJson(app, '/v1/gradcheck', { problem }), 413, 'limit');
    expect(body).toMatchObject({ path: 'problem.wrt', entries: 44, limit: 30 });
  });
});
