import { parseProblem } from '@chainrule/problem';
import { q3Problem } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_LIMITS, checkProblemLimits, equationCount, estimateWork } from './limits.ts';

const q3 = () => parseProblem(q3Problem());

describe('equationCount', () => {
  it('counts equations in arrays, lines and LaTeX rows', () => {
    expect(equationCount(q3())).toBe(7);
    expect(equationCount({ equations: 'y = W x\n\n  L = y\n' })).toBe(2);
    expect(equationCount({ equations: '\\begin{aligned} y &= W x \\\\ L &= y \\end{aligned}' })).toBe(2);
  });
});

describe('estimateWork', () => {
  it('bounds the multiply-adds of Question 3 counted by hand', () => {
    // Forward W1 x (3·4), W2 x (2·4), W3 z1 (2·3); backward ∂L/∂W3 (2·3), W3ᵀ ∂L/∂y (3·2), ∂L/∂W1 (3·4), ∂L/∂W2 (2·4).
    const byHand = 12 + 8 + 6 + 6 + 6 + 12 + 8;
    expect(estimateWork(q3())).toBeGreaterThanOrEqual(byHand);
    expect(estimateWork(q3())).toBeLessThan(DEFAULT_SERVICE_LIMITS.inlineWorkLimit);
  });

  it('bounds a product of two n×n matrices (n³ forward, 2n³ backward) and sends n = 128 off the calling thread', () => {
    for (const n of [4, 32, 128]) {
      const square = Array.from({ length: n }, () => new Array(n).fill(1));
      const problem = parseProblem({ equations: ['L = sum(Y)', 'Y = A B'], values: { A: square, B: square }, wrt: ['A', 'B'] });
      expect(estimateWork(problem)).toBeGreaterThanOrEqual(3 * n ** 3);
    }
    const n = 128;
    const square = Array.from({ length: n }, () => new Array(n).fill(1));
    expect(estimateWork(parseProblem({ equations: ['L = sum(Y)', 'Y = A B'], values: { A: square, B: square } }))).toBeGreaterThanOrEqual(DEFAULT_SERVICE_LIMITS.inlineWorkLimit);
  });
});

describe('checkProblemLimits', () => {
  it('lets Question 3 through the defaults', () => {
    expect(() => checkProblemLimits(q3(), DEFAULT_SERVICE_LIMITS)).not.toThrow();
  });

  it('names the value, its shape and the limit', () => {
    const limits = { ...DEFAULT_SERVICE_LIMITS, maxValueEntries: 10, maxDimension: 4, maxEquations: 7 };
    expect(() => checkProblemLimits(q3(), limits)).toThrow(expect.objectContaining({ message: '3×4 = 12 entries; at most 10 per value', location: { path: ['values', 'W1'] } }));
    expect(() => checkProblemLimits(parseProblem({ equations: 'L = 1/2 ||x||^2', values: { x: [1, 2, 3, 4, 5] } }), limits)).toThrow(
      expect.objectContaining({ extensions: { shape: [5], limit: 4 } }),
    );
    const long = parseProblem({ equations: Array.from({ length: 8 }, (_, i) => `y${i + 1} = 2 y${i}`), values: { y0: 1 } });
    expect(() => checkProblemLimits(long, limits)).toThrow(expect.objectContaining({ status: 413, extensions: { count: 8, limit: 7 } }));
  });
});
