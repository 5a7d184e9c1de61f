import { describe, expect, it } from 'vitest';
import { buildGraph, gradientGraph } from '@chainrule/graph';
import { QUESTION_2_LATEX as Q2_LATEX } from '@chainrule/test-support';
import { graphView } from './view.ts';
import { legendEntries, renderDot } from './dot.ts';
import { layoutDot, svgExporter } from './svg.ts';
import { mermaidExporter } from './mermaid.ts';
import { tikzExporter } from './tikz.ts';

const WRT = ['W1', 'W2', 'W3'];
const q2b = () => graphView(gradientGraph(buildGraph(Q2_LATEX, { wrt: WRT, functions: { f: 'relu' } }), WRT));

/** The text of every `<text>` element of an SVG, entities decoded. */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&quot;', '"').replaceAll('&#45;', '-').replaceAll('&amp;', '&'),
  );
}

describe('labels of the LaTeX-parsed Question 2', () => {
  it('are W₁, u₁ in the SVG, never W_1 (an underscore would collide with the second line)', async () => {
    const texts = svgTexts(await svgExporter.render(q2b(), {}));
    for (const expected of ['W₁', 'u₁', 'W₁ x', 'f(u₁)', '∂L/∂W₁', '(∂L/∂u₁) xᵀ', 'ŷ']) expect(texts).toContain(expected);
    expect(texts.filter((t) => t.includes('_'))).toEqual([]);
  });

  it('are W₁ in Mermaid and W_{1} in TikZ', async () => {
    const mermaid = await mermaidExporter.render(q2b(), {});
    expect(mermaid).toContain('W₁');
    expect(mermaid).not.toMatch(/[A-Za-z]_\d/);
    const tikz = await tikzExporter.render(q2b(), {});
    expect(tikz).toContain('$W_{1}$');
    expect(tikz).toContain('{$\\partial L/\\partial u_{1}$}');
  });

  it('keeps a layer index raised: a⁽¹⁾ in text, a^{(1)} in LaTeX', () => {
    const view = graphView(buildGraph(['a^{(1)} = W^{(1)} x', 'L = sum(a^{(1)})'], { wrt: ['W1'] }));
    const a = view.nodes.find((n) => n.id === 'a1')!;
    expect([a.label, a.latexLabel, a.formula, a.latexFormula]).toEqual(['a⁽¹⁾', 'a^{(1)}', 'a⁽¹⁾ = W⁽¹⁾ x', 'a^{(1)} = W^{(1)}\\,x']);
  });
});

/**
 * Advance widths of DejaVu Sans (units per em 2048), the sans-serif font a browser on Linux falls
 * back to for "Helvetica,Arial,sans-serif"; it is wider than the Helvetica metrics Graphviz uses.
 */
const DEJAVU_SANS: Readonly<Record<string, number>> = {
  ' ': 651, '(': 799, ')': 799, ',': 651, a: 1255, b: 1300, c: 1126, d: 1300, e: 1260, f: 721, g: 1300, h: 1298, i: 569,
  k: 1186, l: 569, m: 1995, n: 1298, o: 1253, p: 1300, r: 842, s: 1067, t: 803, u: 1298, y: 1212,
};
const dejaVuWidth = (text: string, points: number) =>
  (Array.from(text).reduce((sum, c) => sum + (DEJAVU_SANS[c] ?? 2048), 0) / 2048) * points;

describe('the legend', () => {
  it('has boxes wider than their text as a browser draws it (DejaVu Sans), read back from the Graphviz layout', async () => {
    const view = q2b();
    const layout = JSON.parse(await layoutDot(renderDot(view), 'json')) as { objects: { name: string; width?: string; fontsize?: string }[] };
    const entries = legendEntries(view);
    expect(entries.map((e) => e.label)).toContain('added by backprop (gradient)');
    for (const { key, label } of entries) {
      const box = layout.objects.find((o) => o.name === `legend:${key}`)!;
      const boxPoints = Number(box.width) * 72;
      // 4 pt of room on each side; the ellipse and octagon are as wide as their box at the text's line.
      expect(dejaVuWidth(label, 10) + 8, label).toBeLessThanOrEqual(boxPoints);
    }
  });

  it('centres its text in the SVG, so a wider browser font grows both ways, not out of the box', async () => {
    const svg = await svgExporter.render(q2b(), {});
    for (const { key } of legendEntries(q2b())) {
      const group = svg.slice(svg.indexOf(`<title>legend:${key}</title>`)).split('</g>')[0]!;
      expect(group, key).toMatch(/<text[^>]*text-anchor="middle"/);
    }
  });
});
