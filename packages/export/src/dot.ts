import { ChainruleError } from '@chainrule/tensor';
import type { NodeKind } from '@chainrule/graph';
import type { GraphView, ViewNode } from './view.ts';
import type { ExportOptions, Exporter } from './exporter.ts';

/**
 * How a node is styled: by its kind, except that every node added by backpropagation shares one look.
 *
 * @example
 * const key: StyleKey = node.added ? 'added' : node.kind;
 */
export type StyleKey = NodeKind | 'added';

/**
 * Legend order: forward leaves, computed nodes, then what backpropagation added.
 *
 * @example
 * STYLE_KEYS.indexOf('added'); // 6, the last legend entry
 */
export const STYLE_KEYS: readonly StyleKey[] = ['input', 'parameter', 'target', 'intermediate', 'loss', 'gradient', 'added'];

/**
 * Fill and border colour of each style; the DOT, Mermaid and TikZ output use the same colours.
 *
 * @example
 * PALETTE.added.stroke; // '#c2410c'
 */
export const PALETTE: Readonly<Record<StyleKey, { readonly fill: string; readonly stroke: string }>> = {
  input: { fill: '#dbeafe', stroke: '#1d4ed8' },
  parameter: { fill: '#dcfce7', stroke: '#15803d' },
  target: { fill: '#fef3c7', stroke: '#b45309' },
  intermediate: { fill: '#f3f4f6', stroke: '#4b5563' },
  loss: { fill: '#fee2e2', stroke: '#b91c1c' },
  gradient: { fill: '#ffedd5', stroke: '#c2410c' },
  added: { fill: '#ffedd5', stroke: '#c2410c' },
};

/**
 * The style of a node: `added` for every node backpropagation added, else its kind.
 *
 * @example
 * styleKey({ id: 'dL/dW3', label: '∂L/∂W3', kind: 'gradient', op: 'matmul', added: true, latexLabel: '' }); // 'added'
 */
export function styleKey(node: ViewNode): StyleKey {
  return node.added ? 'added' : node.kind;
}

/**
 * The legend entries of a view: one per style present, named by kind; the added entry names the
 * kinds of the added nodes, e.g. `added by backprop (gradient)`.
 *
 * @example
 * legendEntries(view); // [{ key: 'input', label: 'input' }, …, { key: 'added', label: 'added by backprop (gradient)' }]
 */
export function legendEntries(view: GraphView): { key: StyleKey; label: string }[] {
  const present = new Set(view.nodes.map(styleKey));
  const addedKinds = [...new Set(view.nodes.filter((n) => n.added).map((n) => n.kind))];
  return STYLE_KEYS.filter((key) => present.has(key)).map((key) => ({
    key,
    label: key === 'added' ? `added by backprop (${addedKinds.join(', ')})` : key,
  }));
}

/**
 * The right-hand side of a node's formula (`u1 = W1 x` → `W1 x`), shortened to `max` characters
 * with `…`; undefined for leaves.
 *
 * @example
 * formulaRhs({ …, label: 'u1', formula: 'u1 = W1 x' }); // 'W1 x'
 */
export function formulaRhs(node: ViewNode, max = 48): string | undefined {
  const formula = node.formula;
  if (formula === undefined) return undefined;
  const prefix = `${node.label} = `;
  const at = formula.indexOf(' = ');
  const rhs = formula.startsWith(prefix) ? formula.slice(prefix.length) : at >= 0 ? formula.slice(at + 3) : formula;
  // Only the first `max` characters are looked at: the formula of a gradient summed over thousands of uses is long.
  const chars: string[] = [];
  for (const c of rhs) if (chars.push(c) > max) return `${chars.slice(0, max - 1).join('').trimEnd()}…`;
  return rhs;
}

/**
 * For each leaf, the computed node it is best drawn beside: the latest-ranked computed operand of
 * the first node that uses the leaf (so `W3` sits next to `z1` before `u3 = W3 z1`, `ŷ` next to `y`).
 * Without this, Graphviz puts every leaf in the first rank, far from where it is used.
 *
 * @example
 * leafAnchors(view).get('W3'); // 'z1'
 */
export function leafAnchors(view: GraphView): Map<string, string> {
  const inputs = new Map<string, string[]>(view.nodes.map((n) => [n.id, []]));
  const consumers = new Map<string, string[]>(view.nodes.map((n) => [n.id, []]));
  for (const { from, to } of view.edges) {
    inputs.get(to)?.push(from);
    consumers.get(from)?.push(to);
  }
  const rank = rankOfNodes(view.nodes, inputs);
  const rankOf = (id: string) => rank.get(id) ?? 0;
  const anchors = new Map<string, string>();
  // The lowest-ranked consumer and its highest-ranked computed operand (the first of equals):
  // one pass each, not a sort — a parameter of a long product has thousands of consumers.
  for (const node of view.nodes) {
    if ((inputs.get(node.id) ?? []).length > 0) continue;
    let first: string | undefined;
    for (const id of consumers.get(node.id) ?? []) if (first === undefined || rankOf(id) < rankOf(first)) first = id;
    if (first === undefined) continue;
    let anchor: string | undefined;
    for (const id of inputs.get(first) ?? []) if ((inputs.get(id) ?? []).length > 0 && (anchor === undefined || rankOf(id) > rankOf(anchor))) anchor = id;
    if (anchor !== undefined) anchors.set(node.id, anchor);
  }
  return anchors;
}

