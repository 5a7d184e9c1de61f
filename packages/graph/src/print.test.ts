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
    expect(printed(['L = sum(y)', 'y = W1 x + b1'], 'y')).toEqual(['W₁ x + b₁', 'W_{1}\\,x + b_{1}']);
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

  it('writes a bare reference or number, and a shared subexpression at every place it is used', () => {
    const graph = gradientGraph(buildGraph(['L = 1/2 ||y - yhat||^2', 'y = W x'], { wrt: ['W'] }), ['W']);
    expect(formatExpr(ref('dL/dy'), graph)).toBe('∂L/∂y');
    expect(formatExpr(ref('W'), graph, 'latex')).toBe('W');
    expect(formatExpr(constant(-2), graph)).toBe('−2');
    const shared = apply('matmul', [ref('W'), ref('x')]);
    const twice = apply('add', [shared, apply('neg', [apply('mul', [shared, shared])])]);
    expect(formatExpr(twice, graph)).toBe('W x − (W x)²');
    expect(formatExpr(apply('matmul', [ref('dL/dy'), apply('transpose', [ref('dL/dy')])]), graph)).toBe('(∂L/∂y) (∂L/∂y)ᵀ');
  });
});

describe('nodeLabel', () => {
  it('writes names as written, or in LaTeX with subscripts, hats and partial derivatives', () => {
    const graph = gradientGraph(buildGraph(['L = 1/2 ||ŷ - y||^2', 'y = W_3 x'], { wrt: ['W3'] }), ['W3']);
    const ascii = gradientGraph(buildGraph(['L = 1/2 ||ŷ - y||^2', 'y = W3 x'], { wrt: ['W3'] }), ['W3']);
    // One rule for ASCII and LaTeX input: the trailing digits of W3 are a subscript, as in W_3.
    expect(nodeLabel(ascii, 'dL/dW3')).toBe('∂L/∂W₃');
    expect(nodeLabel(graph, 'W3')).toBe('W₃');
    expect(nodeLabel(graph, 'W3', 'latex')).toBe('W_{3}');
    expect(nodeLabel(graph, 'yhat', 'latex')).toBe('\\hat{y}');
    expect(nodeLabel(graph, 'dL/dW3')).toBe('∂L/∂W₃');
    expect(nodeLabel(graph, 'dL/dW3', 'latex')).toBe('\\frac{\\partial L}{\\partial W_{3}}');
    // Messages name every node as the equations write it, formulas included.
    expect(nodeLabel(graph, 'dL/dW3', 'written')).toBe('∂L/∂W_3');
    expect(formatExpr(graph.node('dL/dW3').expression!, graph, 'written')).toBe('(∂L/∂y) xᵀ');
    expect(formatExpr(graph.node('y').expression!, graph, 'written')).toBe('W_3 x');
  });
});

describe('labels as a typeset sheet writes them', () => {
  const sources = {
    latex: ['\\mathcal{L} = \\frac{1}{2}\\|\\hat{\\boldsymbol{y}} - \\boldsymbol{y}\\|^2', '\\boldsymbol{y} = \\boldsymbol{W}_1 \\boldsymbol{u}_{1}', '\\boldsymbol{u}_{1} = \\boldsymbol{x}'],
    unicode: ['L = ½ ||ŷ - y||^2', 'y = W₁ u₁', 'u₁ = x'],
  };
  it.each(Object.entries(sources))('%s spelling: W₁, u₁ in text and W_{1} in LaTeX, never an underscore in text', (_spelling, source) => {
    const graph = gradientGraph(buildGraph(source, { wrt: ['W1'] }), ['W1']);
    expect(formatExpr(graph.node('y').expression!, graph)).toBe('W₁ u₁');
    expect(formatExpr(graph.node('y').expression!, graph, 'latex')).toBe('W_{1}\\,u_{1}');
    expect(nodeLabel(graph, 'dL/dW1')).toBe('∂L/∂W₁');
    expect(nodeLabel(graph, 'yhat')).toBe('ŷ');
    for (const node of graph.nodes) expect(nodeLabel(graph, node.id)).not.toContain('_');
  });

  it.each(['a^{(1)} = W^{(1)} x', 'a⁽¹⁾ = W⁽¹⁾ x', 'a^(1) = W^(1) x', '\\mathbf{a}^{(1)} = \\mathbf{W}^{(1)} x'])('%s: a layer index stays a superscript, a^{(1)} in LaTeX (not the key a1 → a_{1})', (equation) => {
    const graph = buildGraph([equation, 'L = sum(a⁽¹⁾)'], { wrt: ['W1'] });
    expect(nodeLabel(graph, 'a1')).toBe('a⁽¹⁾');
    expect(nodeLabel(graph, 'a1', 'latex')).toBe('a^{(1)}');
    expect(formatExpr(graph.node('a1').expression!, graph, 'latex')).toBe('W^{(1)}\\,x');
  });

  it('a literal layer index h^{(k-1)} and an index with no subscript form', () => {
    const graph = buildGraph(['h^{(k-1)} = W x_{q}', 'L = sum(h^{(k-1)})'], { wrt: ['W'] });
    expect(nodeLabel(graph, 'hk-1')).toBe('h⁽ᵏ⁻¹⁾');
    expect(nodeLabel(graph, 'hk-1', 'latex')).toBe('h^{(k-1)}');
    expect(formatExpr(graph.node('hk-1').expression!, graph)).toBe('W x_q');
  });
});
