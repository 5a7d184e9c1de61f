import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type NodeKind, buildGraph, gradientGraph } from '@chainrule/graph';
import { type GraphView, type ViewNode, graphView } from './view.ts';
import { dotExporter, dotId, leafAnchors, legendEntries, renderDot } from './dot.ts';
import { EXPORTERS, EXPORT_FORMATS, TIKZ_LIBRARIES, exportGraph, graphJsonSchema, validateDot } from './exporters.ts';
import { jsonExporter } from './json.ts';
import { mermaidExporter, mermaidText } from './mermaid.ts';
import { layoutDot, svgExporter } from './svg.ts';
import { latexText } from './latex-text.ts';
import { tikzExporter } from './tikz.ts';

// ---------------------------------------------------------------------------------------------
// Fixtures: the Question 2 network and its gradient nodes, built by hand as a GraphView.

function node(id: string, label: string, kind: NodeKind, latexLabel: string, rhs?: [string, string], op: string | null = null, added = false): ViewNode {
  return {
    id,
    label,
    kind,
    op,
    added,
    latexLabel,
    ...(rhs ? { formula: `${label} = ${rhs[0]}`, latexFormula: `${latexLabel} = ${rhs[1]}` } : {}),
  };
}

const gradient = (wrt: string, wrtLatex: string, rhs: [string, string], op: string) =>
  node(`dL/d${wrt}`, `∂L/∂${wrt}`, 'gradient', `\\frac{\\partial L}{\\partial ${wrtLatex}}`, rhs, op, true);

const FORWARD_NODES: ViewNode[] = [
  node('x', 'x', 'input', 'x'),
  node('W1', 'W1', 'parameter', 'W_{1}'),
  node('W2', 'W2', 'parameter', 'W_{2}'),
  node('W3', 'W3', 'parameter', 'W_{3}'),
  node('yhat', 'ŷ', 'target', '\\hat{y}'),
  node('u1', 'u1', 'intermediate', 'u_{1}', ['W1 x', 'W_{1} x'], 'matmul'),
  node('z1', 'z1', 'intermediate', 'z_{1}', ['f(u1)', 'f(u_{1})'], 'relu'),
  node('u2', 'u2', 'intermediate', 'u_{2}', ['W2 x', 'W_{2} x'], 'matmul'),
  node('z2', 'z2', 'intermediate', 'z_{2}', ['f(u2)', 'f(u_{2})'], 'relu'),
  node('u3', 'u3', 'intermediate', 'u_{3}', ['W3 z1', 'W_{3} z_{1}'], 'matmul'),
  node('y', 'y', 'intermediate', 'y', ['u3 + z2', 'u_{3} + z_{2}'], 'add'),
  node('L', 'L', 'loss', 'L', ['1/2 ‖y − ŷ‖²', '\\frac{1}{2} \\left\\| y - \\hat{y} \\right\\|^{2}'], 'mul'),
];
const e = (from: string, to: string) => ({ from, to });
const FORWARD_EDGES = [
  e('W1', 'u1'), e('x', 'u1'), e('u1', 'z1'), e('W2', 'u2'), e('x', 'u2'), e('u2', 'z2'),
  e('W3', 'u3'), e('z1', 'u3'), e('u3', 'y'), e('z2', 'y'), e('y', 'L'), e('yhat', 'L'),
];

/** Question 2 (a): the forward graph. */
const Q2A: GraphView = { nodes: FORWARD_NODES, edges: FORWARD_EDGES, hidden: [] };

