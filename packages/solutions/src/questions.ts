import { type Expr, type Graph, buildGraph, formatExpr, gradientGraph, nodeLabel, opRecord } from '@chainrule/graph';
import { type Problem, type ProblemResult, solveProblem } from '@chainrule/problem';
import { type ExactTensor, type Tensor, formatTensor } from '@chainrule/tensor';
import { type Block, type Inline, type QuestionSolution, math } from './document.ts';
import type { MathText } from './substitute.ts';
import { type LayeredNetwork, layeredProblem } from '@chainrule/problem';
import { POINTS, QUESTION_2_LATEX, assignmentQ3Problem, standInQ1Network } from '@chainrule/assignment9';
import { entryText, valueText } from './value-text.ts';
import { workedSteps } from './worked.ts';

/** Options shared by the solution builders. */
export interface SolutionOptions {
  /** Also show the path of a student who rounds every intermediate result to this many decimals. */
  round?: number;
  /** Places of float64 numbers (σ, tanh, exp, log, softmax and what follows them; default 4): exact numbers are written exactly. */
  decimals?: number;
}

const nodeMath = (graph: Graph, id: string): Inline => math(nodeLabel(graph, id), nodeLabel(graph, id, 'latex'));
/** `u1 = W1 x` as text and LaTeX. */
const definition = (graph: Graph, id: string): MathText => {
  const expression = graph.node(id).expression!;
  return {
    unicode: `${nodeLabel(graph, id)} = ${formatExpr(expression, graph)}`,
    latex: `${nodeLabel(graph, id, 'latex')} = ${formatExpr(expression, graph, 'latex')}`,
  };
};
/** `u1 = [2.55, 3.9, 2.5]`: exact where the value is (`≈` and `decimals` places where it is float64). */
const valueMath = (graph: Graph, id: string, value: Tensor, exact: ExactTensor | undefined, decimals: number): Inline => {
  const relation = exact ? { unicode: '=', latex: '=' } : { unicode: '≈', latex: '\\approx' };
  return math(
    `${nodeLabel(graph, id)} ${relation.unicode} ${valueText(value, exact, { decimals, layout: 'inline' })}`,
    `${nodeLabel(graph, id, 'latex')} ${relation.latex} ${valueText(value, exact, { decimals, layout: 'latex' })}`,
  );
};

/**
 * The worked solution of any problem file: the network, the given values, every forward and
 * backward step, the gradients, and (with `round`) how rounding changes each value.
 *
 * @example
 * const solution = problemSolution(parseProblem(json), { round: 2 });
 * solution.result?.gradients.W1;
 */
export function problemSolution(problem: Problem, options: SolutionOptions & { id?: string; title?: string; notice?: string } = {}): QuestionSolution {
  const solved = solveProblem(problem);
  const graph = solved.gradientGraph;
  const decimals = options.decimals ?? 4;
  const roundedSolution = options.round === undefined ? undefined : solveProblem(problem, { round: options.round });
  const steps = workedSteps(solved, { decimals, ...(options.round === undefined ? {} : { round: options.round }), ...(roundedSolution ? { roundedSolution } : {}) });
  const forwardIds = solved.graph.nodes.filter((n) => n.expression).map((n) => n.id);
  const blocks: Block[] = [];
  if (options.notice) blocks.push({ kind: 'notice', text: options.notice });
  blocks.push({ kind: 'heading', level: 3, text: 'Network' });
  blocks.push({ kind: 'equations', lines: forwardIds.map((id) => definition(graph, id)) });
  blocks.push({ kind: 'paragraph', content: ['Given values:'] });
  blocks.push({
    kind: 'list',
    items: solved.graph.leaves().map((leaf) => [valueMath(graph, leaf.id, solved.values.get(leaf.id)!, solved.exact.get(leaf.id), 6), ` (${leaf.kind})`]),
  });
  const stepsBlock = (phase: 'forward' | 'backward'): Block => ({
    kind: 'steps',
    steps: steps.filter((s) => s.phase === phase),
    decimals,
    ...(options.round === undefined ? {} : { round: options.round }),
  });
  blocks.push({ kind: 'heading', level: 3, text: 'Forward pass' });
  blocks.push(stepsBlock('forward'));
  blocks.push({ kind: 'heading', level: 3, text: 'Backward pass' });
  blocks.push({
    kind: 'paragraph',
    content: [
      'Starting from ',
      math(`∂${nodeLabel(graph, solved.graph.loss!)}/∂${nodeLabel(graph, solved.graph.loss!)} = 1`, `\\frac{\\partial ${nodeLabel(graph, solved.graph.loss!, 'latex')}}{\\partial ${nodeLabel(graph, solved.graph.loss!, 'latex')}} = 1`),
      ', each gradient is the sum, over the nodes that use a value, of the chain rule through that use.',
    ],
  });
  blocks.push(stepsBlock('backward'));
  blocks.push({ kind: 'heading', level: 3, text: 'Gradients' });
  const wrtIds = new Set(problem.wrt.map((name) => graph.resolve(name)));
  blocks.push({
    kind: 'list',
    items: graph.nodes
      .filter((n) => n.gradient && wrtIds.has(n.gradient.wrt) && graph.gradientNode(n.gradient.wrt) === n)
      .map((n) => [valueMath(graph, n.id, solved.values.get(n.id)!, solved.exact.get(n.id), decimals)]),
  });

  let roundedResult: ProblemResult | undefined;
  if (options.round !== undefined) {
    const round = options.round;
    roundedResult = roundedSolution!.result;
    blocks.push({ kind: 'heading', level: 3, text: `Rounding every intermediate result to ${round} decimals` });
    const changed = steps.filter((s) => (s.deviation?.value ?? 0) > 0.5 * 10 ** -round + 1e-12);
    blocks.push({
      kind: 'paragraph',
      content: [
        `A student who rounds every intermediate result to ${round} decimals (as the sheet allows) gets the values in the column "rounded". `,
        changed.length === 0
          ? `No value then differs from the exact one by more than the rounding itself (${0.5 * 10 ** -round}).`
          : `${changed.length} of ${steps.length} values then differ from the exact ones by more than the rounding itself (${0.5 * 10 ** -round}): `,
        ...(changed.length === 0 ? [] : [...joinInline(changed.map((step) => ({ math: step.name })), ''), '. The table lists every value with the largest difference over its entries.']),
      ],
    });
    blocks.push({
      kind: 'table',
      header: ['value', 'exact', `rounded (${round} d.p.)`, 'max |difference|', 'at entry'],
      rows: steps.map((s) => [
        { math: s.name },
        valueText(s.exact, s.exactValue, { decimals, layout: 'inline' }),
        formatTensor(s.rounded!, { decimals: round, layout: 'inline' }),
        s.deviation!.value < 1e-12 ? '0' : entryText(s.deviation!.value, s.deviation!.exact, { decimals: round + 2 }),
        entryName(s.exact.shape, s.deviation!.index),
      ]),
    });
  }
  return {
    id: options.id ?? 'problem',
    title: options.title ?? 'Worked solution',
    blocks,
    result: solved.result,
    ...(roundedResult ? { roundedResult } : {}),
  };
}

