import { seededRandom } from '@chainrule/bench';
import { describe, expect, it } from 'vitest';
import { newNumbers } from './random.ts';

describe('newNumbers (the fallback when no variant keeps the constraints)', () => {
  it('keeps every shape, whole numbers whole, one-hot targets one-hot, other values on the 0.05 grid', () => {
    const values = { x: [1, 2, 3, 4], yhat: [1, 0], W: [[0.4, 0.5], [0.25, -0.1]], s: 0.3 };
    for (let seed = 1; seed <= 50; seed++) {
      const fresh = newNumbers(values, seededRandom(seed)) as typeof values;
      expect(fresh.x).toHaveLength(4);
      expect(fresh.x.every(Number.isInteger)).toBe(true);
      expect([...fresh.yhat].sort()).toEqual([0, 1]);
      expect(fresh.W.map((row) => row.length)).toEqual([2, 2]);
      for (const v of [...fresh.W.flat(), fresh.s]) {
        expect(Math.abs(v * 20 - Math.round(v * 20))).toBeLessThan(1e-9);
        expect(v).toBeGreaterThanOrEqual(-1);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
  });
});
