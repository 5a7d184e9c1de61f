import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildGraph } from './build.ts';
import { evaluate } from './evaluate.ts';
import type { Expr } from './expr.ts';
import { gradientGraph } from './gradient.ts';
import type { Graph } from './graph.ts';
import { PART_SIZE_LIMIT } from './named-parts.ts';
import { formatExpr, nodeLabel } from './print.ts';

const productChain = (factors: number) => buildGraph([`L = sum(${Array(factors).fill('W').join(' ')})`], { wrt: ['W'] });

/** Characters of every node's formula: what printing, the view and every exporter write. */
const printedSize = (graph: Graph) => graph.nodes.reduce((sum, node) => sum + (node.expression ? formatExpr(node.expression, graph).length : 0), 0);

/** The printed size of an expression, counted as a tree (a subexpression shared twice counts twice). */
function treeSize(e: Expr, memo = new Map<Expr, number>()): number {
  if (e.kind !== 'op') return 1;
  const known = memo.get(e);
  if (known !== undefined) return known;
  const size = 1 + e.args.reduce((sum, arg) => sum + treeSize(arg, memo), 0);
  memo.set(e, size);
  return size;
}

// Plain loops, independent of the tensor package: a square matrix as rows of numbers.
type Matrix = number[][];
const multiply = (a: Matrix, b: Matrix): Matrix => a.map((row) => b[0]!.map((_, j) => row.reduce((sum, v, k) => sum + v * b[k]![j]!, 0)));
const power = (w: Matrix, k: number): Matrix => {
  let p: Matrix = w.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)));
  for (let i = 0; i < k; i++) p = multiply(p, w);
  return p;
};
const sumOf = (m: Matrix) => m.flat().reduce((a, b) => a + b, 0);