/**
 * The rank of every node: 0 for a node without inputs, else one more than its highest-ranked input.
 * Without recursion (a chain of 100,000 gradient nodes is as deep); a cycle, which a Graph cannot
 * have but a hand-built view might, is cut where it closes.
 */
function rankOfNodes(nodes: readonly ViewNode[], inputs: ReadonlyMap<string, readonly string[]>): Map<string, number> {
  const rank = new Map<string, number>();
  const open = new Set<string>();
  for (const start of nodes) {
    if (rank.has(start.id)) continue;
    const stack = [start.id];
    while (stack.length > 0) {
      const id = stack[stack.length - 1]!;
      if (rank.has(id)) {
        stack.pop();
        continue;
      }
      const waiting = open.has(id) ? [] : (inputs.get(id) ?? []).filter((from) => !rank.has(from) && !open.has(from));
      open.add(id);
      if (waiting.length > 0) {
        stack.push(...waiting);
        continue;
      }
      let r = 0;
      for (const from of inputs.get(id) ?? []) r = Math.max(r, (rank.get(from) ?? 0) + 1);
      rank.set(id, r);
      open.delete(id);
      stack.pop();
    }
  }
  return rank;
}

/**
 * A DOT ID for any string. Quoted, with `"` as `\"`; DOT keeps every other backslash as it is,
 * except that `\\` stays two characters, so an id with a backslash before a quote, a newline or
 * its end cannot be quoted and is written as an HTML-like ID `<…>` instead.
 *
 * @example
 * dotId('dL/dW3');  // '"dL/dW3"'
 * dotId('a"b');     // '"a\\"b"'
 */
