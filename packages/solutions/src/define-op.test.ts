/**
 * Adding a primitive touches one place: this file registers `softsign` (u / (1 + |u|)) with its
 * derivative, and nothing else in the code base knows about it. The new op then parses, builds,
 * differentiates (checked against finite differences of a hand-written loss), evaluates, shows up
 * with its f′ in the worked solution and typesets in LaTeX.
 */
import { defineOp, mapForward } from '@chainrule/graph';
import { parseProblem, solveProblem } from '@chainrule/problem';
import { map } from '@chainrule/tensor';
import { describe, expect, it } from 'vitest';
import { problemSolution } from './questions.ts';
import { renderSolution } from './render/index.ts';
import { workedSteps } from './worked.ts';

defineOp({
  name: 'softsign',
  arity: 1,
  elementwise: true,
  names: ['softsign'],
  notation: { prose: 'the softsign' },
  forward: mapForward((v) => v / (1 + Math.abs(v))),
  derivative: { forward: (u) => map(u, (v) => 1 / (1 + Math.abs(v)) ** 2) },
});

const W1 = [[0.5, -1], [2, 0.25]];
const W2 = [[1, -0.5]];
const x = [1, 2];
const yhat = [0.25];

/** L = ½ (W2 softsign(W1 x) − ŷ)², written out by hand in plain numbers. */
function lossByHand(w1: number[][]): number {
  const u = w1.map((row) => row[0]! * x[0]! + row[1]! * x[1]!);
  const z = u.map((v) => v / (1 + Math.abs(v)));
  const y = W2[0]![0]! * z[0]! + W2[0]![1]! * z[1]!;
  return 0.5 * (y - yhat[0]!) ** 2;
}

const problem = parseProblem({
  equations: ['L = 1/2 ||y - ŷ||^2', 'y = W2 z', 'z = softsign(u)', 'u = W1 x'],
  values: { W1, W2, x, ŷ: yhat },
  wrt: ['W1', 'W2'],
});

describe('an op registered in one place', () => {
  const solved = solveProblem(problem);

  it('evaluates its forward pass (u = [−1.5, 2.5], z = [−0.6, 5/7])', () => {
    expect(Array.from(solved.values.get('u')!.data)).toEqual([-1.5, 2.5]);
    const z = solved.values.get('z')!;
    expect(z.at(0)).toBeCloseTo(-0.6, 15);
    expect(z.at(1)).toBeCloseTo(5 / 7, 15);
    expect(solved.result.loss).toBeCloseTo(lossByHand(W1), 15);
  });

  it('has gradients that agree with central differences of the hand-written loss', () => {
    const h = 1e-6;
    const dW1 = solved.result.gradients.W1 as number[][];
    W1.forEach((row, i) =>
      row.forEach((_, j) => {
        const plus = W1.map((r, a) => r.map((v, b) => (a === i && b === j ? v + h : v)));
        const minus = W1.map((r, a) => r.map((v, b) => (a === i && b === j ? v - h : v)));
        expect(dW1[i]![j]!).toBeCloseTo((lossByHand(plus) - lossByHand(minus)) / (2 * h), 8);
      }),
    );
  });

  it("shows its derivative f′ in the worked solution, with f′(u) = 1/(1 + |u|)² = [0.16, 1/12.25]", () => {
    const step = workedSteps(solved, { decimals: 4 }).find((s) => s.id === 'dL/du')!;
    expect(step.formula.unicode).toBe("(∂L/∂z) ⊙ softsign'(u)");
    expect(step.formula.latex).toBe("\\frac{\\partial L}{\\partial z} \\odot \\operatorname{softsign}'\\left(u\\right)");
    // y = −0.6 − 0.5·5/7 = −0.957143, ∂L/∂y = y − ŷ = −1.207143, ∂L/∂z = W2ᵀ ∂L/∂y = [−1.207143, 0.603571].
    expect(step.substitution!.unicode).toBe('[−1.2071·0.16, 0.6036·0.0816]');
    expect(step.exact.at(0)).toBeCloseTo(-1.2071428571 * 0.16, 9);
    expect(step.exact.at(1)).toBeCloseTo(0.6035714286 / 12.25, 9);
    const forward = workedSteps(solved, { decimals: 4 }).find((s) => s.id === 'z')!;
    expect(forward.substitution!.unicode).toBe('[softsign(−1.5), softsign(2.5)]');
  });

  it('typesets in the LaTeX worked solution', async () => {
    const latex = await renderSolution({ title: 'softsign', questions: [problemSolution(problem)] }, 'latex');
    expect(latex).toContain("z &= \\operatorname{softsign}\\left(u\\right)");
    expect(latex).toContain('&= \\begin{bmatrix} \\operatorname{softsign}\\left(-1.5\\right) \\\\ \\operatorname{softsign}\\left(2.5\\right) \\end{bmatrix}');
    expect(latex).toContain("\\operatorname{softsign}'\\left(u\\right)");
  });
});
