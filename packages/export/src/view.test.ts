import { type Edge, buildGraph, gradientGraph } from '@chainrule/graph';
import { describe, expect, it } from 'vitest';
import { graphView } from './view.ts';

const edgeSet = (edges: readonly Edge[]) => edges.map((e) => `${e.from}→${e.to}`);

describe('graph view', () => {
  const withGradients = gradientGraph(
    buildGraph('L = 1/2 ||y - yhat||^2\ny = u3 + z2\nu3 = W3 z1\nz2 = f(u2)\nu2 = W2 x\nz1 = f(u1)\nu1 = W1 x', { wrt: ['W1', 'W2', 'W3'], functions: { f: 'relu' } }),
    ['W1', 'W2', 'W3'],
  );

  it('hides added nodes with one input and one output when asked', () => {
    const view = graphView(withGradients, { simplify: true });
    // ∂L/∂z2 = ∂L/∂y only passes ∂L/∂y on to ∂L/∂u2.
    expect(view.hidden).toContain('dL/dz2');
    expect(view.nodes.map((n) => n.id)).not.toContain('dL/dz2');
    expect(edgeSet(view.edges)).toContain('dL/dy→dL/du2');
    expect(view.hidden).not.toContain('dL/dW1');
  });
});
