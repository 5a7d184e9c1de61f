import { TIKZ_LIBRARIES, exportGraph, latexText } from '@chainrule/export';
import type { Block, Inline } from '../document.ts';
import { stepLatexLines } from './math.ts';
import type { Renderer } from './renderer.ts';

const inlineLatex = (content: readonly Inline[]) => content.map((part) => (typeof part === 'string' ? latexText(part) : `$${part.math.latex}$`)).join('');

/** `\frac{\partial L}{\partial W_{3}}` written `\partial L/\partial W_{3}` (one level of braces inside). */
const slashFractions = (latex: string) => latex.replace(/\\frac\{(\\partial (?:[^{}]|\{[^{}]*\})*)\}\{(\\partial (?:[^{}]|\{[^{}]*\})*)\}/g, '$1/$2');

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
      // Scaled down to the text width when wider, never up (a small graph keeps the text's size).
      return `\\begin{figure}[htbp]\n\\centering\n\\sbox0{%\n${tikz.trimEnd()}\n}%\n\\ifdim\\wd0>\\linewidth\\resizebox{\\linewidth}{!}{\\usebox0}\\else\\usebox0\\fi\n\\caption{${latexText(block.caption)}}\n\\end{figure}`;
    }
    case 'table': {
      const row = (cells: readonly string[]) => `${cells.join(' & ')} \\\\`;
      return [
        // Each column's text width is its share of the line less the padding each side (\tabcolsep), so the table ends at the margin.
        `{\\scriptsize\\begin{longtable}{@{}${block.header.map(() => `>{\\raggedright\\arraybackslash}p{\\dimexpr(\\linewidth-${2 * block.header.length - 2}\\tabcolsep)/${block.header.length}\\relax}`).join('')}@{}}`,
        '\\hline',
        row(block.header.map(latexText)),
        '\\hline',
        // ∂L/∂W₃ with a slash: stacked fractions in script size run into the rows above and below.
        ...block.rows.map((r) => row(r.map((cell) => slashFractions(inlineLatex([cell]))))),
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
      '\\usepackage{array,longtable}',
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
