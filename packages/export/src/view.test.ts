import { type Edge, buildGraph, gradientGraph } from '@chainrule/graph';
import { describe, expect, it } from 'vitest';
import { graphView } from './view.ts';

const edgeSet = (edges: readonly Edge[]) => edges.map((e) => `${e.from}→${e.to}`);

const Q2 = ['L = 1/2 ||y - yhat||^2', 'y = u3 + z2', 'u3 = W3 z1', 'z2 = f(u2)', 'u2 = W2 x', 'z1 = f(u1)', 'u1 = W1 x', 'f = relu'];

describe('graph view', () => {
  const forward = buildGraph(Q2, { wrt: ['W1', 'W2', 'W3'] });
  const withGradients = gradientGraph(forward, ['W1', 'W2', 'W3']);

  it('draws each node with the top op of its formula, its formula and its LaTeX', () => {
    const byId = new Map(graphView(forward).nodes.map((n) => [n.id, n]));
    expect([...byId.values()].map((n) => [n.id, n.op])).toEqual([
      ['x', null], ['W1', null], ['W2', null], ['W3', null], ['yhat', null],
      ['u1', 'matmul'], ['z1', 'relu'], ['u3', 'matmul'], ['u2', 'matmul'], ['z2', 'relu'], ['y', 'add'], ['L', 'mul'],
    ]);
    expect(byId.get('u1')).toMatchObject({ label: 'u₁', kind: 'intermediate', added: false, formula: 'u₁ = W₁ x', latexLabel: 'u_{1}', latexFormula: 'u_{1} = W_{1}\\,x' });
    expect(byId.get('z1')!.formula).toBe('z₁ = f(u₁)');
    expect(byId.get('yhat')).toMatchObject({ label: 'yhat', kind: 'target', latexLabel: '\\hat{y}' });
    expect(byId.get('x')!.formula).toBeUndefined();
  });

  it('looks through the bookkeeping of shapes: a gradient that only passes another on is an identity', () => {
    const byId = new Map(graphView(withGradients).nodes.map((n) => [n.id, n]));
    // ∂L/∂u3 = ∂L/∂y (y = u3 + z2): a copy, summed to the shape of u3.
    expect(byId.get('dL/du3')).toMatchObject({ op: 'identity', added: true, kind: 'gradient', formula: '∂L/∂u₃ = ∂L/∂y' });
    expect(byId.get('dL/dW3')).toMatchObject({ op: 'matmul', formula: '∂L/∂W₃ = (∂L/∂u₃) z₁ᵀ' });
    expect(byId.get('dL/du1')).toMatchObject({ op: 'mul', formula: "∂L/∂u₁ = (∂L/∂z₁) ⊙ f'(u₁)" });
  });

  it('draws an edge for every value a node reads, none for an operand read only for its shape', () => {
    const graph = gradientGraph(buildGraph(['L = sum(y)', 'y = W x + b'], { wrt: ['b'] }), ['b']);
    const view = graphView(graph);
    // ∂L/∂b = ∂L/∂y summed to the shape of b: b itself is not read.
    expect(edgeSet(view.edges).filter((e) => e.endsWith('→dL/db'))).toEqual(['dL/dy→dL/db']);
    // ∂L/∂y = 1 spread over the shape of y: no edge at all, and a constant.
    expect(edgeSet(view.edges).filter((e) => e.endsWith('→dL/dy'))).toEqual([]);
    expect(view.nodes.find((n) => n.id === 'dL/dy')!.op).toBe('const');
  });

  it('hides the added nodes with one input and one output when asked, and only those', () => {
    const view = graphView(withGradients, { simplify: true });
    // ∂L/∂z2 = ∂L/∂y only passes ∂L/∂y on to ∂L/∂u2; ∂L/∂u3 has two users and ∂L/∂z1 two inputs.
    expect(view.hidden).toEqual(['dL/dz2']);
    expect(view.nodes).toHaveLength(withGradients.nodes.length - 1);
    expect(edgeSet(view.edges)).toContain('dL/dy→dL/du2');
    expect(edgeSet(view.edges).some((e) => e.includes('dL/dz2'))).toBe(false);
    expect(graphView(withGradients).hidden).toEqual([]);
  });

  it('collapses a chain of pass-through nodes into one edge', () => {
    const graph = gradientGraph(buildGraph(['L = sum(y)', 'y = a + c', 'a = b + d', 'b = W x'], { wrt: ['W'] }), ['W']);
    const view = graphView(graph, { simplify: true });
    expect(view.hidden).toEqual(['dL/da', 'dL/db']);
    expect(edgeSet(view.edges).filter((e) => e.includes('dL/')).sort()).toEqual(['dL/dy→dL/dW', 'x→dL/dW']);
  });
});
