/**
 * The constraints, checked on 200 generated variants of Q1 and of Q3 each, by an independent
 * recomputation: the forward and backward pass written out by hand with plain arrays (no
 * evaluator, no graph), exact and rounded half away from zero after every step as a student does.
 */
import { questionProblem } from '@chainrule/assignment9';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateVariants } from './generate.ts';

type Vec = number[];
type Mat = number[][];

const r2 = (v: number) => (Math.sign(v) * Math.round(Math.abs(v) * 100 + 1e-7)) / 100 + 0;
const id = (v: number) => v;
const mv = (W: Mat, x: Vec, r: (v: number) => number) => W.map((row) => r(row.reduce((s, w, j) => s + w * x[j]!, 0)));
const mtv = (W: Mat, d: Vec, r: (v: number) => number) => W[0]!.map((_, j) => r(W.reduce((s, row, i) => s + row[j]! * d[i]!, 0)));
const outer = (a: Vec, b: Vec, r: (v: number) => number) => a.map((ai) => b.map((bj) => r(ai * bj)));
const zip = (a: Vec, b: Vec, f: (p: number, q: number) => number) => a.map((v, i) => f(v, b[i]!));
const relu = (v: number) => Math.max(0, v);
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const flat = (...parts: (number | Vec | Mat)[]) => parts.flat(2) as number[];

const onGrid = (v: number) => Math.abs(v / 0.05 - Math.round(v / 0.05)) < 1e-9 && v >= -1 - 1e-12 && v <= 1 + 1e-12;
const decimals4 = (v: number) => Math.abs(v * 1e4 - Math.round(v * 1e4)) < 1e-6 * Math.max(1, Math.abs(v));
const close = (a: number[], b: number[], tolerance = 1e-9) => a.length === b.length && a.every((v, i) => Math.abs(v - b[i]!) <= tolerance * Math.max(1, Math.abs(v)));

/** Question 3 by hand: u1 = W1 x, z1 = relu(u1), u3 = W3 z1, u2 = W2 x, z2 = relu(u2), y = u3 + z2, L = ½‖y − ŷ‖². */
function q3ByHand(values: Record<string, unknown>, r: (v: number) => number) {
  const x = values.x as Vec;
  const target = values['ŷ'] as Vec;
  const [W1, W2, W3] = [values.W1, values.W2, values.W3] as Mat[];
  const u1 = mv(W1!, x, r);
  const z1 = u1.map(relu);
  const u3 = mv(W3!, z1, r);
  const u2 = mv(W2!, x, r);
  const z2 = u2.map(relu);
  const y = zip(u3, z2, (a, b) => r(a + b));
  const dy = zip(y, target, (a, b) => r(a - b));
  const L = r(0.5 * dy.reduce((s, v) => s + v * v, 0));
  const du2 = zip(dy, u2, (g, u) => (u > 0 ? g : 0));
  const dz1 = mtv(W3!, dy, r);
  const du1 = zip(dz1, u1, (g, u) => (u > 0 ? g : 0));
  return { preActivations: [...u1, ...u2], values: flat(u1, z1, u3, u2, z2, y, L, dy, dz1), L, gradients: { W1: outer(du1, x, r), W2: outer(du2, x, r), W3: outer(dy, z1, r) } };
}

/** Question 1's stand-in form by hand: a1 = W1 x + b1, h1 = σ(a1), a2 = W2 h1 + b2, h2 = σ(a2), L = ½‖ŷ − h2‖². */
function q1ByHand(values: Record<string, unknown>, r: (v: number) => number) {
  const x = values.x as Vec;
  const target = values['ŷ'] as Vec;
  const [W1, W2] = [values.W1, values.W2] as Mat[];
  const [b1, b2] = [values.b1, values.b2] as Vec[];
  const a1 = zip(mv(W1!, x, id), b1!, (a, b) => r(a + b));
  const h1 = a1.map((v) => r(sigmoid(v)));
  const a2 = zip(mv(W2!, h1, id), b2!, (a, b) => r(a + b));
  const h2 = a2.map((v) => r(sigmoid(v)));
  const dh2 = zip(h2, target, (a, b) => r(a - b));
  const L = r(0.5 * zip(target, h2, (t, h) => (t - h) ** 2).reduce((s, v) => s + v, 0));
  const da2 = zip(dh2, a2, (g, a) => r(g * sigmoid(a) * (1 - sigmoid(a))));
  const dh1 = mtv(W2!, da2, r);
  const da1 = zip(dh1, a1, (g, a) => r(g * sigmoid(a) * (1 - sigmoid(a))));
  return { a1, L, gradients: { W1: outer(da1, x, r), b1: da1, W2: outer(da2, h1, r), b2: da2 } };
}

const seeds = fc.integer({ min: 0, max: 0xffffffff });
const RUNS = { numRuns: 200 };