/** Question 2 (b), simplified: ∂L/∂z2 (one input, one output) is hidden. */
const Q2B: GraphView = {
  nodes: [
    ...FORWARD_NODES,
    gradient('y', 'y', ['y − ŷ', 'y - \\hat{y}'], 'add'),
    gradient('u3', 'u_{3}', ['∂L/∂y', '\\frac{\\partial L}{\\partial y}'], 'identity'),
    gradient('W3', 'W_{3}', ['(∂L/∂u3) z1ᵀ', '\\frac{\\partial L}{\\partial u_{3}} z_{1}^{\\top}'], 'matmul'),
    gradient('z1', 'z_{1}', ['W3ᵀ (∂L/∂u3)', 'W_{3}^{\\top} \\frac{\\partial L}{\\partial u_{3}}'], 'matmul'),
    gradient('u1', 'u_{1}', ["(∂L/∂z1) ⊙ f'(u1)", "\\frac{\\partial L}{\\partial z_{1}} \\odot f'(u_{1})"], 'mul'),
    gradient('W1', 'W_{1}', ['(∂L/∂u1) xᵀ', '\\frac{\\partial L}{\\partial u_{1}} x^{\\top}'], 'matmul'),
    gradient('u2', 'u_{2}', ["(∂L/∂z2) ⊙ f'(u2)", "\\frac{\\partial L}{\\partial z_{2}} \\odot f'(u_{2})"], 'mul'),
    gradient('W2', 'W_{2}', ['(∂L/∂u2) xᵀ', '\\frac{\\partial L}{\\partial u_{2}} x^{\\top}'], 'matmul'),
  ],
  edges: [
    ...FORWARD_EDGES,
    e('y', 'dL/dy'), e('yhat', 'dL/dy'), e('dL/dy', 'dL/du3'), e('dL/du3', 'dL/dW3'), e('z1', 'dL/dW3'),
    e('W3', 'dL/dz1'), e('dL/du3', 'dL/dz1'), e('dL/dz1', 'dL/du1'), e('u1', 'dL/du1'), e('dL/du1', 'dL/dW1'),
    e('x', 'dL/dW1'), e('dL/dy', 'dL/du2'), e('u2', 'dL/du2'), e('dL/du2', 'dL/dW2'), e('x', 'dL/dW2'),
  ],
  hidden: ['dL/dz2'],
};

/** Ids and labels that need escaping in every format. */
const AWKWARD: GraphView = {
  nodes: [
    node('a"b', 'say "hi" & <b>bold</b>', 'input', '\\mathrm{a}'),
    node('back\\slash', 'C:\\dir\\n', 'parameter', 'b'),
    node('ends\\', 'ends in \\', 'target', 't'),
    node('f(x)/ŷ', '#1 `tick` 100%', 'intermediate', 'f', ['a_b {c} $d$', 'a_b'], 'relu'),
    node('two\nlines', 'first\nsecond', 'intermediate', 'g', ['x', 'x'], 'identity'),
    node('dL/d(f(x)/ŷ)', '∂L/∂W3', 'gradient', '\\frac{\\partial L}{\\partial W_{3}}', ['∂L/∂y "quoted" \\ back', 'y'], 'mul', true),
  ],
  edges: [e('a"b', 'f(x)/ŷ'), e('back\\slash', 'f(x)/ŷ'), e('ends\\', 'two\nlines'), e('f(x)/ŷ', 'two\nlines'), e('two\nlines', 'dL/d(f(x)/ŷ)')],
  hidden: [],
};

// ---------------------------------------------------------------------------------------------
// Helpers

/** Decodes the XML entities Graphviz writes into SVG. */
function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|quot|amp|lt|gt|apos);/gi, (_match, entity: string) => {
    if (entity.startsWith('#x') || entity.startsWith('#X')) return String.fromCodePoint(Number.parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" }[entity.toLowerCase()] ?? '';
  });
}

/** SVG node groups: their title (the node name) and every text they show, decoded. */
function svgNodes(svg: string): Map<string, { texts: string[]; group: string }> {
  const nodes = new Map<string, { texts: string[]; group: string }>();
  for (const match of svg.matchAll(/<g id="node\d+" class="node[^"]*">([\s\S]*?)<\/g>\n(?=<!--|<g id="(?:node|edge|clust)|<\/g>)/g)) {
    const group = match[0];
    const title = /<title>([\s\S]*?)<\/title>/.exec(group)?.[1];
    if (title === undefined) continue;
    const texts = [...group.matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((t) => decodeXml(t[1]!));
    nodes.set(decodeXml(title), { texts, group });
  }
  return nodes;
}

