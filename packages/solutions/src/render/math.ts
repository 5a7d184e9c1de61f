import { type Tensor, formatTensor } from '@chainrule/tensor';
import { valueText } from '../value-text.ts';
import type { WorkedStep } from '../worked.ts';

/** A tensor as a LaTeX bmatrix; a vector is a column. @example latexTensor(tensor([1, 2]), 2) // '\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}' */
export function latexTensor(value: Tensor, decimals: number, trimZeros = true): string {
  return formatTensor(value, { decimals, trimZeros, layout: 'latex' });
}

/**
 * The lines of an `aligned` block for one worked step: formula, substitution, result (exact where
 * it is, `\approx` and the note where float64 takes over), rounded result.
 *
 * @example
 * stepLatexLines(step, 4, 2);
 */
export function stepLatexLines(step: WorkedStep, decimals: number, round: number | undefined): string[] {
  const lines = [`${step.name.latex} &= ${step.formula.latex}`];
  if (step.substitution) lines.push(`&= ${step.substitution.latex}`);
  lines.push(`&${step.float64 ? '\\approx' : '='} ${valueText(step.exact, step.exactValue, { decimals, layout: 'latex' })}`);
  if (step.float64?.note) lines.push(`&\\qquad ${step.float64.note.latex}`);
  if (round !== undefined && step.rounded) {
    const working = step.roundedSubstitution && step.roundedSubstitution.latex !== step.substitution?.latex ? `${step.roundedSubstitution.latex} = ` : '';
    lines.push(`&\\approx ${working}${latexTensor(step.rounded, round, false)} \\quad \\text{(every step rounded to ${round} d.p.)}`);
  }
  return lines;
}
