import { describe, expect, it } from 'vitest';
import { buildGraph } from './build.ts';
import { apply, constant, ref } from './expr.ts';
import { gradientGraph } from './gradient.ts';
import { formatExpr, nodeLabel } from './print.ts';

/** Both renderings of the right-hand side of `id`. */
function printed(source: string[], id: string, options = {}): [string, string] {
  const graph = buildGraph(source, options);
  const e = graph.node(id).expression!;
  return [formatExpr(e, graph), formatExpr(e, graph, 'latex')];
}

describe('formatExpr', () => {
  it('writes the textbook operators in Unicode and LaTeX', () => {
    expect(printed(['L = 1/2 ||y - ŷ||^2'], 'L')).toEqual(['1/2 ‖y − ŷ‖²', '\\frac{1}{2}\\,\\left\\| y - \\hat{y} \\right\\|^{2}']);
    expect(printed(['L = sum(y)', 'y = W1 x + b1'], 'y')).toEqual(['W1 x + b1', 'W_{1}\\,x + b_{1}']);
    expect(printed(['L = sum(y)', 'y = a * b'], 'y')).toEqual(['a ⊙ b', 'a \\odot b']);
    expect(printed(['L = sum(y)', 'y = a / b'], 'y')).toEqual(['a / b', '\\frac{a}{b}']);
    expect(printed(['L = sum(y)', 'y = -a'], 'y')).toEqual(['−a', '-a']);
    expect(printed(['L = sum(y)', 'y = e^2'], 'y')).toEqual(['e²', 'e^{2}']);
    expect(printed(['L = sum(y)', 'y = Wᵀ x'], 'y')).toEqual(['Wᵀ x', 'W^{\\top}\\,x']);
    expect(printed(['L = sum(y)', 'y = a - 2'], 'y')).toEqual(['a − 2', 'a - 2']);
  });

  it('parenthesises by precedence only where needed', () => {
    expect(printed(['L = sum(y)', 'y = W (x + b)'], 'y')).toEqual(['W (x + b)', 'W\\,\\left(x + b\\right)']);
    expect(printed(['L = sum(y)', 'y = (a + b) * c'], 'y')).toEqual(['(a + b) ⊙ c', '\\left(a + b\\right) \\odot c']);
    expect(printed(['L = sum(y)', 'y = a - (b - c)'], 'y')).toEqual(['a − (b − c)', 'a - \\left(b - c\\right)']);
    expect(printed(['L = sum(y)', 'y = -(a + b)'], 'y')).toEqual(['−(a + b)', '-\\left(a + b\\right)']);
  });

  it('writes functions with the notation of their entry, or the name they were bound to', () => {
    expect(printed(['L = sum(z)', 'z = sigmoid(u)'], 'z')).toEqual(['σ(u)', '\\sigma\\left(u\\right)']);
    expect(printed(['L = sum(z)', 'z = tanh(u)'], 'z')).toEqual(['tanh(u)', '\\tanh\\left(u\\right)']);
    expect(printed(['L = sum(z)', 'z = relu(u)'], 'z')).toEqual(['relu(u)', '\\operatorname{relu}\\left(u\\right)']);
    expect(printed(['L = sum(z)', 'z = exp(u)'], 'z')).toEqual(['exp(u)', '\\exp\\left(u\\right)']);
    expect(printed(['L = sum(z)', 'z = ln(u)'], 'z')).toEqual(['log(u)', '\\log\\left(u\\right)']);
    expect(printed(['L = sum(z)', 'z = f(u)', 'f = relu'], 'z')).toEqual(['f(u)', 'f\\left(u\\right)']);
    expect(printed(['L = sum(z)', 'z = act(u)'], 'z', { functions: { act: 'tanh' } })).toEqual(['act(u)', '\\operatorname{act}\\left(u\\right)']);
  });

  it("writes a derivative as f′ of the function as it was bound", () => {
    const graph = gradientGraph(buildGraph(['L = sum(z)', 'z = f(u)', 'f = sigmoid']), ['u']);
    const rhs = graph.node('dL/du').expression!;
    expect(formatExpr(rhs, graph)).toBe("(∂L/∂z) ⊙ f'(u)");
    expect(formatExpr(rhs, graph, 'latex')).toBe("\\frac{\\partial L}{\\partial z} \\odot f'\\left(u\\right)");
    expect(formatExpr(apply("tanh'", [ref('u')]), graph, 'latex')).toBe("\\tanh'\\left(u\\right)");
    expect(formatExpr(apply("sigmoid'", [ref('u')]), graph)).toBe("σ'(u)");
  });

  it('leaves the bookkeeping of shapes out of the formula', () => {
    const graph = gradientGraph(buildGraph(['L = sum(y)', 'y = W x + b'], { wrt: ['b'] }), ['b']);
    expect(graph.node('dL/db').expression!.kind).toBe('op');
    expect(formatExpr(graph.node('dL/db').expression!, graph)).toBe('∂L/∂y');
  });

  it('writes gradient references so that a product of them reads unambiguously', () => {
    const graph = gradientGraph(buildGraph(['L = 1/2 ||y - yhat||^2', 'y = W x'], { wrt: ['W'] }), ['W']);
    expect(formatExpr(graph.node('dL/dW').expression!, graph)).toBe('(∂L/∂y) xᵀ');
    expect(formatExpr(graph.node('dL/dW').expression!, graph, 'latex')).toBe('\\frac{\\partial L}{\\partial y}\\,x^{\\top}');
  });

  it('keeps the spelling of numbers and writes negative ones as the sheet does', () => {
    const graph = buildGraph(['L = sum(y)', 'y = 2 x']);
    expect(formatExpr(apply('mul', [constant(-3), ref('x')]), graph)).toBe('(−3) x');
    expect(formatExpr(apply('mul', [constant(0.5, '1/2'), ref('x')]), graph, 'latex')).toBe('\\frac{1}{2}\\,x');
    expect(formatExpr(apply('recip', [ref('x')]), graph)).toBe('1/x');
    expect(formatExpr(apply('recip', [ref('x')]), graph, 'latex')).toBe('\\frac{1}{x}');
  });
});

describe('nodeLabel', () => {
  it('writes names as written, or in LaTeX with subscripts, hats and partial derivatives', () => {
    const graph = gradientGraph(buildGraph(['L = 1/2 ||ŷ - y||^2', 'y = W_3 x'], { wrt: ['W3'] }), ['W3']);
    expect(nodeLabel(graph, 'W3')).toBe('W_3');
    expect(nodeLabel(graph, 'W3', 'latex')).toBe('W_{3}');
    expect(nodeLabel(graph, 'yhat', 'latex')).toBe('\\hat{y}');
    expect(nodeLabel(graph, 'dL/dW3')).toBe('∂L/∂W_3');
    expect(nodeLabel(graph, 'dL/dW3', 'latex')).toBe('\\frac{\\partial L}{\\partial W_{3}}');
  });
});
