import { tensor } from '@chainrule/tensor';
import { describe, expect, it } from 'vitest';
import { buildGraph } from './build.ts';
import { evaluate } from './evaluate.ts';
import { apply, ref } from './expr.ts';
import { Graph } from './graph.ts';
import { gradientGraph } from './gradient.ts';
import { opRecord } from './ops/index.ts';
import { planOf } from './plan.ts';

const stepsOf = (graph: Graph, op: string) => planOf(graph).stepForward.filter((forward) => forward === opRecord(op).forward).length;

describe('the evaluation plan', () => {
  it('computes the same op over the same values once, however many expression objects spell it', () => {
    // Two separately built Wᵀ x and one shared σ(u): three matmuls would be wasted work.
    const nodes = [
      { id: 'W', label: 'W', kind: 'input' as const, added: false },
      { id: 'x', label: 'x', kind: 'input' as const, added: false },
      { id: 'a', label: 'a', kind: 'intermediate' as const, added: false, expression: apply('matmul', [ref('W'), ref('x')]) },
      { id: 'b', label: 'b', kind: 'intermediate' as const, added: false, expression: apply('add', [apply('matmul', [ref('W'), ref('x')]), apply('matmul', [ref('W'), ref('x')])]) },
    ];
    const graph = new Graph(nodes);
    expect(stepsOf(graph, 'matmul')).toBe(1);
    const values = evaluate(graph, { W: [[1, 2], [3, 4]], x: [1, -1] });
    // W x = [1 − 2, 3 − 4] = [−1, −1]; b = 2 W x
    expect(values.get('a')!.toArray()).toEqual([-1, -1]);
    expect(values.get('b')!.toArray()).toEqual([-2, -2]);
  });

  it('reads the operand of a transpose in place in a matrix product (Wᵀ δ, δ hᵀ), with the numbers of the materialised transpose', () => {
    const graph = gradientGraph(buildGraph(['L = 1/2 ||y - yhat||^2', 'y = W2 h', 'h = tanh(W1 x)'], { wrt: ['W1', 'W2'] }), ['W1', 'W2']);
    expect(stepsOf(graph, 'transpose')).toBe(0);
    const values = { W1: [[0.5, -0.25], [0.1, 0.2]], W2: [[1, 2], [-1, 0.5]], x: [1, 2], yhat: [0, 1] };
    const result = evaluate(graph, values);
    // By hand: u = W1 x = [0, 0.5], h = tanh(u), y = W2 h, δ = y − ŷ, ∂L/∂h = W2ᵀ δ, ∂L/∂W1 = (∂L/∂h ⊙ (1 − h²)) xᵀ
    const h = [Math.tanh(0), Math.tanh(0.5)];
    const y = [h[0]! + 2 * h[1]!, -h[0]! + 0.5 * h[1]!];
    const delta = [y[0]! - 0, y[1]! - 1];
    const dh = [delta[0]! - delta[1]!, 2 * delta[0]! + 0.5 * delta[1]!];
    const du = [dh[0]! * (1 - h[0]! ** 2), dh[1]! * (1 - h[1]! ** 2)];
    expect(result.get('dL/dh')!.toArray()).toEqual(dh);
    // δ hᵀ; a product sums from +0, so −0.3 · 0 is written 0
    expect(result.get('dL/dW2')!.toArray()).toEqual([[delta[0]! * h[0]!, delta[0]! * h[1]!], [delta[1]! * h[0]!, delta[1]! * h[1]!]].map((row) => row.map((v) => 0 + v)));
    (result.get('dL/dW1')!.toArray() as number[][]).flat().forEach((v, i) => expect(v).toBeCloseTo([du[0]! * 1, du[0]! * 2, du[1]! * 1, du[1]! * 2][i]!, 15));
  });

  it("takes σ′(u) and tanh′(u) from σ(u) and tanh(u) when the graph has them, and drops intermediates no later step reads", () => {
    const graph = gradientGraph(buildGraph(['L = sum(z)', 'z = sigmoid(u)'], { wrt: ['u'] }), ['u']);
    expect(stepsOf(graph, 'sigmoid')).toBe(1);
    const u = [0.3, -2];
    const s = u.map((v) => 1 / (1 + Math.exp(-v)));
    expect(evaluate(graph, { u }).get('dL/du')!.toArray()).toEqual(s.map((v) => v * (1 - v)));
    const plan = planOf(graph);
    const released = Array.from(plan.released);
    for (const slot of plan.nodeSlot) expect(released).not.toContain(slot);
    // u, σ(u) (z), σ′(u) from z, ∂L/∂z ⊙ σ′(u): the product's operand σ′(u) is dropped after it
    expect(released.length).toBeGreaterThan(0);
  });

  it('is built once per graph and gives the same answers with new values', () => {
    const graph = gradientGraph(buildGraph(['L = sum(W x)'], { wrt: ['W'] }), ['W']);
    expect(planOf(graph)).toBe(planOf(graph));
    expect(evaluate(graph, { W: [[1, 2]], x: [3, 4] }).get('dL/dW')!.toArray()).toEqual([[3, 4]]);
    expect(evaluate(graph, { W: [[1, 2]], x: tensor([5, 6]) }).get('dL/dW')!.toArray()).toEqual([[5, 6]]);
  });
});
