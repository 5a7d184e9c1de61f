import { QUESTION_2_LATEX, QUESTION_2_UNICODE } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';
import { buildGraph } from './build.ts';
import { ChainruleError } from '@chainrule/tensor';
import { evaluate } from './evaluate.ts';
import { gradientGraph } from './gradient.ts';
import { formatExpr } from './print.ts';

const ASCII = `
L  = 1/2 ||y - yhat||^2
y  = u3 + z2
u3 = W3 z1
z2 = f(u2)
u2 = W2 x
z1 = f(u1)
u1 = W1 x
f = relu`;



// Question 2a: the input, the variables, the loss and the intermediate results, with an edge to every direct user.
const Q2_NODES = ['L', 'W1', 'W2', 'W3', 'u1', 'u2', 'u3', 'x', 'y', 'yhat', 'z1', 'z2'];
const Q2_EDGES = [
  'W1→u1', 'x→u1', 'W2→u2', 'x→u2', 'u1→z1', 'u2→z2', 'W3→u3', 'z1→u3', 'u3→y', 'z2→y', 'y→L', 'yhat→L',
].sort();

const edgeSet = (edges: readonly { from: string; to: string }[]) => edges.map((e) => `${e.from}→${e.to}`).sort();

describe('Question 2a: the graph of the network', () => {
  it.each([
    ['ASCII', ASCII],
    ['Unicode', QUESTION_2_UNICODE],
    ['LaTeX', QUESTION_2_LATEX],
  ])('has exactly the nodes and edges 2a asks for (%s)', (_, source) => {
    const graph = buildGraph(source, { wrt: ['W1', 'W2', 'W3'], functions: { f: 'relu' } });
    expect(graph.nodes.map((n) => n.id).sort()).toEqual(Q2_NODES);
    expect(edgeSet(graph.edges())).toEqual(Q2_EDGES);
    expect(graph.loss).toBe('L');
    expect(graph.node('x').kind).toBe('input');
    expect(graph.node('W2').kind).toBe('parameter');
    expect(graph.node('yhat').kind).toBe('target');
    expect(graph.node('z1').kind).toBe('intermediate');
    expect(graph.node('L').kind).toBe('loss');
  });

  it('keeps the names as written for display', () => {
    const graph = buildGraph(QUESTION_2_UNICODE, { wrt: ['W1'], functions: { f: 'relu' } });
    expect(graph.node('yhat').label).toBe('ŷ');
    expect(graph.node('W3').label).toBe('W₃');
  });
});

describe('Question 2b: the gradient nodes', () => {
  const graph = buildGraph(ASCII, { wrt: ['W1', 'W2', 'W3'] });
  const withGradients = gradientGraph(graph, ['W1', 'W2', 'W3']);
  const formula = (id: string) => formatExpr(withGradients.node(id).expression!, withGradients);

  it('adds one node per gradient on a path from the weights to the loss, marked as added', () => {
    const added = withGradients.nodes.filter((n) => n.added).map((n) => n.gradient!.wrt).sort();
    // No ∂L/∂x: x is an input, and no gradient with respect to W flows through it.
    expect(added).toEqual(['W1', 'W2', 'W3', 'u1', 'u2', 'u3', 'y', 'z1', 'z2']);
    expect(withGradients.nodes.filter((n) => !n.added)).toHaveLength(12);
  });

  it('writes each gradient as a textbook formula', () => {
    expect(formula('dL/dy')).toBe('y − yhat');
    expect(formula('dL/du3')).toBe('∂L/∂y');
    expect(formula('dL/dW3')).toBe('(∂L/∂u₃) z₁ᵀ');
    expect(formula('dL/dz1')).toBe('W₃ᵀ (∂L/∂u₃)');
    expect(formula('dL/du1')).toBe("(∂L/∂z₁) ⊙ f'(u₁)");
    expect(formula('dL/dW1')).toBe('(∂L/∂u₁) xᵀ');
    expect(formatExpr(withGradients.node('dL/dW1').expression!, withGradients, 'latex')).toBe(
      '\\frac{\\partial L}{\\partial u_{1}}\\,x^{\\top}',
    );
  });

  it('draws the edges the gradient formulas read', () => {
    const edges = edgeSet(withGradients.edges());
    for (const edge of ['dL/du3→dL/dW3', 'z1→dL/dW3', 'W3→dL/dz1', 'u1→dL/du1', 'x→dL/dW1', 'y→dL/dy', 'yhat→dL/dy']) {
      expect(edges).toContain(edge);
    }
  });

});

