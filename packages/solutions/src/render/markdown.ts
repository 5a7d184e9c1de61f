import { exportGraph } from '@chainrule/export';
import type { Block, Inline } from '../document.ts';
import { stepLatexLines } from './math.ts';
import type { Renderer } from './renderer.ts';

const inlineMarkdown = (content: readonly Inline[]) =>
  content.map((part) => (typeof part === 'string' ? part.replace(/([*_`|])/g, '\\$1') : `$${part.math.latex}$`)).join('');

async function blockMarkdown(block: Block, figureFiles: boolean): Promise<string> {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level + 1)} ${block.text}`;
    case 'paragraph':
      return inlineMarkdown(block.content);
    case 'notice':
      return `> **Note.** ${block.text}`;
    case 'equations':
      return `$$\n\\begin{aligned}\n${block.lines.map((l) => l.latex.replace('=', '&=')).join(' \\\\\n')}\n\\end{aligned}\n$$`;
    case 'steps':
      return block.steps
        .map((step) => `$$\n\\begin{aligned}\n${stepLatexLines(step, block.decimals, block.round).join(' \\\\\n')}\n\\end{aligned}\n$$`)
        .join('\n\n');
    case 'list':
      return block.items.map((item) => `- ${inlineMarkdown(item)}`).join('\n');
    case 'figure': {
      // Each figure once: the SVG file when one is written beside the sheet (the Graphviz layout the
      // PDF's TikZ figure has too), else a Mermaid diagram, the one drawing a lone .md file can carry.
      // The SVG carries its caption as its title (written by `solve --out`): not repeated below it.
      if (figureFiles) return `![${block.caption}](${block.id}.svg)`;
      const mermaid = await exportGraph(block.graph, 'mermaid', { simplify: block.simplify, title: block.caption });
      return `\`\`\`mermaid\n${mermaid.trimEnd()}\n\`\`\`\n\n*${block.caption}*`;
    }
    case 'table': {
      const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
      return [row(block.header.map((h) => inlineMarkdown([h]))), row(block.header.map(() => '---')), ...block.rows.map((r) => row(r.map((cell) => inlineMarkdown([cell]))))].join('\n');
    }
  }
}

/**
 * Markdown with math as `$…$` / `$$…$$` (KaTeX renders it); each figure drawn once: with
 * `figureFiles`, as the image of the SVG file written beside the sheet, else as a Mermaid diagram.
 *
 * @example
 * await markdownRenderer.render(document, { figureFiles: true });
 */
export const markdownRenderer: Renderer = {
  format: 'md',
  extension: 'md',
  mediaType: 'text/markdown; charset=utf-8',
  async render(document, options = {}) {
    const parts = [`# ${document.title}`];
    if (document.subtitle) parts.push(document.subtitle);
    for (const question of document.questions) {
      parts.push(`## ${question.title}${question.points === undefined ? '' : ` (${question.points} points)`}`);
      for (const block of question.blocks) parts.push(await blockMarkdown(block, options.figureFiles ?? false));
    }
    return `${parts.join('\n\n')}\n`;
  },
};