interface GraphvizJson {
  objects?: { _gvid: number; name: string; label?: string; style?: string; nodes?: number[] }[];
  edges?: { tail: number; head: number; style?: string }[];
}

async function graphvizJson(dot: string): Promise<GraphvizJson> {
  return JSON.parse(await layoutDot(dot, 'json')) as GraphvizJson;
}

// In CI (CI set) a missing pdflatex fails the compile test instead of skipping it.
const hasPdflatex = (() => {
  if (process.env.CI) return true;
  try {
    execFileSync('pdflatex', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

// ---------------------------------------------------------------------------------------------

describe('EXPORTERS and exportGraph', () => {
  it('maps each format to its exporter', () => {
    expect(EXPORT_FORMATS).toEqual(['json', 'dot', 'mermaid', 'svg', 'tikz']);
    for (const format of EXPORT_FORMATS) {
      expect(EXPORTERS[format].format).toBe(format);
      expect(EXPORTERS[format].mediaType).toMatch(/^[a-z]+\/[\w.+-]+/);
      expect(EXPORTERS[format].extension).toMatch(/^[a-z]+$/);
    }
  });

  it('renders an empty view in every format', async () => {
    const empty: GraphView = { nodes: [], edges: [], hidden: [] };
    for (const format of EXPORT_FORMATS) expect(await EXPORTERS[format].render(empty)).not.toBe('');
    await validateDot(renderDot(empty));
  });

  it('rejects an unknown format with the list of formats', async () => {
    const graph = buildGraph('y = W x', { wrt: ['W'] });
    await expect(exportGraph(graph, 'png' as never)).rejects.toThrow(/unknown export format 'png' \(formats: json, dot, mermaid, svg, tikz\)/);
  });
});

describe('jsonExporter', () => {
  it('writes every node, edge and hidden id in the schema, pretty-printed with 2 spaces', async () => {
    const text = await jsonExporter.render(Q2B);
    expect(text).toMatch(/^\{\n {2}"nodes": \[\n {4}\{\n {6}"id": "x",/);
    const json = graphJsonSchema.parse(JSON.parse(text));
    expect(json.nodes.map((n) => n.id)).toEqual(Q2B.nodes.map((n) => n.id));
    expect(json.edges).toEqual(Q2B.edges);
    expect(json.hidden).toEqual(['dL/dz2']);
    const byId = new Map(json.nodes.map((n) => [n.id, n]));
    expect(byId.get('x')).toEqual({ id: 'x', label: 'x', kind: 'input', op: null, added: false });
    expect(byId.get('dL/dW3')).toEqual({
      id: 'dL/dW3',
      label: '∂L/∂W3',
      kind: 'gradient',
      op: 'matmul',
      added: true,
      formula: '∂L/∂W3 = (∂L/∂u3) z1ᵀ',
      latex: '\\frac{\\partial L}{\\partial W_{3}} = \\frac{\\partial L}{\\partial u_{3}} z_{1}^{\\top}',
    });
    expect(Object.keys(byId.get('u1')!)).toEqual(['id', 'label', 'kind', 'op', 'added', 'formula', 'latex']);
  });

  it('keeps awkward ids and labels exactly', async () => {
    const json = graphJsonSchema.parse(JSON.parse(await jsonExporter.render(AWKWARD)));
    expect(json.nodes.map((n) => [n.id, n.label])).toEqual(AWKWARD.nodes.map((n) => [n.id, n.label]));
    expect(json.edges).toEqual(AWKWARD.edges);
  });

  it('has a schema that rejects what it does not describe', () => {
    const good = { nodes: [{ id: 'x', label: 'x', kind: 'input', op: null, added: false }], edges: [], hidden: [] };
    expect(graphJsonSchema.safeParse(good).success).toBe(true);
    expect(graphJsonSchema.safeParse({ ...good, nodes: [{ ...good.nodes[0], kind: 'weight' }] }).success).toBe(false);
    expect(graphJsonSchema.safeParse({ ...good, edges: [{ from: 'x' }] }).success).toBe(false);
  });
});

describe('dotExporter', () => {
  it('declares every node with its label and formula, and every edge', async () => {
    const dot = await dotExporter.render(Q2B, { title: 'Question 2 (b)' });
    expect(dot).toMatch(/^digraph chainrule \{\n {2}graph \[rankdir=LR,/);
    expect(dot).toContain('label=<Question 2 (b)>, labelloc=t');
    for (const n of Q2B.nodes) expect(dot).toMatch(new RegExp(`^  "${n.id}" \\[label=<${n.label}[<,>]`, 'm'));
    expect(dot).toContain('"u1" [label=<u1<BR/><FONT POINT-SIZE="10" COLOR="#374151">W1 x</FONT>>');
    expect(dot).toContain('"yhat" [label=<ŷ>');
    for (const { from, to } of Q2B.edges) expect(dot).toMatch(new RegExp(`^  "${from}" -> "${to}"( \\[|;)`, 'm'));
  });

  it('draws added nodes as dashed filled boxes of one colour, the edges into them dashed, and a legend that matches', async () => {
    // Read back through Graphviz, so the test checks what is drawn, not how dot.ts spells it.
    const json = await graphvizJson(renderDot(Q2B));
    type Drawn = { name: string; shape?: string; style?: string; fillcolor?: string; color?: string; peripheries?: string };
    const objects = (json.objects ?? []) as unknown as Drawn[];
    const drawn = new Map(objects.map((o) => [o.name, o]));
    const styles = (o: Drawn | undefined) => (o?.style ?? '').split(',');
    const added = Q2B.nodes.filter((n) => n.added).map((n) => drawn.get(n.id)!);
    const forward = Q2B.nodes.filter((n) => !n.added).map((n) => drawn.get(n.id)!);
    for (const node of added) {
      expect(node.shape, node.name).toBe('box');
      expect(styles(node)).toEqual(expect.arrayContaining(['rounded', 'filled', 'dashed']));
    }
    expect(new Set(added.map((n) => `${n.fillcolor} ${n.color}`)).size).toBe(1);
    for (const node of forward) {
      expect(styles(node), node.name).not.toContain('dashed');
      expect(node.fillcolor, node.name).not.toBe(added[0]!.fillcolor);
    }
    // The sheet's shapes for the kinds: inputs round, parameters boxes, the target doubled, the loss an octagon.
    expect(drawn.get('x')!.shape).toBe('ellipse');
    expect(drawn.get('W1')!.shape).toBe('box');
    expect(drawn.get('yhat')!.peripheries).toBe('2');
    expect(drawn.get('L')!.shape).toBe('octagon');
    // Each legend entry looks like the nodes it names.
    for (const [key, example] of [['added', added[0]!], ['input', drawn.get('x')!], ['parameter', drawn.get('W1')!], ['loss', drawn.get('L')!]] as const) {
      const entry = drawn.get(`legend:${key}`)!;
      expect([entry.shape, entry.fillcolor, entry.color], key).toEqual([example.shape, example.fillcolor, example.color]);
    }
    const names = new Map(objects.map((o, i) => [(json.objects ?? [])[i]!._gvid, o.name]));
    const addedIds = new Set(Q2B.nodes.filter((n) => n.added).map((n) => n.id));
    let dashed = 0;
    for (const edge of (json.edges ?? []) as { tail: number; head: number; style?: string; color?: string }[]) {
      if (edge.style === 'invis') continue;
      const into = names.get(edge.head)!;
      if (addedIds.has(into)) {
        dashed++;
        expect([edge.style, edge.color], into).toEqual(['dashed', added[0]!.color]);
      } else expect(edge.style, into).toBeUndefined();
    }
    // The 15 edges of part (b) that end in an added node (12 forward edges stay solid).
    expect(dashed).toBe(15);
  });

  it('has a legend naming each kind present, and nothing added for part (a)', async () => {
    const b = await dotExporter.render(Q2B);
    const legend = b.slice(b.indexOf('subgraph cluster_legend {'));
    for (const label of ['input', 'parameter', 'target', 'intermediate', 'loss', 'added by backprop (gradient)']) {
      expect(legend).toContain(`[label="${label}"`);
    }
    expect(legendEntries(Q2B).map((entry) => entry.key)).toEqual(['input', 'parameter', 'target', 'intermediate', 'loss', 'added']);
    const a = await dotExporter.render(Q2A);
    expect(a).toContain('subgraph cluster_legend {');
    expect(a).not.toContain('added');
    expect(a).not.toContain('dashed, color=');
    expect(renderDot(Q2A, { legend: false })).not.toContain('cluster_legend');
  });

  it('puts each leaf beside the operand it is combined with', () => {
    const anchors = leafAnchors(Q2A);
    expect(anchors.get('W3')).toBe('z1');
    expect(anchors.get('yhat')).toBe('y');
    expect(anchors.has('x')).toBe(false);
    expect(renderDot(Q2A)).toContain('{ rank=same; "z1"; "W3"; }');
  });

  it('is accepted by Graphviz, which reads back every node and edge', async () => {
    for (const view of [Q2A, Q2B]) {
      const dot = renderDot(view, { title: 'Question 2' });
      await validateDot(dot);
      const json = await graphvizJson(dot);
      const names = new Map((json.objects ?? []).map((o) => [o._gvid, o.name]));
      for (const n of view.nodes) expect([...names.values()]).toContain(n.id);
      const edges = (json.edges ?? []).filter((edge) => edge.style !== 'invis').map((edge) => ({ from: names.get(edge.tail), to: names.get(edge.head) }));
      expect(edges).toEqual(view.edges);
      expect((json.objects ?? []).find((o) => o.name === 'cluster_legend')?.nodes).toHaveLength(legendEntries(view).length);
    }
  });

  it('escapes awkward ids and labels so they survive a round trip through Graphviz', async () => {
    const dot = renderDot(AWKWARD, { title: 'quotes " and \\ <tags>' });
    expect(dot).toContain('"a\\"b" [label=<say &quot;hi&quot; &amp; &lt;b&gt;bold&lt;/b&gt;>');
    expect(dot).toContain('<ends\\> [label=<ends in \\>');
    expect(dot).toContain('"two\nlines" [label=<first<BR/>second');
    expect(dot).toContain('label=<quotes &quot; and \\ &lt;tags&gt;>');
    await validateDot(dot);
    const json = await graphvizJson(dot);
    const names = new Map((json.objects ?? []).map((o) => [o._gvid, o.name]));
    for (const n of AWKWARD.nodes) expect([...names.values()]).toContain(n.id);
    const edges = (json.edges ?? []).filter((edge) => edge.style !== 'invis').map((edge) => ({ from: names.get(edge.tail), to: names.get(edge.head) }));
    expect(edges).toEqual(AWKWARD.edges);
  });

  it('writes any id as a DOT ID', () => {
    expect(dotId('dL/dW3')).toBe('"dL/dW3"');
    expect(dotId('ŷ')).toBe('"ŷ"');
    expect(dotId('a"b')).toBe('"a\\"b"');
    expect(dotId('a\\b')).toBe('"a\\b"');
    expect(dotId('a\\')).toBe('<a\\>');
    expect(dotId('a\\"b')).toBe('<a\\"b>');
    expect(() => dotId('<a\\')).toThrow(/cannot write the node id/);
  });

  it('shortens a long formula on the node and keeps the whole of it as tooltip', async () => {
    const long = 'a + '.repeat(20) + 'b';
    const view: GraphView = { nodes: [node('s', 's', 'loss', 's', [long, long], 'add')], edges: [], hidden: [] };
    const dot = renderDot(view);
    expect(dot).toContain(`${'a + '.repeat(11)}a +…</FONT>`);
    expect(dot).toContain(`tooltip="s = ${long}"`);
    await validateDot(dot);
  });
});

describe('validateDot', () => {
  it('throws a clear error for a syntax error', async () => {
    await expect(validateDot('digraph { a -> }')).rejects.toThrow(/^Graphviz rejected the DOT: syntax error in line 1/);
  });

  it('throws for a malformed HTML-like label, which Graphviz would silently drop', async () => {
    await expect(validateDot('digraph { a [label=<<B>x>] }')).rejects.toThrow(/Graphviz rejected the DOT: .*label of node a/);
  });

  it('still works after an error', async () => {
    await expect(validateDot('digraph {')).rejects.toThrow();
    await expect(validateDot('digraph { a -> b }')).resolves.toBeUndefined();
  });
});

describe('svgExporter', () => {
  it('renders every node with its label, added nodes dashed', async () => {
    const svg = await svgExporter.render(Q2B, { title: 'Question 2 (b)' });
    expect(svg).toContain('<svg');
    expect(svg).toContain('Question 2 (b)');
    const nodes = svgNodes(svg);
    for (const n of Q2B.nodes) {
      const drawn = nodes.get(n.id);
      expect(drawn, n.id).toBeDefined();
      expect(drawn!.texts[0]).toBe(n.label);
      if (n.added) {
        expect(drawn!.group).toContain('class="node gradient added"');
        // Dashed, in the same colour as the legend's entry for added nodes.
        const legendStroke = /stroke="(#[0-9a-f]{6})"/.exec(nodes.get('legend:added')!.group)![1];
        expect(drawn!.group).toMatch(new RegExp(`stroke="${legendStroke}"[^>]*stroke-dasharray`));
      } else {
        expect(drawn!.group).not.toContain('stroke-dasharray');
      }
    }
    expect(nodes.get('dL/dW3')!.texts).toEqual(['∂L/∂W3', '(∂L/∂u3) z1ᵀ']);
    expect(nodes.get('legend:added')!.texts).toEqual(['added by backprop (gradient)']);
  });

  it('shows awkward labels as written', async () => {
    const nodes = svgNodes(await svgExporter.render(AWKWARD));
    expect(nodes.get('a"b')!.texts).toEqual(['say "hi" & <b>bold</b>']);
    expect(nodes.get('back\\slash')!.texts).toEqual(['C:\\dir\\n']);
    expect(nodes.get('ends\\')!.texts).toEqual(['ends in \\']);
    expect(nodes.get('two\nlines')!.texts).toEqual(['first', 'second', 'x']);
    expect(nodes.get('dL/d(f(x)/ŷ)')!.texts).toEqual(['∂L/∂W3', '∂L/∂y "quoted" \\ back']);
  });
});

describe('mermaidExporter', () => {
  it('writes a flowchart with every node, edge and class', async () => {
    const text = await mermaidExporter.render(Q2B, { title: 'Question 2 (b)' });
    expect(text.startsWith('---\ntitle: "Question 2 (b)"\n---\nflowchart LR\n')).toBe(true);
    const ids = new Map(Q2B.nodes.map((n, i) => [n.id, `n${i}`]));
    expect(text).toContain('  n0(["x"])\n');
    expect(text).toContain('  n1["W1"]\n');
    expect(text).toContain('  n4[/"ŷ"/]\n');
    expect(text).toContain('  n5("u1<br>W1 x")\n');
    expect(text).toContain('  n11{{"L<br>1/2 ‖y − ŷ‖²"}}\n');
    for (const n of Q2B.nodes) expect(text).toMatch(new RegExp(`^  ${ids.get(n.id)}\\W+"${n.label.replace(/[()]/g, '\\$&')}`, 'm'));
    const added = new Set(Q2B.nodes.filter((n) => n.added).map((n) => n.id));
    for (const { from, to } of Q2B.edges) {
      expect(text).toContain(`  ${ids.get(from)} ${added.has(to) ? '-.->' : '-->'} ${ids.get(to)}\n`);
    }
    for (const kind of ['input', 'parameter', 'target', 'intermediate', 'loss', 'added']) expect(text).toMatch(new RegExp(`^  classDef ${kind} fill:`, 'm'));
    expect(text).toMatch(/^ {2}classDef added [^\n]*stroke-dasharray:5 3;$/m);
    const addedIds = Q2B.nodes.filter((n) => n.added).map((n) => ids.get(n.id));
    expect(text).toContain(`  class ${addedIds.join(',')} added;`);
    // The dotted edges are drawn in the border colour of the added nodes.
    const addedStroke = /^ {2}classDef added [^\n]*stroke:(#[0-9a-f]{6})/m.exec(text)![1];
    expect(text).toContain(`  linkStyle ${Q2B.edges.map((edge, i) => (added.has(edge.to) ? i : -1)).filter((i) => i >= 0).join(',')} stroke:${addedStroke}`);
  });

  it('escapes labels and uses safe ids', async () => {
    const text = await mermaidExporter.render(AWKWARD, { title: 'a "b" \\ c' });
    expect(text).toContain('title: "a \\"b\\" \\\\ c"');
    expect(text).toContain('  n0(["say #quot;hi#quot; #amp; #lt;b#gt;bold#lt;/b#gt;"])');
    expect(text).toContain('  n3("#35;1 #96;tick#96; 100%<br>a_b {c} $d$")');
    expect(text).toContain('  n4("first<br>second<br>x")');
    expect(mermaidText('#quot;')).toBe('#35;quot;');
    for (const line of text.split('\n').filter((l) => /^ {2}n\d+\W/.test(l) && !l.includes('->'))) {
      expect(line).toMatch(/^ {2}n\d+[[({/]+"[^"]*"[\])}/]+$/);
    }
    expect(text).not.toContain('two\nlines');
  });
});

describe('tikzExporter', () => {
  it('places one \\node per node and draws one path per edge', async () => {
    const tikz = await tikzExporter.render(Q2B, { title: 'Question 2 (b): 100% & W_1' });
    expect(tikz).toContain(TIKZ_LIBRARIES);
    expect(tikz).toMatch(/\\begin\{tikzpicture\}[\s\S]*\\end\{tikzpicture\}\n$/);
    const nodes = [...tikz.matchAll(/^ {2}\\node\[cr ([a-z]+)\] \((n\d+)\) at \((-?\d+\.\d+),(-?\d+\.\d+)\) \{(.*)\};$/gm)];
    expect(nodes).toHaveLength(Q2B.nodes.length);
    Q2B.nodes.forEach((n, i) => {
      const [, style, name, , , label] = nodes[i]!;
      expect(name).toBe(`n${i}`);
      expect(style).toBe(n.added ? 'added' : n.kind);
      // A gradient with a slash (∂L/∂W₃): a stacked fraction in a node is set too small to read.
      expect(label).toBe(n.kind === 'gradient' ? `$\\partial L/\\partial ${n.latexLabel.slice('\\frac{\\partial L}{\\partial '.length, -1)}$` : `$${n.latexLabel}$`);
    });
    expect(new Set(nodes.map((m) => `${m[3]},${m[4]}`)).size).toBe(Q2B.nodes.length);
    const draws = tikz.split('\n').filter((l) => l.includes('\\draw'));
    expect(draws).toHaveLength(Q2B.edges.length);
    const ids = new Map(Q2B.nodes.map((n, i) => [n.id, `n${i}`]));
    const added = new Set(Q2B.nodes.filter((n) => n.added).map((n) => n.id));
    Q2B.edges.forEach(({ from, to }, i) => {
      expect(draws[i]).toMatch(new RegExp(`^ {2}\\\\draw\\[${added.has(to) ? 'cr backprop' : 'cr edge'}\\] \\(${ids.get(from)}\\) .*\\(${ids.get(to)}\\);$`));
    });
    expect(tikz).toMatch(/cr added\/\.style=\{[^}]*dashed/);
    expect(tikz).toMatch(/cr backprop\/\.style=\{->, dashed/);
    expect(tikz).toContain('{Question 2 (b): 100\\% \\& W\\_1}');
  });

  it('uses safe node names whatever the ids', async () => {
    const tikz = await tikzExporter.render(AWKWARD);
    expect(tikz).toContain('% n4: two lines (intermediate)');
    expect(tikz).not.toContain('a"b)');
    expect(latexText('\\ {x} ~ ^')).toBe('\\textbackslash{} \\{x\\} \\textasciitilde{} \\textasciicircum{}');
  });

  it.skipIf(!hasPdflatex)('compiles with pdflatex (skipped when pdflatex is not on PATH, outside CI)', async () => {
    const tikz = await tikzExporter.render(Q2B, { title: 'Question 2 (b): 100% & W_1' });
    const dir = mkdtempSync(join(tmpdir(), 'chainrule-tikz-'));
    try {
      const document = `\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{tikz}\n${TIKZ_LIBRARIES}\n\\begin{document}\n${tikz}\\end{document}\n`;
      writeFileSync(join(dir, 'graph.tex'), document);
      try {
        execFileSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', 'graph.tex'], { cwd: dir, stdio: 'pipe', timeout: 300_000 });
      } catch (error) {
        const log = readFileSync(join(dir, 'graph.log'), 'utf8');
        throw new Error(`pdflatex failed:\n${log.slice(log.indexOf('\n!'), log.indexOf('\n!') + 800)}`, { cause: error });
      }
      expect(readFileSync(join(dir, 'graph.pdf')).subarray(0, 5).toString()).toBe('%PDF-');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the real Question 2 gradient graph', () => {
  it('exports in every format', async () => {
    const equations = ['L  = 1/2 ||y - ŷ||^2', 'y  = u3 + z2', 'u3 = W3 z1', 'z2 = f(u2)', 'u2 = W2 x', 'z1 = f(u1)', 'u1 = W1 x', 'f = relu'];
    const graph = gradientGraph(buildGraph(equations, { wrt: ['W1', 'W2', 'W3'] }), ['W1', 'W2', 'W3']);
    const view = graphView(graph, { simplify: true });
    const options = { simplify: true, title: 'Question 2 (b)' };

    const json = graphJsonSchema.parse(JSON.parse(await exportGraph(graph, 'json', options)));
    expect(json.nodes.map((n) => n.id)).toEqual(view.nodes.map((n) => n.id));
    for (const id of ['dL/dW1', 'dL/dW2', 'dL/dW3']) expect(json.nodes.find((n) => n.id === id)?.added).toBe(true);
    expect(json.hidden).toEqual(view.hidden);

    const dot = await exportGraph(graph, 'dot', options);
    await validateDot(dot);
    for (const n of view.nodes) expect(dot).toContain(`${dotId(n.id)} [label=<${n.label}`);

    const svg = svgNodes(await exportGraph(graph, 'svg', options));
    for (const n of view.nodes) expect(svg.get(n.id)?.group).toContain(n.added ? 'stroke-dasharray' : 'class="node');

    const mermaid = await exportGraph(graph, 'mermaid', options);
    expect(mermaid.split('\n').filter((l) => / -(?:->|\.->) /.test(l))).toHaveLength(view.edges.length);

    const tikz = await exportGraph(graph, 'tikz', options);
    expect(tikz.match(/\\node\[cr /g)).toHaveLength(view.nodes.length);
    expect(tikz.match(/\\draw\[/g)).toHaveLength(view.edges.length);
  });
});