function entryName(shape: readonly number[], index: number): string {
  if (shape.length === 0) return '–';
  if (shape.length === 1) return `[${index + 1}]`;
  const cols = shape[1]!;
  return `[${Math.floor(index / cols) + 1}, ${(index % cols) + 1}]`;
}

/**
 * Question 1: one pass of backpropagation through the lecture's layered network, with the
 * gradients of every weight and bias. Without a network the stand-in is used, and says so.
 *
 * @example
 * question1({ network: parseLayeredNetwork(JSON.parse(fs.readFileSync('slides-73-74.json', 'utf8'))) });
 */
export function question1(options: SolutionOptions & { network?: LayeredNetwork; source?: string } = {}): QuestionSolution {
  const network = options.network ?? standInQ1Network();
  const solution = problemSolution(layeredProblem(network), {
    ...options,
    id: 'q1',
    title: 'Question 1 — Backpropagation by hand',
    ...(network.standIn ? { notice: `STAND-IN NETWORK — ${network.standIn}` } : {}),
  });
  if (options.source) solution.source = options.source;
  if (!network.standIn) {
    solution.blocks.unshift({ kind: 'paragraph', content: [`${network.title ?? 'The lecture\'s network'}${options.source ? `, read from ${options.source}` : ''}.`] });
  }
  solution.points = POINTS.q1;
  solution.blocks.splice(1, 0, {
    kind: 'paragraph',
    content: [
      'Layers in the sheet\'s convention ',
      math('a⁽ᵏ⁾ = W⁽ᵏ⁾ h⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾,  h⁽ᵏ⁾ = f⁽ᵏ⁾(a⁽ᵏ⁾),  h⁽⁰⁾ = x', 'a^{(k)} = W^{(k)} h^{(k-1)} + b^{(k)},\\; h^{(k)} = f^{(k)}(a^{(k)}),\\; h^{(0)} = x'),
      ' (written ',
      math('aₖ, hₖ, Wₖ, bₖ', 'a_{k}, h_{k}, W_{k}, b_{k}'),
      ' below); target ',
      math(`ŷ = [${network.target.join(', ')}]`, `\\hat{y} = [${network.target.join(', ')}]^{\\top}`),
      '.',
    ],
  });
  return solution;
}

/** Why each added node is there, in words: which consumer's chain rule it collects. */
function explainGradient(graph: Graph, forward: Graph, id: string): Inline[] {
  const node = graph.node(id);
  const wrt = node.gradient!.wrt;
  const consumers = forward.nodes.filter((n) => n.expression && forward.inputsOf(n.id).includes(wrt));
  const parts: Inline[] = [];
  consumers.forEach((consumer, i) => {
    if (i > 0) parts.push(i === consumers.length - 1 ? ' and ' : ', ');
    parts.push(...phrase(forward, consumer.id, wrt));
  });
  const intro: Inline[] = [consumers.length > 1 ? 'sums the contributions of its users: ' : ''];
  return [...intro, ...parts];
}

