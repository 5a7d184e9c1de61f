import type { GraphView } from './view.ts';

/** The formats a graph exports to. */
export type ExportFormat = 'json' | 'dot' | 'mermaid' | 'svg' | 'tikz';

/** Options every exporter understands. */
export interface ExportOptions {
  /** A caption / graph title. */
  title?: string;
  /** Draw the legend of node styles (default true). DOT and SVG draw one; formats without a legend (JSON, Mermaid, TikZ) ignore it. */
  legend?: boolean;
}

/** One export format. Each format is one small implementation of this interface; the table of them is in `export/index.ts`. */
export interface Exporter {
  readonly format: ExportFormat;
  /** The HTTP media type of the output. */
  readonly mediaType: string;
  /** The file extension, without the dot. */
  readonly extension: string;
  render(view: GraphView, options?: ExportOptions): string | Promise<string>;
}