describe('gradientGraph names the parts of long expressions', () => {
  it('prints the gradient graph of a product chain in space linear in its length (300 and 600 factors)', () => {
    const size = (n: number) => printedSize(gradientGraph(productChain(n), ['W']));
    const [small, large] = [size(300), size(600)];
    // Linear: twice the factors, about twice the text (inlined prefixes would make it four times).
    expect(large / small).toBeGreaterThan(1.8);
    expect(large / small).toBeLessThan(2.2);
  });

  it('leaves no forward subexpression larger than the limit inside a gradient expression', () => {
    const withGradients = gradientGraph(productChain(300), ['W']);
    const forward = new Set<Expr>();
    for (const node of withGradients.nodes) {
      if (node.gradient || !node.expression) continue;
      const stack: Expr[] = [node.expression];
      while (stack.length > 0) {
        const e = stack.pop()!;
        if (e.kind === 'op' && !forward.has(e)) forward.add(e), stack.push(...e.args);
      }
    }
    let largest = 0;
    const seen = new Set<Expr>();
    for (const node of withGradients.nodes) {
      if (!node.gradient) continue;
      const stack: Expr[] = [node.expression!];
      while (stack.length > 0) {
        const e = stack.pop()!;
        if (e.kind !== 'op' || seen.has(e)) continue;
        seen.add(e);
        if (forward.has(e)) largest = Math.max(largest, treeSize(e));
        else stack.push(...e.args);
      }
    }
    expect(largest).toBeGreaterThan(1);
    expect(largest).toBeLessThanOrEqual(PART_SIZE_LIMIT);
    expect(PART_SIZE_LIMIT).toBeLessThanOrEqual(32);
    for (const node of withGradients.nodes) if (node.expression?.kind === 'op' && !node.gradient) expect(treeSize(node.expression)).toBeLessThanOrEqual(2 * PART_SIZE_LIMIT + 1);
  });

  it('computes the same numbers: the loss, the parts and ∂L/∂W of a 40-factor chain against plain loops and finite differences', () => {
    const n = 40;
    const w: Matrix = [
      [0.31, -0.2, 0.12],
      [0.05, 0.27, -0.33],
      [-0.18, 0.22, 0.29],
    ];
    const withGradients = gradientGraph(productChain(n), ['W']);
    const parts = withGradients.nodes.filter((node) => node.part);
    expect(parts.length).toBeGreaterThan(2);
    const values = evaluate(withGradients, { W: w });
    const close = (actual: Float64Array, expected: Matrix, scale: number) =>
      expected.flat().forEach((v, i) => expect(Math.abs(actual[i]! - v)).toBeLessThan(1e-12 * scale));

    const reference = power(w, n);
    const scale = Math.max(...reference.flat().map(Math.abs));
    expect(values.get('L')!.item()).toBeCloseTo(sumOf(reference), 12);
    // Each part is a prefix W^k of the product: k read from its formula (its factors and the part it continues).
    let factors = 0;
    for (const part of parts) {
      const text = formatExpr(part.expression!, withGradients);
      factors += (text.match(/W/g) ?? []).length;
      close(values.get(part.id)!.data, power(w, factors), Math.max(...power(w, factors).flat().map(Math.abs)));
    }

    // ∂ sum(Wⁿ)/∂W = Σₖ (Wᵏ)ᵀ 𝟙 (Wⁿ⁻¹⁻ᵏ)ᵀ, and central differences of the plain-loop loss.
    const ones: Matrix = w.map((row) => row.map(() => 1));
    const transpose = (m: Matrix) => m[0]!.map((_, j) => m.map((row) => row[j]!));
    let expected: Matrix = w.map((row) => row.map(() => 0));
    for (let k = 0; k < n; k++) {
      const term = multiply(multiply(transpose(power(w, k)), ones), transpose(power(w, n - 1 - k)));
      expected = expected.map((row, i) => row.map((v, j) => v + term[i]![j]!));
    }
    const gradient = values.get('dL/dW')!.data;
    const gradientScale = Math.max(...expected.flat().map(Math.abs));
    close(gradient, expected, gradientScale * 10);
    const h = 1e-6;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const shifted = (delta: number) => sumOf(power(w.map((row, r) => row.map((v, c) => (r === i && c === j ? v + delta : v))), n));
        const numeric = (shifted(h) - shifted(-h)) / (2 * h);
        expect(Math.abs(gradient[i * 3 + j]! - numeric)).toBeLessThan(1e-6 * Math.max(1, gradientScale));
      }
    }
  });

  it('differentiates deep nesting through its parts (60 nested tanh) as finite differences of a plain loop do', () => {
    const depth = 60;
    const graph = buildGraph([`L = sum(${'tanh('.repeat(depth)}w x${')'.repeat(depth)})`], { wrt: ['w'] });
    const withGradients = gradientGraph(graph, ['w']);
    expect(withGradients.nodes.some((node) => node.part)).toBe(true);
    const x = [0.8, -1.1];
    const loss = (w: number) => x.reduce((sum, xi) => {
      let v = w * xi;
      for (let k = 0; k < depth; k++) v = Math.tanh(v);
      return sum + v;
    }, 0);
    const w = 0.9;
    const values = evaluate(withGradients, { w: [[w]], x: [[x[0]!, x[1]!]] });
    expect(values.get('L')!.item()).toBeCloseTo(loss(w), 13);
    const h = 1e-5;
    expect(values.get('dL/dw')!.item()).toBeCloseTo((loss(w + h) - loss(w - h)) / (2 * h), 8);
  });

  it('names a part L₍₁₎ / {L}_{(1)}, resolves it and its gradient by name', () => {
    const withGradients = gradientGraph(productChain(40), ['W']);
    const part = withGradients.nodes.find((node) => node.part)!;
    expect(part).toMatchObject({ id: 'L(1)', label: 'L_{(1)}', kind: 'intermediate', added: true, part: { of: 'L', index: 1 } });
    expect(nodeLabel(withGradients, 'L(1)')).toBe('L₍₁₎');
    expect(nodeLabel(withGradients, 'L(1)', 'latex')).toBe('{L}_{(1)}');
    expect(nodeLabel(withGradients, 'dL/dL(1)')).toBe('∂L/∂L₍₁₎');
    expect(withGradients.resolve('L_{(1)}')).toBe('L(1)');
    expect(withGradients.resolve('∂L/∂L_{(1)}')).toBe('dL/dL(1)');
    // Every part comes before the node that reads it, which keeps its own id, label and equation.
    const order = withGradients.nodes.map((node) => node.id);
    expect(order.indexOf('L(1)')).toBeLessThan(order.indexOf('L'));
    expect(withGradients.node('L').equation?.line).toBe(1);
  });

  it('names nothing in the graphs of Assignment 9 (Q3 keeps its 21 nodes and 7 gradients)', () => {
    const q3 = JSON.parse(readFileSync(new URL('../../assignment9/src/networks/q3.json', import.meta.url), 'utf8')) as { equations: string[]; functions: Record<string, string>; wrt: string[] };
    const graph = buildGraph(q3.equations, { wrt: q3.wrt, functions: q3.functions });
    const withGradients = gradientGraph(graph, q3.wrt);
    expect(withGradients.nodes.some((node) => node.part)).toBe(false);
    expect(withGradients.nodes.length).toBe(21);
    expect(withGradients.nodes.slice(0, graph.nodes.length)).toEqual(graph.nodes);
  });
});
