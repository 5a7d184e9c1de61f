import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, Semaphore, checkProblemLimits, equationCount, estimateWork, valueShape } from './limits.ts';
import { q3Problem } from './test-support.ts';

describe('limits', () => {
  it('reads the shape of a value as written', () => {
    expect(valueShape(3)).toEqual([]);
    expect(valueShape([1, 2, 3])).toEqual([3]);
    expect(valueShape([[1, 2], [3, 4], [5, 6]])).toEqual([3, 2]);
    expect(valueShape([])).toEqual([0]);
  });

  it('counts equations in arrays, lines and LaTeX rows', () => {
    expect(equationCount(q3Problem())).toBe(7);
    expect(equationCount({ equations: 'y = W x\n\n  L = y\n' })).toBe(2);
    expect(equationCount({ equations: '\\begin{aligned} y &= W x \\\\ L &= y \\end{aligned}' })).toBe(2);
  });

  it('lets Question 3 through the defaults and estimates it as light work', () => {
    expect(() => checkProblemLimits(q3Problem(), DEFAULT_LIMITS)).not.toThrow();
    expect(estimateWork(q3Problem())).toBe(3 * 7 * 4 ** 3);
    expect(estimateWork(q3Problem())).toBeLessThan(DEFAULT_LIMITS.inlineWorkLimit);
  });

  it('hands out at most `limit` permits, each released once', () => {
    const semaphore = new Semaphore(2);
    const a = semaphore.tryAcquire()!;
    const b = semaphore.tryAcquire()!;
    expect(semaphore.tryAcquire()).toBeUndefined();
    a();
    a();
    expect(semaphore.inUse).toBe(1);
    expect(semaphore.tryAcquire()).toBeDefined();
    b();
  });
});
