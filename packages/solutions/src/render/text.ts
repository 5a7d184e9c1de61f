import { graphView } from '@chainrule/export';
import { formatTable, formatTensor } from '@chainrule/tensor';
import type { Block, Inline } from '../document.ts';
import { valueText } from '../value-text.ts';
import type { WorkedStep } from '../worked.ts';
import type { Renderer } from './renderer.ts';

interface Style {
  bold: (s: string) => string;
  dim: (s: string) => string;
  warn: (s: string) => string;
}

const plain: Style = { bold: (s) => s, dim: (s) => s, warn: (s) => s };
const ansi: Style = {
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
  warn: (s) => `\x1b[33m${s}\x1b[39m`,
};

const inlineText = (content: readonly Inline[]) => content.map((part) => (typeof part === 'string' ? part : part.math.unicode)).join('');

/** A step's value, exact where it is known, with continuation lines of a matrix indented to line up under the first. */
function resultText(step: WorkedStep, decimals: number, indent: string): string {
  return valueText(step.exact, step.exactValue, { decimals, layout: 'aligned' }).replace(/\n/g, `\n${indent}`);
}

function stepText(step: WorkedStep, decimals: number, round: number | undefined, style: Style): string[] {
  const head = `${step.name.unicode} = `;
  const indent = ' '.repeat([...step.name.unicode].length + 1);
  const lines = [`${style.bold(step.name.unicode)} = ${step.formula.unicode}`];
  if (step.substitution) lines.push(`${indent}= ${step.substitution.unicode}`);
  lines.push(`${indent}${step.float64 ? '≈' : '='} ${resultText(step, decimals, `${indent}  `)}`);
  if (step.float64?.note) lines.push(style.warn(`${indent}  ${step.float64.note.unicode}`));
  if (round !== undefined && step.rounded) {
    const label = `rounded to ${round} d.p.: `;
    const pad = ' '.repeat(head.length);
    const working = step.roundedSubstitution && step.roundedSubstitution.unicode !== step.substitution?.unicode ? `${step.roundedSubstitution.unicode} = ` : '';
    const value = formatTensor(step.rounded, { decimals: round }).replace(/\n/g, `\n${' '.repeat(head.length + label.length + working.length)}`);
    lines.push(style.dim(`${pad}${label}${working}${value}`));
  }
  return lines;
}

function blockText(block: Block, style: Style): string {
  switch (block.kind) {
    case 'heading':
      return block.level === 1 ? style.bold(`${block.text}\n${'='.repeat([...block.text].length)}`) : style.bold(`${block.text}\n${'-'.repeat([...block.text].length)}`);
    case 'paragraph':
      return inlineText(block.content);
    case 'notice':
      return style.warn(`!! ${block.text}`);
    case 'equations':
      return block.lines.map((line) => `  ${line.unicode}`).join('\n');
    case 'steps':
      return block.steps.map((step) => stepText(step, block.decimals, block.round, style).join('\n')).join('\n\n');
    case 'list':
      return block.items.map((item) => `  • ${inlineText(item)}`).join('\n');
    case 'figure': {
      const view = graphView(block.graph, { simplify: block.simplify });
      const byId = new Map(view.nodes.map((n) => [n.id, n]));
      const edges = view.edges.map((e) => `${byId.get(e.from)?.label} → ${byId.get(e.to)?.label}${byId.get(e.to)?.added ? '   (added)' : ''}`);
      return [`[${block.caption}: ${view.nodes.length} nodes, ${view.edges.length} edges — the SVG/DOT/Mermaid/TikZ are in --format md/latex or --out]`, ...edges.map((e) => `  ${e}`)].join('\n');
    }
    case 'table': {
      const [header, ...lines] = formatTable(block.header, block.rows.map((row) => row.map((cell) => inlineText([cell]))));
      return [style.bold(header!), ...lines].join('\n');
    }
  }
}

/**
 * Terminal text: formulas in Unicode, matrices with aligned columns, colour only when asked.
 *
 * @example
 * await textRenderer.render(document, { color: process.stdout.isTTY });
 */
export const textRenderer: Renderer = {
  format: 'text',
  extension: 'txt',
  mediaType: 'text/plain; charset=utf-8',
  async render(document, options = {}) {
    const style = options.color ? ansi : plain;
    const parts = [style.bold(document.title), ...(document.subtitle ? [document.subtitle] : [])];
    for (const question of document.questions) {
      const points = question.points === undefined ? '' : ` (${question.points} points)`;
      parts.push('', style.bold(`${question.title}${points}`), style.bold('='.repeat([...question.title].length + points.length)));
      for (const block of question.blocks) parts.push('', blockText(block, style));
    }
    return `${parts.join('\n')}\n`;
  },
};
