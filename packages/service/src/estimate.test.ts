import { parseProblem } from '@chainrule/problem';
import { q3Problem } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';
import { WORK_COSTS, estimateProblem } from './estimate.ts';
import { DEFAULT_SERVICE_LIMITS, checkEstimateLimits } from './limits.ts';

const matrix = (rows: number, columns: number) => Array.from({ length: rows }, () => new Array<number>(columns).fill(0.5));
const vector = (n: number) => new Array<number>(n).fill(0.5);

describe('estimateProblem', () => {
  it('counts the multiply-adds and entries of every op with its shapes, by hand', () => {
    // A B: 3·4·5 = 60 multiply-adds, 15 entries; (A B) x: 3·5 = 15, 3 entries; ‖u‖²: 3 multiply-adds, 1 entry.
    const problem = parseProblem({ equations: ['L = ||u||^2', 'u = A B x'], values: { A: matrix(3, 4), B: matrix(4, 5), x: vector(5) }, wrt: ['A'] });
    const estimate = estimateProblem(problem);
    expect(estimate.multiplyAdds).toBe(60 + 15 + 3);
    expect(estimate.entries).toBe(15 + 3 + 1);
    // Forward and backward (two forward passes' worth): 3 · (78 + 19).
    expect(estimate.operations).toBe(3 * (78 + 19));
    // L, ‖·‖², u | A, B, x, the two products.
    expect(estimate.nodes).toBe(2 + 5);
    // Every computed value (u: 3, L: 1) and the gradient of A (12).
    expect(estimate.resultEntries).toBe(3 + 1 + 12);
    expect(estimate.gradientEntries).toBe(12);
    expect(estimate.largest).toEqual({ equation: 'u', line: 2, shape: [3, 5], entries: 15 });
  });

  it('follows the equations in dependency order (Question 3 lists the loss first): its forward products 12 + 8 + 6', () => {
    const estimate = estimateProblem(parseProblem(q3Problem()));
    // Products 26; y − ŷ 2, ‖·‖² 2, 1/2 1, ½·‖·‖² 1, u3 + z2 2; relu counted as 10 per entry: 20 + 30.
    expect(estimate.multiplyAdds).toBe(26 + 2 + 2 + 1 + 1 + 2 + 20 + 30);
    expect(estimate.resultEntries).toBe(1 + 2 + 2 + 2 + 2 + 3 + 3 + 26);
  });

  it('counts a single equation of 4,000 16×16 factors as the heavy work it is (the old 3·equations·D³ said 12,288 multiply-adds per equation)', () => {
    const names = Array.from({ length: 4000 }, (_, i) => `W${i}`);
    const problem = parseProblem({ equations: [`u = ${names.join(' ')} x`, 'L = ||u||^2'], values: Object.fromEntries([...names.map((n) => [n, matrix(16, 16)]), ['x', vector(16)]]), wrt: ['W0'] });
    const estimate = estimateProblem(problem);
    // Left to right: 3,999 products of 16×16 matrices and one matrix-vector product.
    expect(estimate.multiplyAdds).toBe(3999 * 16 ** 3 + 16 * 16 + 16);
    expect(estimate.nodes).toBe(4001 + 4000 + 2);
    expect(estimate.work).toBeGreaterThan(100 * DEFAULT_SERVICE_LIMITS.inlineWorkLimit);
  });

  it('keeps deep expressions off the stack: a sum of 20,000 terms', () => {
    const problem = parseProblem({ equations: [`L = ${Array.from({ length: 20_000 }, () => 'a').join(' + ')}`], values: { a: 1 } });
    expect(estimateProblem(problem).nodes).toBe(39_999);
  });

  it('estimates a structure once: the same equations and shapes with other numbers take the cached estimate', () => {
    const problem = parseProblem(q3Problem());
    const first = estimateProblem(problem);
    const renumbered = { ...problem, values: { ...problem.values, x: [4, 3, 2, 1] } };
    expect(estimateProblem(renumbered)).toBe(first);
    const reshaped = { ...problem, values: { ...problem.values, x: [1, 2, 3, 4, 5] } };
    expect(estimateProblem(reshaped)).not.toBe(first);
    expect(estimateProblem({ ...problem, wrt: ['W1'] }).gradientEntries).toBe(12);
  });

  it('prices exact arithmetic by the size of its numbers: decimals that outgrow the fast form cost BigInt operations (count, not time)', () => {
    const names = Array.from({ length: 12 }, (_, i) => `A${i}`);
    const chain = (entry: number) =>
      parseProblem({ equations: ['L = ||u||^2', `u = ${names.join(' ')} x`], values: Object.fromEntries([...names.map((n) => [n, [[entry, entry], [entry, entry]]]), ['x', [entry, entry]]]), wrt: ['A0'] });
    const small = estimateProblem(chain(1));
    const long = estimateProblem(chain(0.123457));
    expect(long.operations).toBe(small.operations);
    // Whole numbers (the largest, 2 · (2^12)² in the loss, fits 2^53): every exact operation at the fast price.
    expect(small.work).toBe(WORK_COSTS.exactOperationNs * small.operations + WORK_COSTS.floatOperationNs * small.operations + WORK_COSTS.nodeNs * 3 * small.nodes);
    expect(small.work).toBeLessThan(DEFAULT_SERVICE_LIMITS.inlineWorkLimit);
    // Six decimals per factor: four factors in, 24 decimals (the fast form holds 22) — BigInt from there, and in the backward pass.
    expect(long.work).toBeGreaterThan(small.work + (WORK_COSTS.bigintOperationNs - WORK_COSTS.exactOperationNs) * (2 / 3) * long.operations);
    expect(long.work).toBeGreaterThanOrEqual(DEFAULT_SERVICE_LIMITS.inlineWorkLimit);
  });

  it('prices Question 3 at the fast decimal form (its numbers stay small): it runs on the calling thread', () => {
    const estimate = estimateProblem(parseProblem(q3Problem()));
    expect(estimate.work).toBe(WORK_COSTS.exactOperationNs * estimate.operations + WORK_COSTS.floatOperationNs * estimate.operations + WORK_COSTS.nodeNs * 3 * estimate.nodes);
    expect(estimate.work).toBeLessThan(DEFAULT_SERVICE_LIMITS.inlineWorkLimit);
    // An input with three decimals: only the scalar loss (scale 15, ~10^19.6) leaves the fast form; the vectors, and so the gradients, stay in it.
    const q3 = q3Problem();
    const decimals = estimateProblem(parseProblem({ ...q3, values: { ...q3.values, x: [1.234, 2, 3, 4] } }));
    expect(decimals.work).toBeGreaterThan(estimate.work);
    expect(decimals.work).toBeLessThan(estimate.work + WORK_COSTS.bigintOperationNs * 10);
    expect(decimals.work).toBeLessThan(DEFAULT_SERVICE_LIMITS.inlineWorkLimit);
  });

  it('costs equations that do not parse by their length, without throwing', () => {
    expect(estimateProblem({ equations: 'y = = x', values: {}, wrt: [] }).nodes).toBe(7);
  });
});

