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

interface Point {
  x: number;
  y: number;
}

/** Where Graphviz puts the nodes (centres) and routes the edges (cubic Bézier control points), in inches, y up. @example readLayout(plain).edges.get('n0->n1') */
export interface Layout {
  nodes: Map<string, Point>;
  /** Per `tail->head` (TikZ names), the control points of each such edge in order. */
  edges: Map<string, Point[][]>;
}

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

/** Node centres and edge splines from Graphviz's `plain` output. Internal (see {@link layoutInput}). @example readLayout('node n0 0.5 1 …\nedge n0 n1 4 …').nodes.get('n0') // { x: 0.5, y: 1 } */
export function readLayout(plain: string): Layout {
  const result: Layout = { nodes: new Map(), edges: new Map() };
  for (const line of plain.split('\n')) {
    const [word, a, b, ...rest] = line.split(' ');
    if (word === 'node' && a !== undefined) result.nodes.set(a, { x: Number(b), y: Number(rest[0]) });
    if (word === 'edge' && a !== undefined && b !== undefined) {
      const count = Number(rest[0]);
      const points: Point[] = [];
      for (let i = 0; i < count; i++) points.push({ x: Number(rest[1 + 2 * i]), y: Number(rest[2 + 2 * i]) });
      const key = `${a}->${b}`;
      const routes = result.edges.get(key);
      if (routes) routes.push(points);
      else result.edges.set(key, [points]);
    }
  }
  return result;
}

/** The TikZ node names of a view: n0, n1, … in view order. Internal (see {@link layoutInput}). @example tikzNames(view).get('x') // 'n0' */
export const tikzNames = (view: GraphView): Map<string, string> => new Map(view.nodes.map((node, i) => [node.id, `n${i}`]));

/**
 * A gradient label `\frac{\partial L}{\partial W_{1}}` as `\partial L/\partial W_{1}`: a fraction in
 * a node is set in script size, too small to read once the figure is scaled to the text width.
 */
function inlineFraction(latex: string): string {
  const match = /^\\frac\{(\\partial .*?)\}\{(\\partial .*)\}$/s.exec(latex);
  return match ? `${match[1]}/${match[2]}` : latex;
}

const coordinate = (point: Point, scale: number) => `(${(point.x * scale).toFixed(2)},${(point.y * scale).toFixed(2)})`;

/**
 * The path of an edge: Graphviz's spline as Bézier segments from node to node (TikZ clips the ends
 * at the node borders), or a straight line when there is no spline.
 */
function edgePath(from: string, to: string, points: readonly Point[] | undefined, scale: number): string {
  if (!points || points.length < 4 || (points.length - 1) % 3 !== 0) return `(${from}) -- (${to})`;
  let path = `(${from})`;
  for (let i = 1; i + 2 < points.length; i += 3) {
    const end = i + 2 === points.length - 1 ? `(${to})` : coordinate(points[i + 2]!, scale);
    path += ` .. controls ${coordinate(points[i]!, scale)} and ${coordinate(points[i + 1]!, scale)} .. ${end}`;
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
  const placed = view.nodes.length > 0 ? readLayout(await layoutDot(layoutInput(view, name), 'plain')) : { nodes: new Map<string, Point>(), edges: new Map<string, Point[][]>() };
  return writeTikz(view, name, placed, options);
}

/** The `tikzpicture` of a view laid out by Graphviz (the layout's routes are used up). Internal. @example writeTikz(view, name, readLayout(plain), { scale: 1.5 }) */
export function writeTikz(view: GraphView, name: ReadonlyMap<string, string>, placed: Layout, options: TikzOptions = {}): string {
  const scale = options.scale ?? 2.54;
  const used = new Set(view.nodes.map(styleKey));

  const lines = [
    `% chainrule computational graph. Preamble: \\usepackage{tikz} ${TIKZ_LIBRARIES}`,
    '% (and \\usepackage{amsmath} if labels use \\operatorname or \\boldsymbol). To fit the text width: \\resizebox{\\linewidth}{!}{...}',
    '\\begin{tikzpicture}[',
    '  >={Stealth[length=2mm]},',
    '  cr node/.style={inner sep=2pt, minimum size=6mm, font=\\small},',
    ...[...used].map((key) => `  cr ${key}/.style={cr node, ${STYLES[key]}},`),
    '  cr edge/.style={->, draw=black!70},',
    '  cr backprop/.style={->, dashed, draw=orange!80!black},',
    ']',
  ];
  for (const node of view.nodes) {
    const id = name.get(node.id)!;
    const at = placed.nodes.get(id) ?? { x: 0, y: 0 };
    const label = node.latexLabel.trim() === '' ? latexText(node.label || node.id) : `$${inlineFraction(node.latexLabel)}$`;
    lines.push(`  % ${id}: ${node.id.replace(/[\r\n]+/g, ' ')} (${node.added ? `${node.kind}, added` : node.kind})`);
    lines.push(`  \\node[cr ${styleKey(node)}] (${id}) at ${coordinate(at, scale)} {${label}};`);
  }
  const added = new Set(view.nodes.filter((n) => n.added).map((n) => n.id));
  for (const { from, to } of view.edges) {
    const a = name.get(from);
    const b = name.get(to);
    if (a === undefined || b === undefined) continue;
    const points = placed.edges.get(`${a}->${b}`)?.shift();
    lines.push(`  \\draw[${added.has(to) ? 'cr backprop' : 'cr edge'}] ${edgePath(a, b, points, scale)};`);
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
