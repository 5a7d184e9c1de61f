import type { GraphView } from './view.ts';
import { type StyleKey, dotString, leafAnchors, styleKey } from './dot.ts';
import type { ExportOptions, Exporter } from './exporter.ts';
import { layoutDot } from './svg.ts';
import { latexText } from './latex-text.ts';

/**
 * The `\usetikzlibrary` line a document needs for the TikZ export (with `\usepackage{tikz}`;
 * add `\usepackage{amsmath}` when labels use `\operatorname`, `\boldsymbol`, …).
 *
 * @example
 * `\\documentclass{article}\n\\usepackage{tikz}\n${TIKZ_LIBRARIES}\n…`
 */
export const TIKZ_LIBRARIES = '\\usetikzlibrary{arrows.meta,positioning,shapes}';

/** TikZ node styles, one per style key (the edge styles `cr edge` and `cr backprop` are in the picture options). */
const STYLES: Readonly<Record<StyleKey, string>> = {
  input: 'ellipse, draw=blue!70!black, fill=blue!10',
  parameter: 'rectangle, draw=green!50!black, fill=green!10',
  target: 'ellipse, double, draw=orange!70!black, fill=yellow!20',
  intermediate: 'ellipse, draw=black!70, fill=black!5',
  loss: 'regular polygon, regular polygon sides=8, inner sep=1pt, very thick, draw=red!70!black, fill=red!10',
  gradient: 'rectangle, rounded corners=2pt, draw=orange!80!black, fill=orange!15',
  added: 'rectangle, rounded corners=2pt, dashed, thick, draw=orange!80!black, fill=orange!15',
};

/** Graphviz shapes of roughly the TikZ shapes' size, for the layout only. */
const LAYOUT_SHAPE: Readonly<Record<StyleKey, string>> = {
  input: 'ellipse',
  parameter: 'box',
  target: 'ellipse',
  intermediate: 'ellipse',
  loss: 'octagon',
  gradient: 'box',
  added: 'box',
};

/**
 * Options of {@link renderTikz}.
 *
 * @example
 * await renderTikz(view, { title: 'Question 2 (b)', scale: 1.5 }); // 1.5 cm per inch: a smaller drawing
 */
export interface TikzOptions extends ExportOptions {
  /** Centimetres per Graphviz inch (default 2.54: the nodes are laid out at the size TikZ draws them). */
  scale?: number;
}

/**
 * Where Graphviz puts the nodes (centres) and routes the edges (cubic Bézier control points), in
 * inches, y up: every x, y one after the other in `coordinates` (no object per point: a layout of
 * thousands of nodes allocates half what it did with one).
 *
 * @example
 * const layout = readLayout('node n0 0.5 1 …');
 * layout.coordinates[layout.nodes.get('n0')!]; // 0.5
 */
export interface Layout {
  /** x, y of every node centre and every edge control point. */
  coordinates: number[];
  /** Per TikZ name, where the x of its centre is in `coordinates`. */
  nodes: Map<string, number>;
  /**
   * Per `tail->head` (TikZ names): how many of its routes are taken (by {@link writeTikz}, which
   * uses them up), then each route in order as two numbers: where its first point's x is, its point count.
   */
  edges: Map<string, number[]>;
}

/** A layout with no nodes and no edges. */
const emptyLayout = (): Layout => ({ coordinates: [], nodes: new Map(), edges: new Map() });

/**
 * The DOT text Graphviz lays the picture out from: nodes named as in `name` (n0, n1, …) and sized
 * like the TikZ nodes. Internal, with {@link readLayout} and {@link writeTikz}: the engine bench
 * times the TikZ export's own work apart from Graphviz's layout.
 *
 * @example
 * const name = tikzNames(view);
 * const tikz = writeTikz(view, name, readLayout(await layoutDot(layoutInput(view, name), 'plain')));
 */