describe('variants of Question 3 (200, checked by hand)', () => {
  const original = questionProblem('q3');
  it('keep every constraint, and the key is the hand computation', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const [variant] = generateVariants(original, { count: 1, seed }).variants;
        expect(variant).toBeDefined();
        const values = variant!.problem.values;
        // the grids: weights multiples of 0.05 in [−1, 1], inputs whole numbers 0…4, targets 0/1
        expect(flat(values.W1!, values.W2!, values.W3!).every(onGrid)).toBe(true);
        expect((values.x as Vec).every((v) => Number.isInteger(v) && v >= 1 && v <= 4)).toBe(true);
        expect((values['ŷ'] as Vec).every((v) => v === 0 || v === 1)).toBe(true);
        // the same equations, only new values
        expect(variant!.problem.equations).toEqual(original.equations);
        expect(JSON.stringify(values)).not.toBe(JSON.stringify(original.values));

        const exact = q3ByHand(values, id);
        const rounded = q3ByHand(values, r2);
        // ReLU inputs away from the kink on both paths, and at least one inactive unit
        for (const u of [...exact.preActivations, ...rounded.preActivations]) expect(Math.abs(u)).toBeGreaterThanOrEqual(0.1 - 1e-9);
        expect(exact.preActivations.some((u) => u < 0)).toBe(true);
        // exact values with at most 4 decimals (every op of Q3 allows it)
        expect(flat(...exact.values, ...Object.values(exact.gradients)).every(decimals4)).toBe(true);
        for (const name of ['W1', 'W2', 'W3'] as const) {
          const e = flat(exact.gradients[name]);
          const rd = flat(rounded.gradients[name]);
          expect(e.some((v) => v !== 0)).toBe(true);
          expect(rd.some((v) => v !== 0)).toBe(true);
          // rounding moves no gradient entry by more than the stated 0.05
          expect(Math.max(...e.map((v, i) => Math.abs(v - rd[i]!)))).toBeLessThanOrEqual(0.05 + 1e-12);
          // the key is the hand computation, exact and rounded
          expect(close(flat(variant!.key.gradients[name]!), e)).toBe(true);
          expect(close(flat(variant!.key.rounded.gradients[name]!), rd)).toBe(true);
        }
        expect(variant!.key.loss).toBeCloseTo(exact.L, 9);
        expect(variant!.key.rounded.loss).toBeCloseTo(rounded.L, 9);
      }),
      RUNS,
    );
  });
});

describe('variants of Question 1 (200, checked by hand)', () => {
  const original = questionProblem('q1');
  it('keep every constraint, and the key is the hand computation', () => {
    fc.assert(
      fc.property(seeds, (seed) => {
        const [variant] = generateVariants(original, { count: 1, seed }).variants;
        expect(variant).toBeDefined();
        const values = variant!.problem.values;
        expect(flat(values.W1!, values.W2!, values.b1!, values.b2!).every(onGrid)).toBe(true);
        expect((values.x as Vec).every((v) => Number.isInteger(v) && v >= 1 && v <= 4)).toBe(true);
        expect((values['ŷ'] as Vec).every((v) => v === 0 || v === 1)).toBe(true);
        expect(JSON.stringify(values)).not.toBe(JSON.stringify(original.values));

        const exact = q1ByHand(values, id);
        const rounded = q1ByHand(values, r2);
        // a1 = W1 x + b1 is the only value before a sigmoid: at most 4 decimals there
        expect(exact.a1.every(decimals4)).toBe(true);
        for (const name of ['W1', 'b1', 'W2', 'b2'] as const) {
          const e = flat(exact.gradients[name]);
          const rd = flat(rounded.gradients[name]);
          expect(e.some((v) => Math.abs(v) > 1e-12)).toBe(true);
          expect(rd.some((v) => v !== 0)).toBe(true);
          expect(Math.max(...e.map((v, i) => Math.abs(v - rd[i]!)))).toBeLessThanOrEqual(0.05 + 1e-12);
          expect(close(flat(variant!.key.gradients[name]!), e)).toBe(true);
          expect(close(flat(variant!.key.rounded.gradients[name]!), rd)).toBe(true);
        }
        expect(variant!.key.loss).toBeCloseTo(exact.L, 12);
      }),
      RUNS,
    );
  });
});

describe('a set of variants', () => {
  it('holds 200 variants of Q3, all different from each other and from the sheet', () => {
    const set = generateVariants(questionProblem('q3'), { count: 200, seed: 2026 });
    expect(set.complete).toBe(true);
    const texts = set.variants.map((v) => JSON.stringify(v.problem.values));
    texts.push(JSON.stringify(questionProblem('q3').values));
    expect(new Set(texts).size).toBe(201);
    expect(set.variants.map((v) => v.id).slice(0, 2)).toEqual(['variant-001', 'variant-002']);
  });
});
