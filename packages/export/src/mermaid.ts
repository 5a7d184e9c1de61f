import type { GraphView } from './view.ts';
import { PALETTE, STYLE_KEYS, type StyleKey, formulaRhs, styleKey } from './dot.ts';
import type { ExportOptions, Exporter } from './exporter.ts';

/**
 * Text escaped for a quoted Mermaid label: Mermaid's entity codes (`#quot;`, `#35;`, …) for the
 * characters its parser or its HTML rendering would take as syntax, `<br>` for newlines.
 *
 * @example
 * mermaidText('say "hi" #1'); // 'say #quot;hi#quot; #35;1'
 */
export function mermaidText(text: string): string {
  return text
    .replaceAll('#', '#35;')
    .replaceAll('"', '#quot;')
    .replaceAll('&', '#amp;')
    .replaceAll('<', '#lt;')
    .replaceAll('>', '#gt;')
    .replaceAll('`', '#96;')
    .replace(/\r?\n/g, '<br>');
}

/** Opening and closing brackets of each style's node shape, around the quoted label. */
const SHAPE: Readonly<Record<StyleKey, readonly [string, string]>> = {
  input: ['([', '])'],
  parameter: ['[', ']'],
  target: ['[/', '/]'],
  intermediate: ['(', ')'],
  loss: ['{{', '}}'],
  gradient: ['[[', ']]'],
  added: ['[[', ']]'],
};

function classDef(key: StyleKey): string {
  const { fill, stroke } = PALETTE[key];
  const extra = key === 'added' ? ',stroke-width:2px,stroke-dasharray:5 3' : key === 'loss' ? ',stroke-width:2px' : '';
  return `  classDef ${key} fill:${fill},stroke:${stroke},color:#111827${extra};`;
}

function yamlString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/**
 * The view as a Mermaid flowchart: node ids `n0`, `n1`, … in view order, labels quoted and
 * escaped, one `classDef` per kind, added nodes in class `added`, edges into them dotted (`-.->`).
 *
 * @example
 * renderMermaid(view, { title: 'Question 2 (b)' });
 * // ---\ntitle: "Question 2 (b)"\n---\nflowchart LR\n  n0(["x"])\n  …\n  n0 --> n5\n  …
 */
export function renderMermaid(view: GraphView, options: ExportOptions = {}): string {
  const ids = new Map<string, string>();
  const idOf = (id: string): string => {
    let safe = ids.get(id);
    if (safe === undefined) {
      safe = `n${ids.size}`;
      ids.set(id, safe);
    }
    return safe;
  };
  const lines: string[] = [];
  if (options.title !== undefined) lines.push('---', `title: ${yamlString(options.title)}`, '---');
  lines.push('flowchart LR');

  const byKey = new Map<StyleKey, string[]>();
  for (const node of view.nodes) {
    const key = styleKey(node);
    const id = idOf(node.id);
    const members = byKey.get(key);
    if (members) members.push(id);
    else byKey.set(key, [id]);
    const rhs = formulaRhs(node);
    const label = mermaidText(node.label || node.id) + (rhs === undefined ? '' : `<br>${mermaidText(rhs)}`);
    const [open, close] = SHAPE[key];
    lines.push(`  ${id}${open}"${label}"${close}`);
  }

  const added = new Set(view.nodes.filter((n) => n.added).map((n) => n.id));
  const dotted: number[] = [];
  view.edges.forEach(({ from, to }, index) => {
    const backprop = added.has(to);
    if (backprop) dotted.push(index);
    lines.push(`  ${idOf(from)} ${backprop ? '-.->' : '-->'} ${idOf(to)}`);
  });

  for (const key of STYLE_KEYS) {
    const members = byKey.get(key);
    if (!members) continue;
    lines.push(classDef(key), `  class ${members.join(',')} ${key};`);
  }
  if (dotted.length > 0) lines.push(`  linkStyle ${dotted.join(',')} stroke:${PALETTE.added.stroke},stroke-width:1.5px;`);
  return `${lines.join('\n')}\n`;
}

/**
 * Mermaid flowchart (`text/vnd.mermaid`), for Markdown that renders Mermaid (GitHub, GitLab, docs sites).
 *
 * @example
 * const mermaid = await mermaidExporter.render(graphView(graph));
 * // flowchart LR … classDef added … n7 -.-> n12
 */
export const mermaidExporter: Exporter = {
  format: 'mermaid',
  mediaType: 'text/vnd.mermaid; charset=utf-8',
  extension: 'mmd',
  render: (view, options) => renderMermaid(view, options),
};
