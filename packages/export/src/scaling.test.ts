import { describe, expect, it } from 'vitest';
import { buildGraph, gradientGraph } from '@chainrule/graph';
import { type GraphView, type ViewNode, graphView } from './view.ts';
import { formulaRhs, leafAnchors, renderDot } from './dot.ts';
import { jsonExporter } from './json.ts';
import { renderMermaid } from './mermaid.ts';

const productChainView = (factors: number) =>
  graphView(gradientGraph(buildGraph([`L = sum(${Array(factors).fill('W').join(' ')})`], { wrt: ['W'] }), ['W']));

describe('exports of long problems', () => {
  it('write a product chain of 300 and of 600 factors in space linear in its length (DOT, JSON, Mermaid, the view)', () => {
    const [small, large] = [productChainView(300), productChainView(600)];
    const viewText = (view: GraphView) => view.nodes.reduce((sum, node) => sum + (node.formula?.length ?? 0) + (node.latexFormula?.length ?? 0), 0);
    const sizes = {
      dot: [renderDot(small).length, renderDot(large).length],
      json: [jsonExporter.render(small).toString().length, jsonExporter.render(large).toString().length],
      mermaid: [renderMermaid(small).length, renderMermaid(large).length],
      view: [viewText(small), viewText(large)],
    };
    // Twice the factors, about twice the text; spelling out every prefix product made it four times.
    for (const [format, [a, b]] of Object.entries(sizes)) {
      expect(b! / a!, format).toBeGreaterThan(1.8);
      expect(b! / a!, format).toBeLessThan(2.2);
    }
  });

  it('ranks a chain of 100,000 nodes for the leaf anchors without running out of stack', () => {
    const count = 100_000;
    const nodes: ViewNode[] = [{ id: 'x', label: 'x', kind: 'input', op: null, added: false, latexLabel: 'x' }];
    for (let k = 1; k <= count; k++) nodes.push({ id: `h${k}`, label: `h${k}`, kind: 'intermediate', op: 'tanh', added: false, latexLabel: `h_{${k}}` });
    nodes.push({ id: 'b', label: 'b', kind: 'parameter', op: null, added: false, latexLabel: 'b' });
    const edges = [{ from: 'x', to: 'h1' }, ...Array.from({ length: count - 1 }, (_, k) => ({ from: `h${k + 1}`, to: `h${k + 2}` })), { from: 'b', to: `h${count}` }];
    // Listed from the last node back, so ranking must go down the whole chain from the first node it meets.
    const anchors = leafAnchors({ nodes: [...nodes].reverse(), edges, hidden: [] });
    expect(anchors.get('b')).toBe(`h${count - 1}`);
    expect(anchors.has('x')).toBe(false);
  });

  it('shortens a long formula to its first characters', () => {
    const formula = `g = ${Array.from({ length: 10_000 }, (_, k) => `t${k}`).join(' + ')}`;
    const rhs = formulaRhs({ id: 'g', label: 'g', kind: 'gradient', op: 'add', added: true, latexLabel: 'g', formula });
    expect(rhs).toBe(`${formula.slice(4, 4 + 47).trimEnd()}…`);
    expect(formulaRhs({ id: 'g', label: 'g', kind: 'gradient', op: 'add', added: true, latexLabel: 'g', formula: 'g = a + b' })).toBe('a + b');
  });
});