describe('evaluation', () => {
  it('computes the Question 3 forward pass', () => {
    const graph = buildGraph(ASCII, { wrt: ['W1', 'W2', 'W3'] });
    const values = evaluate(graph, {
      x: [1, 2, 3, 4],
      yhat: [1, 0],
      W1: [[0.4, 0.5, 0.25, 0.1], [0.2, 0.25, 0.4, 0.5], [0.1, 0.75, 0.3, 0]],
      W2: [[0.1, 0.25, 0.5, 0.4], [0, 0.3, 0.75, 0.1]],
      W3: [[1, 0.5, 0.25], [0.2, 0.3, 0.4]],
    });
    const u1 = values.get('u1')!.toArray() as number[];
    [2.55, 3.9, 2.5].forEach((v, i) => expect(u1[i]).toBeCloseTo(v, 12));
  });

  it('names the missing leaf and where it is used', () => {
    const graph = buildGraph('y = W x');
    expect(() => evaluate(graph, { W: [[1]] })).toThrow(/no value given for input 'x' \(used in line 1: y = W x\)/);
  });

  it('names the equation when shapes do not fit', () => {
    const graph = buildGraph('u = W x\ny = u + b');
    const run = () => evaluate(graph, { W: [[1, 2], [3, 4]], x: [1, 2, 3], b: [1, 1] });
    expect(run).toThrow(ChainruleError);
    expect(run).toThrow(/in 'u = W x': matmul: shapes \[2×2\] and \[3\] do not fit/);
  });
});

describe('graph errors', () => {
  it('reports a name defined twice with both lines', () => {
    expect(() => buildGraph('y = W x\ny = 2 x')).toThrow(/'y' is defined twice: on line 1 \(y = W x\)/);
  });
  it('reports a cycle naming its equations', () => {
    expect(() => buildGraph('a = W b\nb = V a\nL = sum(a)')).toThrow(/cycle: 'a = W b' \(line 1\), 'b = V a' \(line 2\)/);
  });
  it('reports an unknown function binding', () => {
    expect(() => buildGraph('y = f(x)', { functions: { f: 'gelu' } })).toThrow(/'gelu', which is not one of/);
  });
  it('refuses to differentiate for a node the loss does not depend on', () => {
    const graph = buildGraph('L = sum(W x)\nM = sum(V x)', { loss: 'L' });
    expect(() => gradientGraph(graph, ['V'])).toThrow(/L does not depend on V/);
  });
});

describe('Graph.resolve and Graph.gradientNode', () => {
  const graph = gradientGraph(buildGraph(['L = 1/2 ||y - ŷ||^2', 'y = W_3 x'], { wrt: ['W3'] }), ['W3']);

  it('finds a node by its id, any spelling of its name, or the gradient notation', () => {
    expect(graph.resolve('W3')).toBe('W3');
    for (const spelling of ['W_3', 'W₃', 'W_{3}', '\\boldsymbol{W}_3']) expect(graph.resolve(spelling)).toBe('W3');
    expect(graph.resolve('y_hat')).toBe('yhat');
    for (const spelling of ['dL/dW3', '∂L/∂W_3', '\\partial L / \\partial W_{3}']) expect(graph.resolve(spelling)).toBe('dL/dW3');
    expect(graph.resolve('∂L/∂x')).toBeUndefined();
    expect(graph.resolve('constructor')).toBeUndefined();
    expect(graph.resolve('W4')).toBeUndefined();
  });

  it('finds the node holding ∂L/∂w, of the loss by default', () => {
    expect(graph.gradientNode('W3')?.id).toBe('dL/dW3');
    expect(graph.gradientNode('W_3', 'L')?.label).toBe('∂L/∂W_3');
    expect(graph.gradientNode('x')).toBeUndefined();
    expect(graph.gradientNode('W3', 'y')).toBeUndefined();
    expect(buildGraph('y = W x').gradientNode('W')).toBeUndefined();
  });
});
