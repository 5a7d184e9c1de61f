/**
 * @chainrule/export — what a computational graph looks like outside the program: its view (node
 * kinds, labels, formulas, the simplification that leaves out pass-through nodes) and its exports
 * as JSON, DOT, Mermaid, SVG (Graphviz, WebAssembly) and TikZ.
 */
export { type GraphView, type ViewNode, type ViewOptions, graphView } from './view.ts';
export {
  type ExportFormat,
  type ExportOptions,
  type Exporter,
  type GraphJson,
  EXPORTERS,
  EXPORT_FORMATS,
  TIKZ_LIBRARIES,
  exportGraph,
  latexText,
  graphJsonSchema,
  validateDot,
} from './exporters.ts';
