import { ChainruleError } from '@chainrule/graph';
import { describe, expect, it } from 'vitest';
import { createGrader } from './grade.ts';
import { parseProblem } from '@chainrule/problem';
import { Q3_POINTS, questionPoints, spreadPoints } from './points.ts';

const sum = (items: Record<string, number>) => Object.values(items).reduce((a, b) => a + b, 0);

describe('points schemes', () => {
  it('Q3 is worth 7: 3 for the forward pass, 4 for the gradients of the weights', () => {
    expect(sum(Q3_POINTS.items)).toBe(7);
    expect(Q3_POINTS.total).toBe(7);
    const { items } = questionPoints('q3');
    expect(items['∂L/∂W1']! + items['∂L/∂W2']! + items['∂L/∂W3']!).toBe(4);
  });

  it('Q1 is worth 6, the gradients of all weights and biases dominate', () => {
    const scheme = questionPoints('q1');
    expect(scheme.total).toBe(6);
    expect(sum(scheme.items)).toBeCloseTo(6, 12);
    expect(scheme.items).toEqual({ a1: 0.2, h1: 0.2, a2: 0.2, h2: 0.2, L: 0.2, '∂L/∂W1': 1.25, '∂L/∂b1': 1.25, '∂L/∂W2': 1.25, '∂L/∂b2': 1.25 });
  });

  it('Q1 spreads its points over any layered network', () => {
    const network = {
      input: [1, 2],
      target: [1],
      layers: [
        { W: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], b: [0, 0, 0], activation: 'relu' as const },
        { W: [[1, 1, 1]], activation: 'identity' as const },
      ],
      loss: 'half-squared-error' as const,
    };
    const scheme = questionPoints('q1', { network });
    expect(sum(scheme.items)).toBeCloseTo(6, 12);
    expect(Object.keys(scheme.items)).toEqual(['a1', 'h1', 'a2', 'h2', 'L', '∂L/∂W1', '∂L/∂b1', '∂L/∂W2']);
    expect(() => createGrader('q1', { network })).not.toThrow();
  });

  it('spreads points in whole hundredths that sum to the total and are never negative (4 points over 61 steps)', () => {
    // 60 layers h_k = tanh(h_{k-1}) and the loss: 61 computed values share 4 points, the gradient 2.
    const equations = ['h1 = tanh(W x)', ...Array.from({ length: 59 }, (_, k) => `h${k + 2} = tanh(h${k + 1})`), 'L = 1/2 ||h60 - yhat||^2'];
    const problem = parseProblem({ equations, values: { W: [[0.5]], x: [1], yhat: [0] }, wrt: ['W'] });
    const { items } = spreadPoints(problem, { total: 6, forward: 4 });
    const forward = Object.entries(items).filter(([name]) => !name.startsWith('∂'));
    expect(forward).toHaveLength(61);
    // 400 hundredths over 61: 6 each (366) and 34 left over, one each to the last 34.
    expect(forward.filter(([, p]) => p === 0.06)).toHaveLength(27);
    expect(forward.filter(([, p]) => p === 0.07)).toHaveLength(34);
    expect(items['∂L/∂W']).toBe(2);
    expect(sum(items)).toBeCloseTo(6, 12);
    expect(() => createGrader(problem, { points: { total: 6, items } })).not.toThrow();
  });

  it.each([
    [{ total: 7, items: { u1: 7.5 } }, 'points.total', /sum to 7.5, not to the total 7/],
    [{ total: 1, items: { foo: 1 } }, 'points.items.foo', /'foo' is not a step/],
    [{ total: 1, items: { W1: 1 } }, 'points.items.W1', /given by the problem.*did you mean ∂L\/∂W1\?/],
    [{ total: 1, items: { u1: -1, u2: 2 } }, 'points.items.u1', /≥ 0/],
  ])('a bad scheme %j is refused with its path', (points, path, message) => {
    let error: unknown;
    try {
      createGrader('q3', { points });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChainruleError);
    expect((error as ChainruleError).describe()).toMatch(`${path}: `);
    expect((error as ChainruleError).message).toMatch(message);
  });
});
