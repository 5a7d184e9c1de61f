import { ChainruleError } from '@chainrule/tensor';
import type { Graph } from '@chainrule/graph';
import { type ViewOptions, graphView } from './view.ts';
import { dotExporter } from './dot.ts';
import type { ExportFormat, ExportOptions, Exporter } from './exporter.ts';
import { jsonExporter } from './json.ts';
import { mermaidExporter } from './mermaid.ts';
import { svgExporter } from './svg.ts';
import { tikzExporter } from './tikz.ts';

export type { ExportFormat, ExportOptions, Exporter } from './exporter.ts';
export { type DotOptions, renderDot } from './dot.ts';
export { type GraphJson, graphJsonSchema, toGraphJson } from './json.ts';
export { renderMermaid } from './mermaid.ts';
export { validateDot } from './svg.ts';
export { TIKZ_LIBRARIES, type TikzOptions, renderTikz } from './tikz.ts';
export { latexText } from './latex-text.ts';

/**
 * Every export format and its implementation: the one place that maps a format to its exporter.
 *
 * @example
 * EXPORTERS.svg.mediaType; // 'image/svg+xml'
 */
export const EXPORTERS: Readonly<Record<ExportFormat, Exporter>> = {
  json: jsonExporter,
  dot: dotExporter,
  mermaid: mermaidExporter,
  svg: svgExporter,
  tikz: tikzExporter,
};

/**
 * The export formats, in the order of {@link EXPORTERS}.
 *
 * @example
 * EXPORT_FORMATS; // ['json', 'dot', 'mermaid', 'svg', 'tikz']
 */
export const EXPORT_FORMATS = Object.keys(EXPORTERS) as readonly ExportFormat[];

/**
 * Renders a graph in one format: builds its view (optionally simplified) and hands it to the exporter.
 *
 * @example
 * const graph = gradientGraph(buildGraph(equations, { wrt: ['W1', 'W2', 'W3'] }), ['W1', 'W2', 'W3']);
 * const svg = await exportGraph(graph, 'svg', { simplify: true, title: 'Question 2 (b)' });
 */
export async function exportGraph(graph: Graph, format: ExportFormat, options: ExportOptions & ViewOptions = {}): Promise<string> {
  if (!Object.hasOwn(EXPORTERS, format)) {
    throw new ChainruleError('problem', `unknown export format '${String(format)}' (formats: ${EXPORT_FORMATS.join(', ')})`);
  }
  const { simplify, ...exportOptions } = options;
  return EXPORTERS[format].render(graphView(graph, { simplify: simplify ?? false }), exportOptions);
}
