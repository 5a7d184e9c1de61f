import { ChainruleError, tensor } from '@chainrule/tensor';
import { Q3_DATA, q3ByHand } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';
import { buildGraph } from './build.ts';
import { evaluate, evaluateExpr } from './evaluate.ts';
import { apply, constant, ref } from './expr.ts';
import { gradientGraph } from './gradient.ts';

const fault = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return error instanceof ChainruleError ? { code: error.code, message: error.message, location: error.location } : error;
  }
  return 'no error';
};

describe('evaluate', () => {
  it('computes a layer with a bias in the column convention, checked by hand', () => {
    // W x = [1·1 + 2·2, 3·1 + 4·2] = [5, 11]; + b = [5.5, 10]; relu → [5.5, 10]; L = 5.5 + 10.
    const graph = buildGraph(['L = sum(z)', 'z = relu(W x + b)'], { wrt: ['W'] });
    const values = evaluate(graph, { W: [[1, 2], [3, 4]], x: [1, 2], b: [0.5, -1] });
    expect(values.get('z')!.toArray()).toEqual([5.5, 10]);
    expect(values.get('L')!.item()).toBe(15.5);
  });

  it('adds a bias vector to every column of a batch (one example per column)', () => {
    // W X for X = [[1, 0], [0, 1]] is W itself; b = [10, 20] is a column: row i gets b_i.
    const graph = buildGraph(['L = sum(Y)', 'Y = W X + b']);
    const values = evaluate(graph, { W: [[1, 2], [3, 4]], X: [[1, 0], [0, 1]], b: [10, 20] });
    expect(values.get('Y')!.toArray()).toEqual([[11, 12], [23, 24]]);
    const grads = evaluate(gradientGraph(buildGraph(['L = sum(Y)', 'Y = W X + b'], { wrt: ['b'] }), ['b']), { W: [[1, 2], [3, 4]], X: [[1, 0], [0, 1]], b: [10, 20] });
    // ∂L/∂b_i = the number of columns b_i was added to: 2 each.
    expect(grads.get('dL/db')!.toArray()).toEqual([2, 2]);
  });

  it('matches the hand computation of Question 3, exactly and rounding every step to 2 decimals', () => {
    const graph = buildGraph(['L = 1/2 ||y - yhat||^2', 'y = u3 + z2', 'u3 = W3 z1', 'z2 = f(u2)', 'u2 = W2 x', 'z1 = f(u1)', 'u1 = W1 x', 'f = relu']);
    const values = { x: Q3_DATA.x, yhat: Q3_DATA.yhat, W1: Q3_DATA.W1, W2: Q3_DATA.W2, W3: Q3_DATA.W3 };
    const exact = evaluate(graph, values);
    const byHand = q3ByHand();
    for (const id of ['u1', 'z1', 'u2', 'z2', 'u3', 'y'] as const) {
      Array.from(exact.get(id)!.data).forEach((v, i) => expect(v, `${id}[${i}]`).toBeCloseTo(byHand[id][i]!, 12));
    }
    expect(exact.get('L')!.item()).toBeCloseTo(byHand.L, 12);
    const rounded = evaluate(graph, values, { round: 2 });
    const roundedByHand = q3ByHand({ round: 2 });
    expect(rounded.get('L')!.item()).toBe(roundedByHand.L);
    expect(rounded.get('y')!.toArray()).toEqual(roundedByHand.y);
  });

  it('accepts leaf values in any spelling of their names, as tensors or plain numbers', () => {
    const graph = buildGraph(['L = sum(y)', 'y = W_1 x'], {});
    const values = evaluate(graph, new Map<string, unknown>([['W₁', tensor([[2, 3]])], ['x', [1, 1]]]) as never);
    expect(values.get('L')!.item()).toBe(5);
  });

  it('names a missing leaf and the equations that use it, with its JSON path', () => {
    const graph = buildGraph(['L = sum(y)', 'y = W x']);
    expect(fault(() => evaluate(graph, { W: [[1]] }))).toEqual({
      code: 'value',
      message: "no value given for input 'x' (used in line 2: y = W x)",
      location: { path: ['values', 'x'] },
    });
  });

  it('names the equation and both shapes when they do not fit, and the convention for x W', () => {
    const graph = buildGraph(['L = sum(y)', 'y = x W']);
    const error = fault(() => evaluate(graph, { W: [[1, 2], [3, 4]], x: [1, 1] })) as { code: string; message: string };
    expect(error.code).toBe('shape');
    expect(error.message).toBe(
      "in 'y = x W': matmul: shapes [2] and [2×2] do not fit (a vector is an n×1 column, so it cannot multiply a matrix of 2 rows from the left: write Wᵀ x, or give the vector as a 1×n matrix)",
    );
  });

  it('refuses a non-finite value, naming the equation and the entry', () => {
    const graph = buildGraph(['L = sum(z)', 'z = log(u)']);
    expect(fault(() => evaluate(graph, { u: [1, 0] }))).toMatchObject({
      code: 'value',
      message: "'z = log(u)' gives -Infinity at entry 1 of z: a log of 0, a division by 0 or an overflow",
    });
  });

  it('refuses an outer product that overflows or reads an infinity, and takes one that does not (the product\'s finiteness test)', () => {
    // A 9×9 outer product (81 entries: the size at which its op's test is asked instead of a pass over it).
    const graph = buildGraph(['L = sum(P)', 'P = u vT', 'vT = v^T']);
    const u = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const v = [1, -1, 2, -2, 3, -3, 4, -4, 0.5];
    const P = evaluate(graph, { u, v }).get('P')!.toArray() as number[][];
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) expect(P[i]![j]).toBe(u[i]! * v[j]!);
    // 1e200 · 1e200 overflows at entry (8, 0) = 72, though every operand is finite.
    const big = [...u.slice(0, 8), 1e200];
    expect(fault(() => evaluate(graph, { u: big, v: [1e200, ...v.slice(1)] }))).toMatchObject({
      code: 'value',
      message: "'P = u vT' gives Infinity at entry 72 of P: a log of 0, a division by 0 or an overflow",
    });
    // An infinite operand: the test says "not sure", the pass over the result finds it.
    expect(fault(() => evaluate(graph, { u: [...u.slice(0, 8), Infinity], v }))).toMatchObject({ code: 'value', message: expect.stringContaining('gives Infinity at entry 72 of P') });
  });

  it('refuses to differentiate a loss that is not a number', () => {
    const graph = gradientGraph(buildGraph(['L = W x'], { wrt: ['W'] }), ['W']);
    expect((fault(() => evaluate(graph, { W: [[1, 2], [3, 4]], x: [1, 1] })) as { message: string }).message).toMatch(/^L has shape \[2\], but what is differentiated \(the loss\) must be a number/);
  });
});

describe('evaluateExpr', () => {
  it('evaluates one expression over given values and shares repeated subexpressions through the memo', () => {
    const u = ref('u');
    const square = apply('mul', [u, u]);
    const memo = new Map();
    // (2² + 2²) · 1/2 = 4
    const e = apply('mul', [constant(0.5), apply('add', [square, square])]);
    expect(evaluateExpr(e, new Map([['u', tensor(2)]]), memo).item()).toBe(4);
    expect(memo.has(square)).toBe(true);
    expect(() => evaluateExpr(ref('v'), new Map())).toThrow("'v' read before it was computed");
  });
});
