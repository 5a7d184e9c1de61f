/** Independent plain-JS references and lookups shared by the solutions' question tests (no chainrule computation involved). */
import type { Graph } from '@chainrule/graph';
import { expect } from 'vitest';
import type { Block, Inline, QuestionSolution } from '../document.ts';
import type { WorkedStep } from '../worked.ts';


// ---------------------------------------------------------------------------------------------
// Independent plain-JS linear algebra (no chainrule code involved).
// ---------------------------------------------------------------------------------------------

export type Vec = number[];
export type Mat = number[][];
export type Nested = number | Nested[];

export const matVec = (W: Mat, x: Vec): Vec => {
  const out: Vec = [];
  for (let i = 0; i < W.length; i++) {
    let s = 0;
    const row = W[i]!;
    for (let j = 0; j < row.length; j++) s += row[j]! * x[j]!;
    out.push(s);
  }
  return out;
};
export const matTVec = (W: Mat, v: Vec): Vec => {
  const cols = W[0]!.length;
  const out: Vec = new Array<number>(cols).fill(0);
  for (let j = 0; j < cols; j++) {
    let s = 0;
    for (let i = 0; i < W.length; i++) s += W[i]![j]! * v[i]!;
    out[j] = s;
  }
  return out;
};
export const outer = (a: Vec, b: Vec): Mat => a.map((ai) => b.map((bj) => ai * bj));
export const add = (a: Vec, b: Vec): Vec => a.map((v, i) => v + b[i]!);
export const sub = (a: Vec, b: Vec): Vec => a.map((v, i) => v - b[i]!);
export const hadamard = (a: Vec, b: Vec): Vec => a.map((v, i) => v * b[i]!);
export const relu = (a: Vec): Vec => a.map((v) => (v > 0 ? v : 0));
export const step = (a: Vec): Vec => a.map((v) => (v > 0 ? 1 : 0));
export const sigmoid = (a: Vec): Vec => a.map((v) => 1 / (1 + Math.exp(-v)));
export const halfSquaredNorm = (r: Vec): number => 0.5 * r.reduce((s, v) => s + v * v, 0);

/** Deep comparison of nested number arrays (shape must match) to an absolute tolerance. */
export function expectClose(actual: unknown, expected: Nested, tolerance: number, where = 'value'): void {
  if (typeof expected === 'number') {
    expect(typeof actual, `${where} should be a number`).toBe('number');
    expect(Math.abs((actual as number) - expected), `${where}: ${String(actual)} vs ${expected}`).toBeLessThanOrEqual(tolerance);
    return;
  }
  expect(Array.isArray(actual), `${where} should be an array`).toBe(true);
  const list = actual as unknown[];
  expect(list.length, `${where} length`).toBe(expected.length);
  expected.forEach((e, i) => expectClose(list[i], e, tolerance, `${where}[${i}]`));
}

// ---------------------------------------------------------------------------------------------
// The sheet's numbers for Question 3 (typed in from assignment-9.md, not read from q3.json).
// ---------------------------------------------------------------------------------------------

export const stepsOf = (solution: QuestionSolution): WorkedStep[] => solution.blocks.flatMap((b) => (b.kind === 'steps' ? b.steps : []));
/** A step by the name the equations write (`u1`, `∂L/∂W3`): its id. */
export const stepNamed = (solution: QuestionSolution, name: string): WorkedStep => {
  const found = stepsOf(solution).find((s) => s.id === name.replace(/^∂L\/∂/, 'dL/d'));
  if (!found) throw new Error(`no step named ${name}; steps: ${stepsOf(solution).map((s) => s.name.unicode).join(', ')}`);
  return found;
};
export const inlineText = (content: readonly Inline[]) => content.map((part) => (typeof part === 'string' ? part : part.math.unicode)).join('');
export const figure = (solution: QuestionSolution, id: string): Extract<Block, { kind: 'figure' }> => {
  const block = solution.blocks.find((b): b is Extract<Block, { kind: 'figure' }> => b.kind === 'figure' && b.id === id);
  if (!block) throw new Error(`no figure ${id}`);
  return block;
};
export const edgeSet = (graph: Graph) => graph.edges().map((e) => `${e.from}→${e.to}`).sort();
