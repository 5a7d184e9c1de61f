import { type SolvedProblem, parseProblem, solveProblem } from '@chainrule/problem';
import { describe, expect, it } from 'vitest';
import { workedSteps } from './worked.ts';

/** L = sum(W W … W) with a 2×2 W: a product chain whose gradient graph names parts of the product. */
const productChain = (factors: number, W: number[][] = [[0.5, -0.25], [0.125, 0.5]]): SolvedProblem =>
  solveProblem(
    parseProblem({
      equations: [`L = sum(${Array(factors).fill('W').join(' ')})`],
      values: { W },
      wrt: ['W'],
    }),
  );
/** A rotation by a right angle: its powers stay 0 and ±1, so exact arithmetic stays cheap however long the chain. */
const ROTATION = [[0, 1], [-1, 0]];

const text = (solved: SolvedProblem) =>
  workedSteps(solved, { decimals: 4 }).reduce((sum, step) => sum + step.formula.unicode.length + step.formula.latex.length + (step.substitution?.unicode.length ?? 0) + (step.substitution?.latex.length ?? 0), 0);

describe('the worked solution of a long product chain', () => {
  it('computes each named part as a forward step, before the loss, with its value W^k (plain loops)', () => {
    const steps = workedSteps(productChain(40), { decimals: 4 });
    const parts = steps.filter((step) => step.name.unicode.startsWith('L₍'));
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.every((step) => step.phase === 'forward')).toBe(true);
    expect(steps.findIndex((step) => step.id === 'L')).toBeGreaterThan(steps.indexOf(parts.at(-1)!));
    expect(steps.find((step) => step.id === 'dL/dW')!.phase).toBe('backward');
    // L₍₁₎ is the product of the first factors: W^k by plain loops, k counted in its formula.
    const first = parts[0]!;
    const k = (first.formula.unicode.match(/W/g) ?? []).length;
    let p = [[1, 0], [0, 1]];
    const w = [[0.5, -0.25], [0.125, 0.5]];
    for (let i = 0; i < k; i++) p = p.map((row) => [0, 1].map((j) => row[0]! * w[0]![j]! + row[1]! * w[1]![j]!));
    p.flat().forEach((v, i) => expect(first.exact.data[i]).toBeCloseTo(v, 14));
  });

  it('writes formulas and substitutions in space linear in the length of the chain (150 and 300 factors)', () => {
    const ratio = text(productChain(300, ROTATION)) / text(productChain(150, ROTATION));
    expect(ratio).toBeGreaterThan(1.8);
    expect(ratio).toBeLessThan(2.2);
  });
});