export function layoutInput(view: GraphView, name: ReadonlyMap<string, string>): string {
  const lines = [
    'digraph layout {',
    '  graph [rankdir=LR, nodesep=0.2, ranksep=0.35];',
    // 10 pt, as the TikZ nodes' \small: the layout leaves room for the labels as LaTeX sets them.
    '  node [fontsize=10, width=0.25, height=0.25, margin="0.04,0.02"];',
  ];
  for (const node of view.nodes) lines.push(`  ${name.get(node.id)} [label=${dotString(node.label || node.id)}, shape=${LAYOUT_SHAPE[styleKey(node)]}];`);
  for (const [leaf, anchor] of leafAnchors(view)) lines.push(`  { rank=same; ${name.get(anchor)}; ${name.get(leaf)}; }`);
  for (const { from, to } of view.edges) {
    const a = name.get(from);
    const b = name.get(to);
    if (a !== undefined && b !== undefined) lines.push(`  ${a} -> ${b};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/**
 * Node centres and edge splines from Graphviz's `plain` output, read in place (no line or word
 * arrays). Internal (see {@link layoutInput}).
 *
 * @example
 * const layout = readLayout('node n0 0.5 1 …\nedge n0 n1 4 …');
 * const at = layout.nodes.get('n0')!;
 * layout.coordinates.slice(at, at + 2); // [0.5, 1]
 */
export function readLayout(plain: string): Layout {
  const layout = emptyLayout();
  const { coordinates } = layout;
  let lineEnd = -1;
  let at = 0;
  // The words of the current line as `line.split(' ')` has them; undefined past its end.
  const word = (): string | undefined => {
    if (at > lineEnd) return undefined;
    let stop = plain.indexOf(' ', at);
    if (stop < 0 || stop > lineEnd) stop = lineEnd;
    const text = plain.slice(at, stop);
    at = stop + 1;
    return text;
  };
  for (let lineStart = 0; lineStart <= plain.length; lineStart = lineEnd + 1) {
    lineEnd = plain.indexOf('\n', lineStart);
    if (lineEnd < 0) lineEnd = plain.length;
    const isNode = plain.startsWith('node ', lineStart) && lineStart + 4 < lineEnd;
    if (!isNode && !(plain.startsWith('edge ', lineStart) && lineStart + 4 < lineEnd)) continue;
    at = lineStart + 5;
    const a = word()!;
    const b = word();
    if (isNode) {
      layout.nodes.set(a, coordinates.length);
      coordinates.push(Number(b), Number(word()));
      continue;
    }
    if (b === undefined) continue;
    const count = Number(word());
    const first = coordinates.length;
    let points = 0;
    for (; points < count; points++) coordinates.push(Number(word()), Number(word()));
    const key = `${a}->${b}`;
    const routes = layout.edges.get(key);
    if (routes) routes.push(first, points);
    else layout.edges.set(key, [0, first, points]);
  }
  return layout;
}

/** The TikZ node names of a view: n0, n1, … in view order. Internal (see {@link layoutInput}). @example tikzNames(view).get('x') // 'n0' */
export const tikzNames = (view: GraphView): Map<string, string> => new Map(view.nodes.map((node, i) => [node.id, `n${i}`]));

/**
 * A gradient label `\frac{\partial L}{\partial W_{1}}` as `\partial L/\partial W_{1}`: a fraction in
 * a node is set in script size, too small to read once the figure is scaled to the text width.
 */
function inlineFraction(latex: string): string {
  if (!latex.startsWith('\\frac{')) return latex;
  const match = /^\\frac\{(\\partial .*?)\}\{(\\partial .*)\}$/s.exec(latex);
  return match ? `${match[1]}/${match[2]}` : latex;
}

/** The TikZ coordinate `(x,y)` of the point whose x is at `coordinates[index]`, scaled; (0,0) without one. */
function coordinate(coordinates: readonly number[], index: number | undefined, scale: number): string {
  const x = index === undefined ? 0 : coordinates[index]!;
  const y = index === undefined ? 0 : coordinates[index + 1]!;
  return `(${(x * scale).toFixed(2)},${(y * scale).toFixed(2)})`;
}

/**
 * The path of an edge: Graphviz's spline (`points` points from `first`) as Bézier segments from
 * node to node (TikZ clips the ends at the node borders), or a straight line when there is no spline.
 */
function edgePath(from: string, to: string, coordinates: readonly number[], first: number, points: number, scale: number): string {
  if (points < 4 || (points - 1) % 3 !== 0) return `(${from}) -- (${to})`;
  let path = `(${from})`;
  for (let i = 1; i + 2 < points; i += 3) {
    const end = i + 2 === points - 1 ? `(${to})` : coordinate(coordinates, first + 2 * (i + 2), scale);
    path += ` .. controls ${coordinate(coordinates, first + 2 * i, scale)} and ${coordinate(coordinates, first + 2 * (i + 1), scale)} .. ${end}`;
  }
  return path;
}

/**
 * The view as a `tikzpicture`: nodes `n0`, `n1`, … placed and edges routed where Graphviz's `dot`
 * layout puts them, labels in math mode from `latexLabel`, one `\draw` per edge; added nodes are
 * dashed orange boxes, edges into them dashed orange.
 *
 * @example
 * const tikz = await renderTikz(view, { title: 'Question 2 (b)' });
 * // \begin{tikzpicture}[…] \node[cr input] (n0) at (0.37,1.23) {$x$}; … \draw[cr edge] (n0) .. controls … .. (n5); …
 */
export async function renderTikz(view: GraphView, options: TikzOptions = {}): Promise<string> {
  const name = tikzNames(view);
  const placed = view.nodes.length > 0 ? readLayout(await layoutDot(layoutInput(view, name), 'plain')) : emptyLayout();
  return writeTikz(view, name, placed, options);
}

/**
 * The `tikzpicture` of a view laid out by Graphviz (the layout's routes are used up: the k-th edge
 * from a node to another takes the k-th such route). Internal; one string per line, joined once
 * (a line's pieces in one array would hold more memory than the lines).
 *
 * @example
 * writeTikz(view, name, readLayout(plain), { scale: 1.5 })
 */
export function writeTikz(view: GraphView, name: ReadonlyMap<string, string>, placed: Layout, options: TikzOptions = {}): string {
  const scale = options.scale ?? 2.54;
  const used = new Set<StyleKey>();
  const added = new Set<string>();
  for (const node of view.nodes) {
    used.add(styleKey(node));
    if (node.added) added.add(node.id);
  }

  const lines = [
    `% chainrule computational graph. Preamble: \\usepackage{tikz} ${TIKZ_LIBRARIES}`,
    '% (and \\usepackage{amsmath} if labels use \\operatorname or \\boldsymbol). To fit the text width: \\resizebox{\\linewidth}{!}{...}',
    '\\begin{tikzpicture}[',
    '  >={Stealth[length=2mm]},',
    '  cr node/.style={inner sep=2pt, minimum size=6mm, font=\\small},',
  ];
  for (const key of used) lines.push(`  cr ${key}/.style={cr node, ${STYLES[key]}},`);
  lines.push('  cr edge/.style={->, draw=black!70},', '  cr backprop/.style={->, dashed, draw=orange!80!black},', ']');
  const { coordinates } = placed;
  for (const node of view.nodes) {
    const id = name.get(node.id)!;
    const shownId = node.id.includes('\n') || node.id.includes('\r') ? node.id.replace(/[\r\n]+/g, ' ') : node.id;
    const label = node.latexLabel.trim() === '' ? latexText(node.label || node.id) : `$${inlineFraction(node.latexLabel)}$`;
    lines.push(`  % ${id}: ${shownId} (${node.added ? `${node.kind}, added` : node.kind})`);
    lines.push(`  \\node[cr ${styleKey(node)}] (${id}) at ${coordinate(coordinates, placed.nodes.get(id), scale)} {${label}};`);
  }
  for (const { from, to } of view.edges) {
    const a = name.get(from);
    const b = name.get(to);
    if (a === undefined || b === undefined) continue;
    // The next route of this pair not taken yet (none left: a straight line).
    const routes = placed.edges.get(`${a}->${b}`);
    const at = routes === undefined ? -1 : 1 + 2 * routes[0]!++;
    const path = routes !== undefined && at < routes.length ? edgePath(a, b, coordinates, routes[at]!, routes[at + 1]!, scale) : edgePath(a, b, coordinates, 0, 0, scale);
    lines.push(`  \\draw[${added.has(to) ? 'cr backprop' : 'cr edge'}] ${path};`);
  }
  if (options.title !== undefined) {
    lines.push(`  \\node[font=\\bfseries, anchor=south] at (current bounding box.north) {${latexText(options.title)}};`);
  }
  lines.push('\\end{tikzpicture}');
  return `${lines.join('\n')}\n`;
}

/**
 * TikZ (`application/x-tex`) for LaTeX notes; needs `\usepackage{tikz}` and {@link TIKZ_LIBRARIES}.
 *
 * @example
 * const tikz = await tikzExporter.render(graphView(graph));
 * const document = `\\documentclass{article}\n\\usepackage{tikz}\n${TIKZ_LIBRARIES}\n\\begin{document}\n${tikz}\\end{document}\n`;
 */
export const tikzExporter: Exporter = {
  format: 'tikz',
  mediaType: 'application/x-tex; charset=utf-8',
  extension: 'tex',
  render: (view, options) => renderTikz(view, options),
};
