import { ChainruleError } from '@chainrule/graph';
import type { SolutionDocument } from '../document.ts';
import { jsonRenderer } from './json.ts';
import { latexRenderer } from './latex.ts';
import { markdownRenderer } from './markdown.ts';
import type { RenderOptions, Renderer, SolutionFormat } from './renderer.ts';
import { textRenderer } from './text.ts';

/** The one table from format to renderer. */
export const RENDERERS: Readonly<Record<SolutionFormat, Renderer>> = {
  text: textRenderer,
  md: markdownRenderer,
  latex: latexRenderer,
  json: jsonRenderer,
};

/** The solution formats, for CLI and API choices. */
export const SOLUTION_FORMATS = Object.keys(RENDERERS) as SolutionFormat[];

/**
 * Renders a solution sheet in one of the formats.
 *
 * @example
 * await renderSolution(solutionSheet(['q3'], { round: 2 }), 'md');
 */
export async function renderSolution(document: SolutionDocument, format: SolutionFormat, options: RenderOptions = {}): Promise<string> {
  const renderer = RENDERERS[format];
  if (!renderer) throw new ChainruleError('problem', `unknown format '${format}' (formats: ${SOLUTION_FORMATS.join(', ')})`);
  return renderer.render(document, options);
}

export { latexTensor } from './math.ts';
export type { RenderOptions, Renderer, SolutionFormat } from './renderer.ts';
