import { describe, expect, it } from 'vitest';
import { buildGraph, evaluate, gradientGraph, gradientId } from '../index.ts';

/*
 * Question 1 written as the sheet writes it, a⁽¹⁾ = W⁽¹⁾x + b⁽¹⁾, with the numbers of the stand-in
 * network (packages/assignment9/src/networks/stand-in-q1.json). The expected decimals were computed
 * by hand, independently of chainrule (plain float64 arithmetic, one scalar at a time):
 *   a⁽¹⁾ = [0.15·0.05 + 0.2·0.1 + 0.35, 0.25·0.05 + 0.3·0.1 + 0.35] = [0.3775, 0.3925], h⁽¹⁾ = σ(a⁽¹⁾), …,
 *   δ⁽²⁾ = (h⁽²⁾ − ŷ) ⊙ h⁽²⁾ ⊙ (1 − h⁽²⁾), δ⁽¹⁾ = (W⁽²⁾ᵀ δ⁽²⁾) ⊙ h⁽¹⁾ ⊙ (1 − h⁽¹⁾).
 */
const VALUES = {
  x: [0.05, 0.1],
  'ŷ': [0, 1],
  'W⁽¹⁾': [[0.15, 0.2], [0.25, 0.3]],
  'b⁽¹⁾': [0.35, 0.35],
  'W⁽²⁾': [[0.4, 0.45], [0.5, 0.55]],
  'b⁽²⁾': [0.6, 0.6],
};
const LOSS = 0.3080554748023112;
const DELTA_1 = [0.008739916137310531, 0.009924265832142704];
const DELTA_2 = [0.14036671764664654, -0.039853337044728945];
const GRADIENT_W1 = [[0.00043699580686552657, 0.0008739916137310531], [0.0004962132916071352, 0.0009924265832142703]];
const GRADIENT_W2 = [[0.08327536147033777, 0.08378270099088289], [-0.023643788953971415, -0.023787834303519977]];

const SPELLINGS: Record<string, string> = {
  unicode: `a⁽¹⁾ = W⁽¹⁾x + b⁽¹⁾
h⁽¹⁾ = σ(a⁽¹⁾)
a⁽²⁾ = W⁽²⁾h⁽¹⁾ + b⁽²⁾
h⁽²⁾ = σ(a⁽²⁾)
L = ½‖ŷ − h⁽²⁾‖²`,
  latex: String.raw`\begin{aligned}
\boldsymbol{a}^{(1)} &= \boldsymbol{W}^{(1)} \boldsymbol{x} + \boldsymbol{b}^{(1)} \\
\boldsymbol{h}^{(1)} &= f^{(1)}\left(\boldsymbol{a}^{(1)}\right) \\
\boldsymbol{a}^{(2)} &= \boldsymbol{W}^{(2)} \boldsymbol{h}^{(1)} + \boldsymbol{b}^{(2)} \\
\boldsymbol{h}^{(2)} &= f^{(2)}\left(\boldsymbol{a}^{(2)}\right) \\
\mathcal{L} &= \tfrac{1}{2} \left\| \hat{\boldsymbol{y}} - \boldsymbol{h}^{(2)} \right\|_2^2 \\
f^{(1)} &= \sigma \\
f^{(2)} &= \sigma
\end{aligned}`,
  ascii: 'a^(1) = W^(1) x + b^(1); h^(1) = sigmoid(a^(1))\na^(2) = W^(2) h^(1) + b^(2); h^(2) = sigmoid(a^(2))\nL = 1/2 ||yhat - h^(2)||^2',
};

describe('Question 1 from its equations in the sheet’s notation', () => {
  it.each(Object.keys(SPELLINGS))('%s: the same forward and backward numbers as by hand', (spelling) => {
    const wrt = ['W⁽¹⁾', 'b⁽¹⁾', 'W⁽²⁾', 'b⁽²⁾'];
    const graph = buildGraph(SPELLINGS[spelling]!, { wrt });
    expect(graph.node('a1').label).toBe('a⁽¹⁾');
    const withGradients = gradientGraph(graph, wrt);
    const values = evaluate(withGradients, VALUES);
    const numbers = (id: string) => Array.from(values.get(id)!.data);
    expect(numbers('a1')[0]).toBeCloseTo(0.3775, 14);
    expect(numbers('a1')[1]).toBeCloseTo(0.3925, 14);
    expect(numbers('L')[0]).toBeCloseTo(LOSS, 14);
    const close = (actual: number[], expected: number[]) => actual.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 14));
    close(numbers(gradientId('L', 'b1')), DELTA_1);
    close(numbers(gradientId('L', 'b2')), DELTA_2);
    close(numbers(gradientId('L', 'W1')), GRADIENT_W1.flat());
    close(numbers(gradientId('L', 'W2')), GRADIENT_W2.flat());
  });

  it('builds the graph of the layered-network file (a1 = W1 x + b1, …)', () => {
    // The name a function is bound by (`f⁽¹⁾ = σ`) is kept for printing `f⁽¹⁾(a⁽¹⁾)`: not part of the shape.
    const shape = (source: string | string[]) =>
      JSON.parse(JSON.stringify(buildGraph(source).nodes.map(({ id, kind, expression }) => ({ id, kind, expression })), (key, value) => (key === 'alias' ? undefined : value)));
    const layered = shape(['a1 = W1 x + b1', 'h1 = sigmoid(a1)', 'a2 = W2 h1 + b2', 'h2 = sigmoid(a2)', 'L = 1/2 ||ŷ - h2||^2']);
    for (const spelling of Object.values(SPELLINGS)) expect(shape(spelling)).toEqual(layered);
  });
});
