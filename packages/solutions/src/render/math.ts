import { type Tensor, formatNumber } from '@chainrule/tensor';
import type { WorkedStep } from '../worked.ts';

/** A tensor as a LaTeX bmatrix; a vector is a column. @example latexTensor(tensor([1, 2]), 2) // '\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}' */
export function latexTensor(value: Tensor, decimals: number, trimZeros = true): string {
  const cell = (v: number) => formatNumber(v, { decimals, trimZeros });
  if (value.rank === 0) return cell(value.data[0]!);
  const cols = value.rank === 2 ? value.shape[1]! : 1;
  const rows = value.size / Math.max(cols, 1);
  const lines = Array.from({ length: rows }, (_, i) => Array.from(value.data.subarray(i * cols, (i + 1) * cols), cell).join(' & '));
  return `\\begin{bmatrix} ${lines.join(' \\\\ ')} \\end{bmatrix}`;
}

/** The lines of an `aligned` block for one worked step: formula, substitution, result, rounded result. @example stepLatexLines(step, 4, 2) */
export function stepLatexLines(step: WorkedStep, decimals: number, round: number | undefined): string[] {
  const lines = [`${step.name.latex} &= ${step.formula.latex}`];
  if (step.substitution) lines.push(`&= ${step.substitution.latex}`);
  lines.push(`&= ${latexTensor(step.exact, decimals)}`);
  if (round !== undefined && step.rounded) {
    const working = step.roundedSubstitution && step.roundedSubstitution.latex !== step.substitution?.latex ? `${step.roundedSubstitution.latex} = ` : '';
    lines.push(`&\\approx ${working}${latexTensor(step.rounded, round, false)} \\quad \\text{(every step rounded to ${round} d.p.)}`);
  }
  return lines;
}