export function dotId(id: string): string {
  if (!/\\(?=["\n]|$)/.test(id)) return `"${id.replaceAll('"', '\\"')}"`;
  if (/^[^<>&]*$/.test(id)) return `<${id}>`;
  throw new ChainruleError('graph', `cannot write the node id ${JSON.stringify(id)} in DOT: it has a backslash before a quote, newline or its end, and an HTML character`);
}

/**
 * A DOT quoted string for an escString attribute (tooltip, …): backslash, quote and newline escaped.
 *
 * @example
 * dotString('a "b"\nc'); // '"a \\"b\\"\\nc"'
 */
export function dotString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/**
 * Text escaped for a Graphviz HTML-like label: entities for `& < > "`, `<BR/>` for newlines.
 *
 * @example
 * htmlText('a < b\nc'); // 'a &lt; b<BR/>c'
 */
export function htmlText(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replace(/\r?\n/g, '<BR/>');
}

const FONT = 'Helvetica,Arial,sans-serif';

/** Shape and line attributes per style; fill and border come from {@link PALETTE}. */
const SHAPE: Readonly<Record<StyleKey, string>> = {
  input: 'shape=ellipse, style=filled',
  parameter: 'shape=box, style=filled',
  target: 'shape=ellipse, style=filled, peripheries=2',
  intermediate: 'shape=ellipse, style=filled',
  loss: 'shape=octagon, style=filled, penwidth=2',
  gradient: 'shape=box, style="rounded,filled"',
  added: 'shape=box, style="rounded,filled,dashed", penwidth=2',
};

/**
 * How wide a line of text may be drawn, in points: 0.7 em a character, generous for the sans-serif
 * fonts browsers fall back to (DejaVu Sans is ~12 % wider than the Helvetica metrics Graphviz lays
 * out with), so a box sized from it holds its text wherever the SVG is opened. By count alone, so
 * the drawing of a name does not depend on which letters it has (the API's hostile-name tests
 * compare a name with its one-letter twin).
 */
function textWidth(text: string, fontSize: number): number {
  return Array.from(text).length * 0.7 * fontSize;
}

/** A node's least width in inches: its widest line of text and room on each side, at least Graphviz's default 0.75. */
function minWidth(lines: readonly { text: string; size: number }[]): string {
  return Math.max(0.75, Math.max(...lines.map((line) => textWidth(line.text, line.size))) / 72 + 0.25).toFixed(2);
}

function nodeAttributes(key: StyleKey): string {
  const { fill, stroke } = PALETTE[key];
  return `${SHAPE[key]}, fillcolor="${fill}", color="${stroke}"`;
}

/**
 * Options of {@link renderDot}.
 *
 * @example
 * renderDot(view, { title: 'Question 2 (a)', rankdir: 'TB', legend: false });
 */
export interface DotOptions extends ExportOptions {
  /** Layout direction: left to right (default) or top to bottom. */
  rankdir?: 'LR' | 'TB';
}

/**
 * The view as Graphviz DOT: nodes styled by kind, added (backprop) nodes as dashed rounded orange
 * boxes reached by dashed orange edges, a legend cluster, the title as graph label.
 *
 * @example
 * const dot = renderDot(graphView(gradientGraph(graph, ['W1', 'W2', 'W3'])), { title: 'Question 2 (b)' });
 */
export function renderDot(view: GraphView, options: DotOptions = {}): string {
  const lines: string[] = ['digraph chainrule {'];
  const graphAttributes = [`rankdir=${options.rankdir ?? 'LR'}`, 'nodesep=0.3', 'ranksep=0.45', `fontname="${FONT}"`];
  if (options.title !== undefined) graphAttributes.push(`label=<${htmlText(options.title)}>`, 'labelloc=t', 'fontsize=16');
  lines.push(`  graph [${graphAttributes.join(', ')}];`);
  lines.push(`  node [fontname="${FONT}", fontsize=12, margin="0.1,0.05"];`);
  lines.push(`  edge [color="#4b5563", arrowsize=0.7];`);
  lines.push('');

  const added = new Set(view.nodes.filter((n) => n.added).map((n) => n.id));
  for (const node of view.nodes) {
    const key = styleKey(node);
    const rhs = formulaRhs(node);
    const label = htmlText(node.label || node.id);
    const html = rhs === undefined ? label : `${label}<BR/><FONT POINT-SIZE="10" COLOR="#374151">${htmlText(rhs)}</FONT>`;
    const extra = rhs !== undefined && node.formula !== undefined && rhs.endsWith('…') ? `, tooltip=${dotString(node.formula)}` : '';
    const classes = node.added ? `${node.kind} added` : node.kind;
    const width = minWidth([{ text: node.label || node.id, size: 12 }, ...(rhs === undefined ? [] : [{ text: rhs, size: 10 }])]);
    lines.push(`  ${dotId(node.id)} [label=<${html}>, width=${width}, ${nodeAttributes(key)}, class="${classes}"${extra}];`);
  }

  const groups = new Map<string, string[]>();
  for (const [leaf, anchor] of leafAnchors(view)) {
    const group = groups.get(anchor);
    if (group) group.push(leaf);
    else groups.set(anchor, [leaf]);
  }
  if (groups.size > 0) lines.push('');
  for (const [anchor, leaves] of groups) lines.push(`  { rank=same; ${[anchor, ...leaves].map(dotId).join('; ')}; }`);

  if (view.edges.length > 0) lines.push('');
  for (const { from, to } of view.edges) {
    const style = added.has(to) ? ` [style=dashed, color="${PALETTE.added.stroke}", penwidth=1.3, class="backprop"]` : '';
    lines.push(`  ${dotId(from)} -> ${dotId(to)}${style};`);
  }

  const entries = legendEntries(view);
  if ((options.legend ?? true) && entries.length > 0) {
    let prefix = 'legend:';
    while (view.nodes.some((n) => n.id.startsWith(prefix))) prefix = `_${prefix}`;
    lines.push('');
    lines.push('  subgraph cluster_legend {');
    lines.push(`    label="Legend"; fontsize=11; style="rounded,dashed"; color="#9ca3af"; margin=8;`);
    lines.push('    node [fontsize=10, height=0.3];');
    // Plain labels, not HTML-like ones: Graphviz centres them (text-anchor middle), so a browser font
    // wider than Graphviz's metrics grows both ways instead of out of the box's right side.
    for (const { key, label } of entries) {
      lines.push(`    ${dotId(prefix + key)} [label=${dotString(label)}, width=${minWidth([{ text: label, size: 10 }])}, ${nodeAttributes(key)}];`);
    }
    // Invisible edges keep the entries in one row (a column with rankdir=TB).
    if (entries.length > 1) lines.push(`    ${entries.map((e) => dotId(prefix + e.key)).join(' -> ')} [style=invis];`);
    lines.push('  }');
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * Graphviz DOT (`text/vnd.graphviz`), left to right, with a legend.
 *
 * @example
 * const dot = await dotExporter.render(graphView(graph), { title: 'Question 2 (a)' });
 * // digraph chainrule { graph [rankdir=LR, …]; "x" [label=<x>, shape=ellipse, …]; … "x" -> "u1"; … }
 */
export const dotExporter: Exporter = {
  format: 'dot',
  mediaType: 'text/vnd.graphviz; charset=utf-8',
  extension: 'dot',
  render: (view, options) => renderDot(view, options),
};
