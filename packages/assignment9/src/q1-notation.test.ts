import { layeredProblem, parseProblem, solveProblem } from '@chainrule/problem';
import { describe, expect, it } from 'vitest';
import { standInQ1Network } from './index.ts';

/** Question 1's equations as the sheet writes them: a⁽ᵏ⁾ = W⁽ᵏ⁾ h⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾, h⁽ᵏ⁾ = f⁽ᵏ⁾(a⁽ᵏ⁾), h⁽⁰⁾ = x. */
const SHEET_EQUATIONS = ['a⁽¹⁾ = W⁽¹⁾x + b⁽¹⁾', 'h⁽¹⁾ = σ(a⁽¹⁾)', 'a⁽²⁾ = W⁽²⁾h⁽¹⁾ + b⁽²⁾', 'h⁽²⁾ = σ(a⁽²⁾)', 'L = ½‖ŷ − h⁽²⁾‖²'];

describe('Question 1 from the equations in the sheet’s notation', () => {
  it('gives the result of the layered-network file', () => {
    const network = standInQ1Network();
    const [first, second] = network.layers;
    const fromNetwork = solveProblem(layeredProblem(network)).result;
    const fromEquations = solveProblem(
      parseProblem({
        equations: SHEET_EQUATIONS,
        values: { x: network.input, 'ŷ': network.target, 'W⁽¹⁾': first!.W, 'b⁽¹⁾': first!.b, 'W⁽²⁾': second!.W, 'b⁽²⁾': second!.b },
        wrt: ['W⁽¹⁾', 'b⁽¹⁾', 'W⁽²⁾', 'b⁽²⁾'],
      }),
    ).result;
    expect(fromEquations.loss).toBe(fromNetwork.loss);
    // Hand-computed (float64, one scalar at a time): ½((0 − 0.75136…)² + (1 − 0.77292…)²).
    expect(fromEquations.loss).toBeCloseTo(0.3080554748023112, 14);
    const sameParameter: [string, string][] = [['W⁽¹⁾', 'W1'], ['b⁽¹⁾', 'b1'], ['W⁽²⁾', 'W2'], ['b⁽²⁾', 'b2']];
    expect(Object.keys(fromEquations.gradients).sort()).toEqual(sameParameter.map(([sheet]) => sheet).sort());
    for (const [sheet, layered] of sameParameter) expect(fromEquations.gradients[sheet]).toEqual(fromNetwork.gradients[layered]);
  });
});
