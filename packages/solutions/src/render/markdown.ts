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
      const mermaid = await exportGraph(block.graph, 'mermaid', { simplify: block.simplify, title: block.caption });
      const image = figureFiles ? `![${block.caption}](${block.id}.svg)\n\n` : '';
      return `${image}\`\`\`mermaid\n${mermaid.trimEnd()}\n\`\`\`\n\n*${block.caption}*`;
    }
    case 'table': {
      const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
      return [row(block.header.map((h) => inlineMarkdown([h]))), row(block.header.map(() => '---')), ...block.rows.map((r) => row(r.map((cell) => inlineMarkdown([cell]))))].join('\n');
    }
  }
}

/**
 * Markdown with math as `$…$` / `$$…$$` (KaTeX renders it) and figures as Mermaid diagrams
 * (and, with `figureFiles`, images of the SVG files written beside the sheet).
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
