import { parseProblem } from '@chainrule/problem';
import { q3Problem } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SERVICE_LIMITS, checkProblemLimits, equationCount } from './limits.ts';

const q3 = () => parseProblem(q3Problem());

describe('equationCount', () => {
  it('counts equations in arrays, lines and LaTeX rows', () => {
    expect(equationCount(q3())).toBe(7);
    expect(equationCount({ equations: 'y = W x\n\n  L = y\n' })).toBe(2);
    expect(equationCount({ equations: '\\begin{aligned} y &= W x \\\\ L &= y \\end{aligned}' })).toBe(2);
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
