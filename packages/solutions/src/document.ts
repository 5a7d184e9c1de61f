import type { Graph } from '@chainrule/graph';
import type { ProblemResult } from '@chainrule/problem';
import type { MathText } from './substitute.ts';
import type { WorkedStep } from './worked.ts';

/** Running text: plain words and inline formulas. */
export type Inline = string | { math: MathText };

/** One block of a solution sheet. Renderers turn blocks into text, Markdown, LaTeX or JSON. */
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; text: string }
  | { kind: 'paragraph'; content: Inline[] }
  /** A warning every output must carry, e.g. that a network is a stand-in. */
  | { kind: 'notice'; text: string }
  | { kind: 'equations'; lines: MathText[] }
  | { kind: 'steps'; steps: WorkedStep[]; round?: number; decimals: number }
  /** A graph figure; renderers draw it with the exporters of the graph package. */
  | { kind: 'figure'; id: string; caption: string; graph: Graph; simplify: boolean }
  | { kind: 'list'; items: Inline[][] }
  | { kind: 'table'; header: string[]; rows: Inline[][] };

/** One question of a solution sheet. */
export interface QuestionSolution {
  id: string;
  title: string;
  points?: number;
  blocks: Block[];
  /** Where the question's data came from, when the user supplied it (e.g. the file of the lecture's network). */
  source?: string;
  /** The machine-readable result (problem-file result format) where the question has numbers. */
  result?: ProblemResult;
  /** The same with every intermediate value rounded, when a rounding mode was asked for. */
  roundedResult?: ProblemResult;
}

/** A whole solution sheet. */
export interface SolutionDocument {
  title: string;
  subtitle?: string;
  questions: QuestionSolution[];
}

/** @example math('W1 x', 'W_{1}\\,x') */
export const math = (unicode: string, latex: string): Inline => ({ math: { unicode, latex } });
