import { q3Problem } from '@chainrule/test-support';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProblem, solveProblem } from './problem.ts';

// Hand-computed decimals of Question 3 (the sheet's numbers, worked on paper).
describe('exact answer keys: Question 3', () => {
  const solved = solveProblem(parseProblem(q3Problem()));
  it('every number is the exact decimal, not float64 noise', () => {
    expect(solved.result.loss).toBe(48.1977625);
    expect(solved.result.values.u1).toEqual([2.55, 3.9, 2.5]);
    expect(solved.result.values.y).toEqual([8.825, 5.93]);
    expect(solved.result.gradients.W3).toEqual([
      [19.95375, 30.5175, 19.5625],
      [15.1215, 23.127, 14.825],
    ]);
    expect((solved.result.gradients.W1 as number[][])[0]).toEqual([9.011, 18.022, 27.033, 36.044]);
    expect(solved.inexact).toEqual([]);
    const dW3 = solved.gradientGraph.gradientNode('W3', solved.gradientGraph.loss!)!;
    expect(solved.exact.get(dW3.id)!.data.map(String)).toEqual(['19.95375', '30.5175', '19.5625', '15.1215', '23.127', '14.825']);
  });

  it('rounds every step exactly when asked', () => {
    const rounded = solveProblem(parseProblem(q3Problem()), { round: 2 });
    expect(rounded.result.values.y).toEqual([8.83, 5.93]);
    expect(rounded.result.loss).toBe(48.24);
  });

  it('falls back to float64 at a sigmoid, and names where', () => {
    const problem = q3Problem();
    const sigmoid = solveProblem(parseProblem({ ...problem, functions: { f: 'sigmoid' } }));
    const labels = sigmoid.inexact.map((n) => `${n.label}:${n.reason}:${n.ops.join(',')}`);
    expect(labels).toContain('z1:op:sigmoid');
    expect(labels).toContain('z2:op:sigmoid');
    expect(labels).toContain('y:input:');
    expect(sigmoid.inexact.some((n) => n.label === 'u1')).toBe(false);
    expect(sigmoid.result.values.u1).toEqual([2.55, 3.9, 2.5]);
    const z1 = sigmoid.result.values.z1 as number[];
    expect(z1[0]).toBeCloseTo(1 / (1 + Math.exp(-2.55)), 15);
  });

  it('a fraction whose decimal does not end: 1/3 of a sum', () => {
    const solved = solveProblem(parseProblem({ equations: ['L = s / 3', 's = sum(x)'], values: { x: [0.1, 0.2, 0.7] }, wrt: ['x'] }));
    expect(solved.result.loss).toBe(1 / 3);
    const L = solved.graph.resolve('L')!;
    expect(solved.exact.get(L)!.data[0]!.toString()).toBe('1/3');
  });
});

// An independent reference in BigInt: every decimal scaled by 10^scale, sums and products of
// integers, for y = W2 relu(W1 x + b), L = ½‖y − t‖².
const SCALE = 3; // inputs have up to 3 decimals
const big = (v: number) => BigInt(Math.round(v * 10 ** SCALE)); // exact for the generated values
function referenceLoss(W1: number[][], b: number[], W2: number[][], x: number[], t: number[]): { num: bigint; den: bigint } {
  const s = 10n ** BigInt(SCALE);
  // u = W1 x + b at scale s²; z = relu(u); y = W2 z at s³; residual at s³; L = ½ Σ r² at s⁶.
  const u = W1.map((row, i) => row.reduce((acc, w, j) => acc + big(w) * big(x[j]!), 0n) + big(b[i]!) * s);
  const z = u.map((v) => (v > 0n ? v : 0n));
  const y = W2.map((row) => row.reduce((acc, w, j) => acc + big(w) * z[j]!, 0n));
  const r = y.map((v, i) => v - big(t[i]!) * s * s);
  return { num: r.reduce((acc, v) => acc + v * v, 0n), den: 2n * s ** 6n };
}

describe('exact answer keys: random decimal networks against a BigInt reference', () => {
  const decimal = fc.integer({ min: -3000, max: 3000 }).map((n) => n / 1000);
  const vec = (n: number) => fc.array(decimal, { minLength: n, maxLength: n });
  it('the loss is the nearest double of the exact rational', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), (n, h, m) =>
        fc.assert(
          fc.property(fc.array(vec(n), { minLength: h, maxLength: h }), vec(h), fc.array(vec(h), { minLength: m, maxLength: m }), vec(n), vec(m), (W1, b, W2, x, t) => {
            const solved = solveProblem(
              parseProblem({
                equations: ['L = 1/2 ||y - t||^2', 'y = W2 z', 'z = relu(u)', 'u = W1 x + b'],
                values: { W1, b, W2, x, t },
                wrt: ['W1', 'W2'],
              }),
            );
            const { num, den } = referenceLoss(W1, b, W2, x, t);
            const exact = solved.exact.get(solved.graph.resolve('L')!)!.data[0]!;
            // n/d equal as fractions: cross-multiplied.
            expect(exact.num * den).toBe(num * exact.den);
            // …and the reported double is that fraction correctly rounded: Number() of a decimal string is.
            expect(solved.result.loss).toBe(Number(decimalString(num, den)));
          }),
          { numRuns: 10 },
        ),
      ),
      { numRuns: 10 },
    );
  });
});

/** num/den as a decimal string (it ends: den is 2·10^k). */
function decimalString(num: bigint, den: bigint): string {
  const negative = num < 0n;
  let n = negative ? -num : num;
  // den = 2·10^k: n/den = 5n / 10^(k+1)
  const k = den.toString().length - 1;
  n *= 5n;
  const digits = n.toString().padStart(k + 2, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -(k + 1))}.${digits.slice(-(k + 1))}`;
}