function phrase(forward: Graph, consumerId: string, wrt: string): Inline[] {
  let e: Expr = forward.node(consumerId).expression!;
  const upstream = math(`∂L/∂${nodeLabel(forward, consumerId)}`, `\\frac{\\partial L}{\\partial ${nodeLabel(forward, consumerId, 'latex')}}`);
  const of = nodeMath(forward, consumerId);
  if (e.kind === 'op' && e.op === 'mul' && e.args[0]!.kind === 'const') e = e.args[1]!;
  if (e.kind !== 'op') return ['passes ', upstream, ' on unchanged'];
  const position = e.args.findIndex((arg) => arg.kind === 'ref' && arg.id === wrt);
  return opRecord(e.op)
    .explain(position)
    .map((part): Inline => {
      if (typeof part === 'string') return part;
      switch (part.node) {
        case 'upstream':
          return upstream;
        case 'consumer':
          return of;
        case 'operand':
          return nodeMath(forward, wrt);
        case 'definition':
          return { math: definition(forward, consumerId) };
      }
    });
}

/**
 * Question 2: the directed graph of the network (a), and the same graph with the nodes
 * symbol-to-symbol differentiation adds for the gradients of W1, W2, W3 (b).
 *
 * @example
 * question2().blocks.filter((b) => b.kind === 'figure').length; // 3
 */
export function question2(): QuestionSolution {
  const wrt = ['W1', 'W2', 'W3'];
  const forward = buildGraph(QUESTION_2_LATEX, { wrt, functions: { f: 'relu' } });
  const withGradients = gradientGraph(forward, wrt);
  const blocks: Block[] = [
    { kind: 'heading', level: 3, text: '(a) The network as a directed graph' },
    {
      kind: 'paragraph',
      content: [
        'Parsed from the LaTeX of the sheet. Every input, parameter, target, intermediate result and the loss is a node; an edge goes from a node to every node that uses its result directly.',
      ],
    },
    { kind: 'equations', lines: forward.nodes.filter((n) => n.expression).map((n) => definition(forward, n.id)) },
    { kind: 'figure', id: 'q2a', caption: 'Question 2a: the computational graph', graph: forward, simplify: false },
    {
      kind: 'list',
      items: forward.nodes.map((n) => [
        nodeMath(forward, n.id),
        ` (${n.kind}) → `,
        ...joinInline(forward.edges().filter((e) => e.from === n.id).map((e) => nodeMath(forward, e.to)), 'nothing (it is the output)'),
      ]),
    },
    { kind: 'heading', level: 3, text: '(b) Gradient nodes added by backpropagation' },
    {
      kind: 'paragraph',
      content: [
        'Symbol-to-symbol differentiation adds one node per gradient on a path from ',
        ...joinInline(wrt.map((name) => nodeMath(withGradients, withGradients.resolve(name)!)), ''),
        ' to L (no node for ∂L/∂x: x is an input). Added nodes are drawn as dashed, filled boxes; their incoming edges are dashed.',
      ],
    },
    { kind: 'figure', id: 'q2b', caption: 'Question 2b: the graph with the gradient nodes', graph: withGradients, simplify: false },
    {
      kind: 'list',
      items: withGradients.nodes.filter((n) => n.added).map((n) => [{ math: definition(withGradients, n.id) }, ' — ', ...explainGradient(withGradients, forward, n.id)]),
    },
    {
      kind: 'paragraph',
      content: ['The sheet allows leaving out nodes with just one input and one output; the same graph drawn that way:'],
    },
    { kind: 'figure', id: 'q2b-simplified', caption: 'Question 2b, nodes with one input and one output left out', graph: withGradients, simplify: true },
  ];
  return { id: 'q2', title: 'Question 2 — Symbol-to-symbol derivatives', points: POINTS.q2, blocks };
}

function joinInline(items: Inline[], empty: string): Inline[] {
  if (items.length === 0) return [empty];
  return items.flatMap((item, i) => (i === 0 ? [item] : [', ', item]));
}

/**
 * Question 3: forward and backward pass of the Question 2 network with the sheet's numbers and
 * f = ReLU, every intermediate step, exact and (by default) rounded to two decimals.
 *
 * @example
 * question3({ round: 2 }).result?.gradients.W3;
 */
export function question3(options: SolutionOptions = {}): QuestionSolution {
  const solution = problemSolution(assignmentQ3Problem(), {
    round: 2,
    ...options,
    id: 'q3',
    title: 'Question 3 — Backpropagation by hand',
  });
  solution.points = POINTS.q3;
  return solution;
}
