import type { SolutionDocument } from '../document.ts';

/** The formats a solution sheet renders to. */
export type SolutionFormat = 'text' | 'md' | 'latex' | 'json';

/** Options every renderer understands. */
export interface RenderOptions {
  /** Terminal colour (text renderer only). */
  color?: boolean;
  /** Markdown: reference figures as files `<id>.svg` next to the sheet instead of inlining Mermaid only. */
  figureFiles?: boolean;
}

/** One output format of a solution sheet; the table of them is in `render/index.ts`. */
export interface Renderer {
  readonly format: SolutionFormat;
  readonly extension: string;
  readonly mediaType: string;
  render(document: SolutionDocument, options?: RenderOptions): Promise<string>;
}
