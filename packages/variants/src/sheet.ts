import { POINTS } from '@chainrule/assignment9';
import { type Block, type Inline, type QuestionSolution, type SolutionDocument, math, problemSolution } from '@chainrule/solutions';
import type { Variant } from './generate.ts';

/** What a set of variants is a variant of: a question of Assignment 9, or any problem file. @example const origin: VariantOrigin = { question: 'q3', name: 'Question 3' }; */
export interface VariantOrigin {
  /** `q1`, `q3`, or undefined for a problem file. */
  question?: 'q1' | 'q3';
  /** How sheets name the original: `Question 3`, or the problem file's name. */
  name: string;
}

const TASKS: Record<'q1' | 'q3', { title: string; task: (variant: Variant) => string; notice?: string; form?: Inline[] }> = {
  q1: {
    title: 'Question 1 — Backpropagation by hand',
    task: (variant) =>
      `Perform one pass of backpropagation through the network below, calculating the gradients with respect to the weights and the biases numerically, with the target value ŷ = [${[variant.problem.values['ŷ'] ?? []].flat(2).join(', ')}].`,
    notice: "The network has the layered form of the stand-in for the lecture's slides 73/74 (the slides are not available).",
    form: [
      'Layers in the sheet\'s convention ',
      math('a⁽ᵏ⁾ = W⁽ᵏ⁾ h⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾,  h⁽ᵏ⁾ = f⁽ᵏ⁾(a⁽ᵏ⁾),  h⁽⁰⁾ = x', 'a^{(k)} = W^{(k)} h^{(k-1)} + b^{(k)},\\; h^{(k)} = f^{(k)}(a^{(k)}),\\; h^{(0)} = x'),
      ' (written ak, hk, Wk, bk below), with column vectors and W shaped out × in.',
    ],
  },
  q3: {
    title: 'Question 3 — Backpropagation by hand',
    task: () =>
      'Perform the forward and the backward pass for the network below and compute the gradients with respect to the weights, showing all intermediate calculations. f is ReLU.',
  },
};

const variantLabel = (variant: Variant) => variant.id.replace('-', ' ');

/**
 * The student's sheet of one variant: the task, the equations and the variant's numbers, no
 * answers. Render it with `renderSolution` of `@chainrule/solutions` (Markdown, LaTeX, …).
 *
 * @example
 * const sheet = studentSheet(set.variants[0], { question: 'q3', name: 'Question 3' });
 * await renderSolution(sheet, 'md');
 */
export function studentSheet(variant: Variant, origin: VariantOrigin): SolutionDocument {
  const worked = problemSolution(variant.problem);
  // The network and the given values, as the worked solution prints them, without any step.
  const firstStep = worked.blocks.findIndex((block) => block.kind === 'heading' && block.text === 'Forward pass');
  const network = worked.blocks.slice(0, firstStep < 0 ? worked.blocks.length : firstStep);
  const info = origin.question ? TASKS[origin.question] : undefined;
  const round = variant.key.rounded.decimals;
  const gradients = variant.problem.wrt.join(', ');
  const blocks: Block[] = [
    ...(info?.notice ? [{ kind: 'notice' as const, text: info.notice }] : []),
    {
      kind: 'paragraph',
      content: [
        info
          ? info.task(variant)
          : `Perform the forward and the backward pass for the network below and compute the gradients of the loss with respect to ${gradients}, showing all intermediate calculations.`,
      ],
    },
    ...(info?.form ? [{ kind: 'paragraph' as const, content: info.form }] : []),
    ...network,
    {
      kind: 'paragraph',
      content: [`Rounding every intermediate result to ${round} decimal digits is allowed; write down the values you use.`],
    },
  ];
  const question: QuestionSolution = {
    id: variant.id,
    title: `${info?.title ?? origin.name} (${variantLabel(variant)})`,
    blocks,
    ...(origin.question ? { points: POINTS[origin.question] } : {}),
  };
  return { title: `${documentTitle(origin)}, ${variantLabel(variant)}`, subtitle: `Student sheet — ${variant.id}`, questions: [question] };
}

/**
 * The answer key of one variant as a worked solution: every forward and backward step, exact and
 * rounded to the key's decimals at every step, with the gradients.
 *
 * @example
 * await renderSolution(keySheet(set.variants[0], { question: 'q3', name: 'Question 3' }), 'latex');
 */
export function keySheet(variant: Variant, origin: VariantOrigin): SolutionDocument {
  const info = origin.question ? TASKS[origin.question] : undefined;
  const question = problemSolution(variant.problem, {
    round: variant.key.rounded.decimals,
    id: `${variant.id}-key`,
    title: `${info?.title ?? origin.name} (${variantLabel(variant)}): answer key`,
  });
  if (origin.question) question.points = POINTS[origin.question];
  return { title: `${documentTitle(origin)}, ${variantLabel(variant)}: answer key`, subtitle: `Answer key — ${variant.id} (not for students)`, questions: [question] };
}

function documentTitle(origin: VariantOrigin): string {
  return origin.question ? `Deep Neural Networks — Assignment 9, ${origin.name}` : `chainrule — ${origin.name}`;
}