describe('checkEstimateLimits', () => {
  const outer = parseProblem({ equations: ['L = sum(P)', 'P = a b^T'], values: { a: vector(1024), b: vector(1024) }, wrt: ['a'] });

  it('refuses an intermediate over the limit before computing it, naming its equation and shape', () => {
    expect(() => checkEstimateLimits(estimateProblem(outer), DEFAULT_SERVICE_LIMITS)).toThrow(
      expect.objectContaining({
        status: 413,
        message: "the equation of 'P' (line 2) computes a 1024×1024 intermediate = 1048576 entries; at most 262144 per intermediate",
        extensions: expect.objectContaining({ equation: 'P', shape: [1024, 1024] }),
      }),
    );
  });

  it('counts the entries of the answer, and only the gradients with values: false', () => {
    const limits = { ...DEFAULT_SERVICE_LIMITS, maxResultEntries: 1000 };
    const small = parseProblem({ equations: ['L = sum(P)', 'P = a b^T'], values: { a: vector(32), b: vector(32) }, wrt: ['a', 'b'] });
    expect(() => checkEstimateLimits(estimateProblem(small), limits)).toThrow(expect.objectContaining({ status: 413, extensions: { entries: 1024 + 1 + 64, limit: 1000 } }));
    expect(() => checkEstimateLimits(estimateProblem(small), limits, { values: false })).not.toThrow();
  });
});
