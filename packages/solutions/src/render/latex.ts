import { TIKZ_LIBRARIES, exportGraph, latexText } from '@chainrule/export';
import type { Block, Inline } from '../document.ts';
import { stepLatexLines } from './math.ts';
import type { Renderer } from './renderer.ts';

const inlineLatex = (content: readonly Inline[]) => content.map((part) => (typeof part === 'string' ? latexText(part) : `$${part.math.latex}$`)).join('');

async function blockLatex(block: Block): Promise<string> {
  switch (block.kind) {
    case 'heading':
      return `\\subsection*{${latexText(block.text)}}`;
    case 'paragraph':
      return inlineLatex(block.content);
    case 'notice':
      return `\\begin{center}\\fbox{\\parbox{0.92\\linewidth}{\\textbf{Note.} ${latexText(block.text)}}}\\end{center}`;
    case 'equations':
      return `\\begin{align*}\n${block.lines.map((l) => l.latex.replace('=', '&=')).join(' \\\\\n')}\n\\end{align*}`;
    case 'steps':
      return block.steps
        .map((step) => `{\\small\\begin{align*}\n${stepLatexLines(step, block.decimals, block.round).join(' \\\\\n')}\n\\end{align*}}`)
        .join('\n');
    case 'list':
      return `\\begin{itemize}\n${block.items.map((item) => `  \\item ${inlineLatex(item)}`).join('\n')}\n\\end{itemize}`;
    case 'figure': {
      const tikz = await exportGraph(block.graph, 'tikz', { simplify: block.simplify });
      return `\\begin{figure}[htbp]\n\\centering\n\\resizebox{\\linewidth}{!}{%\n${tikz.trimEnd()}\n}\n\\caption{${latexText(block.caption)}}\n\\end{figure}`;
    }
    case 'table': {
      const row = (cells: readonly string[]) => `${cells.join(' & ')} \\\\`;
      return [
        `{\\scriptsize\\begin{longtable}{${block.header.map(() => `p{${(0.94 / block.header.length).toFixed(3)}\\linewidth}`).join('')}}`,
        '\\hline',
        row(block.header.map(latexText)),
        '\\hline',
        ...block.rows.map((r) => row(r.map((cell) => inlineLatex([cell])))),
        '\\hline',
        '\\end{longtable}}',
      ].join('\n');
    }
  }
}

/**
 * A complete LaTeX document (pdflatex): the worked steps in `align*`, figures in TikZ.
 *
 * @example
 * fs.writeFileSync('solution.tex', await latexRenderer.render(document));
 */
export const latexRenderer: Renderer = {
  format: 'latex',
  extension: 'tex',
  mediaType: 'application/x-latex; charset=utf-8',
  async render(document) {
    const body: string[] = [];
    for (const question of document.questions) {
      body.push(`\\section*{${latexText(question.title)}${question.points === undefined ? '' : ` (${question.points} points)`}}`);
      for (const block of question.blocks) body.push(await blockLatex(block));
    }
    return [
      '\\documentclass[11pt]{article}',
      '\\usepackage[utf8]{inputenc}',
      '\\usepackage[T1]{fontenc}',
      '\\usepackage{lmodern}',
      '\\usepackage[margin=2cm]{geometry}',
      '\\usepackage{amsmath,amssymb}',
      '\\usepackage{graphicx}',
      '\\usepackage{longtable}',
      '\\usepackage{tikz}',
      TIKZ_LIBRARIES,
      '\\allowdisplaybreaks',
      '\\setcounter{MaxMatrixCols}{20}',
      `\\title{${latexText(document.title)}}`,
      `\\author{${latexText(document.subtitle ?? '')}}`,
      '\\date{}',
      '\\begin{document}',
      '\\maketitle',
      ...body,
      '\\end{document}',
      '',
    ].join('\n');
  },
};
