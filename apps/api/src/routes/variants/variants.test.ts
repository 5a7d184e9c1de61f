import { createPool } from '@chainrule/compute';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../app.ts';
import { poolTasks } from '../../offload/pool.ts';
import { HANG_LIMITS, expectProblem, inlineTasks, postJson, q3Problem, stubPool } from '../../test-support.ts';
import type { VariantsAnswer } from './task.ts';

const tasks = inlineTasks();
/** L = sum(W x) with an n×n W. */
const square = (n: number) => ({ equations: ['L = sum(y)', 'y = W x'], values: { W: Array.from({ length: n }, () => Array(n).fill(0)), x: Array(n).fill(1) }, wrt: ['W'] });
const app = createApp({ pool: stubPool(() => Promise.reject(new Error('unused'))), tasks });

const variants = async (body: unknown) => {
  const res = await postJson(app, '/v1/variants', body);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as VariantsAnswer;
};

describe('POST /v1/variants', () => {
  it('makes variants of Q3 on the task pool, each with a key that agrees with /v1/backprop on it', async () => {
    const answer = await variants({ problem: 'q3', count: 3, seed: 7 });
    expect(tasks.calls).toContain('variants');
    expect(answer).toMatchObject({ seed: 7, requested: 3, complete: true });
    expect(answer.variants.map((v) => v.id)).toEqual(['variant-01', 'variant-02', 'variant-03']);
    expect(answer.csv.split('\r\n')[0]).toBe('variant,problem,key,sheet_md,sheet_tex,sheet_pdf,key_md,key_tex,key_pdf,loss,rounded_loss');
    for (const variant of answer.variants) {
      expect(variant.problem.equations).toEqual(q3Problem().equations);
      const res = await postJson(app, '/v1/backprop?round=2', variant.problem);
      const backprop = (await res.json()) as { loss: number; gradients: Record<string, number[][]>; rounded: { gradients: Record<string, number[][]> } };
      expect(variant.key.loss).toBeCloseTo(backprop.loss, 9);
      for (const name of ['W1', 'W2', 'W3']) {
        (variant.key.gradients[name] as number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo(backprop.gradients[name]!.flat()[i]!, 9));
        expect(variant.key.rounded.gradients[name]).toEqual(backprop.rounded.gradients[name]);
      }
      expect(variant.checks.inactiveUnits).toBeGreaterThanOrEqual(1);
      expect(variant.checks.largestRoundingError).toBeLessThanOrEqual(0.05);
    }
  });

  it('gives the same answer for the same seed, and sheets when asked', async () => {
    const body = { problem: 'q1', count: 2, seed: 3, constraints: { weights: { step: 0.1 } }, sheets: 'md' };
    const [first, second] = [await variants(body), await variants(body)];
    expect(second).toEqual(first);
    expect(first.constraints.weights).toEqual({ min: -1, max: 1, step: 0.1 });
    expect(first.variants[0]!.sheets!.student).toMatch(/Student sheet — variant-01/);
    expect(first.variants[0]!.sheets!.key).toMatch(/answer key[\s\S]*Backward pass/);
  });

  it('says which constraints failed when the budget runs out, and is 422 when nothing could be made', async () => {
    const partial = await variants({ problem: 'q3', count: 10, seed: 1, maxAttempts: 40 });
    expect(partial.complete).toBe(false);
    expect(partial.variants).toHaveLength(2);
    expect(partial.shortfall).toMatch(new RegExp(`^made ${partial.variants.length} of 10 variants in 40 attempts; the rejected candidates broke: `));
    const none = await expectProblem(await postJson(app, '/v1/variants', { problem: 'q3', count: 2, constraints: { minInactive: 6 }, maxAttempts: 30 }), 422, 'problem');
    expect(none.detail).toMatch(/no variant keeps the constraints: made 0 of 2 variants in 30 attempts; .*at least 6 inactive ReLU units \(30×\)/);
  });

  it('bounds the candidates by the estimated work of one: a matrix-vector product of 200 allows hundreds, not one', async () => {
    // 3 · 2 · (200·200 multiply-adds + the entries) per candidate: about 200 candidates in 5·10⁷ operations.
    const body = await expectProblem(await postJson(app, '/v1/variants', { problem: square(200), count: 1, maxAttempts: 20_000 }), 413, 'limit');
    const bound = body.limit as number;
    expect(bound).toBeGreaterThan(150);
    expect(bound).toBeLessThan(250);
  });

  it('is bounded: count, attempts and the size of the problem', async () => {
    const count = await expectProblem(await postJson(app, '/v1/variants', { problem: 'q3', count: 51 }), 413, 'limit');
    expect(count.detail).toMatch(/51 variants; at most 50 per request/);
    const attempts = await expectProblem(await postJson(app, '/v1/variants', { problem: 'q3', count: 1, maxAttempts: 20_001 }), 413, 'limit');
    expect(attempts.detail).toMatch(/20001 attempts; at most 20000/);
    const tooBig = await expectProblem(await postJson(app, '/v1/variants', { problem: square(300), count: 1 }), 413, 'limit');
    expect(tooBig).toMatchObject({ path: 'values.W' });
    expect(tooBig.detail).toMatch(/90000 entries/);
    // Y = A B of 256×200 and 200×256: 1.3·10⁷ multiply-adds, so a candidate (two forward and backward
    // passes, 3 · 2 · 1.4·10⁷ operations by the estimate) is over half the work bound: one is all it allows.
    const product = { equations: ['L = sum(Y)', 'Y = A B'], values: { A: Array.from({ length: 256 }, () => Array(200).fill(0)), B: Array.from({ length: 200 }, () => Array(256).fill(0)) }, wrt: ['A'] };
    const heavy = await expectProblem(await postJson(app, '/v1/variants', { problem: product, count: 1, maxAttempts: 2 }), 413, 'limit');
    expect(heavy).toMatchObject({ path: 'maxAttempts' });
    expect(heavy.detail).toMatch(/2 attempts; at most 1 for this problem/);
  });

  it('refuses bad requests with the JSON path of the fault', async () => {
    const order = await expectProblem(await postJson(app, '/v1/variants', { problem: 'q3', count: 1, constraints: { weights: { min: 1, max: -1 } } }), 422, 'problem');
    expect(order.path).toBe('constraints.weights.min');
    expect(order.detail).toMatch(/1 is larger than weights\.max \(-1\)/);
    await expectProblem(await postJson(app, '/v1/variants', { problem: 'q3', count: 1, constraints: { colour: 'red' } }), 422, 'validation');
    await expectProblem(await postJson(app, '/v1/variants', { problem: 'q2', count: 1 }), 422, 'validation');
    await expectProblem(await postJson(app, '/v1/variants', { problem: 'q3', count: 0 }), 422, 'validation');
    await expectProblem(await postJson(app, '/v1/variants', { problem: 'q3', count: 1, constructor: 1 }), 422, 'validation');
    const bare = await expectProblem(await postJson(app, '/v1/variants', { problem: { equations: 'y = W x', values: { W: [[1]] } }, count: 1 }), 422, 'problem');
    expect(bare).toMatchObject({ path: 'problem.values.x' });
    expect(bare.detail).toMatch(/'x' has no value/);
  });
});

describe('POST /v1/variants on a real worker', () => {
  const pool = createPool({ size: 1 });
  afterAll(() => pool.close());
  it('loads the task module in a worker and answers the same as inline', async () => {
    const onPool = createApp({ pool, tasks: poolTasks(pool), limits: HANG_LIMITS });
    const body = { problem: 'q3', count: 2, seed: 5 };
    const res = await postJson(onPool, '/v1/variants', body);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(await variants(body));
  });
});
