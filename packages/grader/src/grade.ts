import { ChainruleError, type Graph, type GraphNode, formatExpr, referencedIds } from '@chainrule/graph';
import { type Problem, type ProblemInput, parseProblem, solveProblem } from '@chainrule/problem';
import { type Tensor, roundNumber } from '@chainrule/tensor';
import { outputFormsOf } from './derivative-forms.ts';
import { type Judged, copyReadings, judge, readingsOf } from './judge.ts';
import { type PointsScheme, questionPoints, resolvePoints } from './points.ts';
import { type GradedQuestion, type LayeredNetworkInput, isGradedQuestion, loadQuestion } from './questions.ts';
import { type GivenValue, type Numbers, readSubmission } from './submission.ts';
import { decimalsOf, describeTolerance } from './tolerance.ts';
import { type Step, StudentWorlds, type WorldsContext } from './worlds.ts';

/**
 * The verdict on one step: `correct`; `wrong`; `missing` (not in the submission); or `carried` —
 * wrong against the reference, but correct given the student's own earlier (wrong) values.
 *
 * @example
 * const status: ItemStatus = report.items.u3.status; // 'carried' after a slip in u1
 */
export type ItemStatus = 'correct' | 'wrong' | 'missing' | 'carried';

/**
 * Why a step is wrong: a wrong number (`value`), a matrix given `transposed`, a `shape` that does
 * not fit. (`rounded` is no longer given: numbers rounded at every step are accepted in every mode.)
 *
 * @example
 * report.items['∂L/∂W1'].reason; // 'transposed' for a 4×3 answer to a 3×4 gradient
 */
export type WrongReason = 'value' | 'transposed' | 'shape' | 'rounded';

/**
 * How an accepted value was read: computed in `exact` arithmetic or `rounded` to `decimals` at
 * every step, from the `reference` values or from the student's `own` earlier values (error
 * carried forward); `mixed` when its entries fit different readings.
 *
 * @example
 * report.items['∂L/∂W3'].reading; // { arithmetic: 'exact', from: 'own' } after a slip in u1, the rest computed exactly
 */
export interface Reading {
  arithmetic: 'exact' | 'rounded' | 'mixed';
  decimals?: number;
  from: 'reference' | 'own';
  /** `output`: a derivative such as σ′ worked out from the function's value, h(1 − h), rather than from its argument (a slip in h carried into σ′). */
  derivative?: 'output';
}

/** What a step is: a value the problem gives (judged only when a submission repeats it), a computed value, the loss, a gradient. @example report.items.x?.kind // 'given' */
export type ItemKind = 'given' | 'value' | 'loss' | 'gradient';

/**
 * The verdict on one step of a submission.
 *
 * @example
 * report.items.u1;
 * // { name: 'u1', kind: 'value', status: 'wrong', expected: [2.55, 3.9, 2.5], given: [2.55, 4, 2.5], reason: 'value',
 * //   message: 'u1[1]: expected 3.9, given 4', points: 0, maxPoints: 0.5, step: 'u1 = W1 x', line: 7 }
 */
export interface GradeItem {
  /** The name as the equations write it (`u1`, `L`), a gradient as `∂L/∂W1`. */
  name: string;
  kind: ItemKind;
  status: ItemStatus;
  /** The reference: exact in exact mode, rounded at every step in rounding mode. */
  expected: Numbers;
  /** Rounding mode: the exact value, where it differs from `expected`. */
  exact?: Numbers;
  /** The submission's value as written. */
  given?: Numbers;
  /** The value recomputed from the student's own earlier values, where one of those was wrong and it differs from `expected`. */
  recomputed?: Numbers;
  reason?: WrongReason;
  /** For a correct or carried value: the reading that accepted it. */
  reading?: Reading;
  /** One sentence for the student: what is wrong, or what a carried value was computed from. */
  message?: string;
  /** Points earned: all of `maxPoints` when correct or carried, none otherwise. */
  points?: number;
  maxPoints?: number;
  /** The step that produces the value: the equation as written, or a gradient's formula. */
  step: string;
  /** The line of the equation, for steps written in the problem. */
  line?: number;
}

/** The first wrong step in topological order. @example report.firstWrong // { name: 'u1', step: 'u1 = W1 x', line: 7 } */
export interface FirstWrong {
  name: string;
  step: string;
  line?: number;
}

/**
 * A graded submission.
 *
 * @example
 * const report: GradeReport = gradeSubmission('q3', submission);
 * report.order;  // ['u1', 'z1', 'u3', 'u2', 'z2', 'y', 'L', '∂L/∂W3', '∂L/∂W2', '∂L/∂W1'] (topological)
 * report.points; // { earned: 6.5, total: 7 }
 */
export interface GradeReport {
  /** `q1`, `q3`, or the name given for a problem file (`problem` by default). */
  problem: string;
  /** Printed with the report, e.g. that Q1 uses a stand-in network. */
  note?: string;
  /** `round: null` is exact arithmetic; a number is "rounded to that many decimals at every step". */
  mode: { round: number | null };
  /** The tolerance rule in words. */
  tolerance: string;
  firstWrong: FirstWrong | null;
  /** Every judged step by name. Computed values, the loss and the parameters' gradients are always present (maybe `missing`); given values and intermediate gradients when the submission has them. */
  items: Record<string, GradeItem>;
  /** The names of `items` in topological order (forward pass, then backward). */
  order: string[];
  counts: Record<ItemStatus, number>;
  /** Where a points scheme applies: points earned and the maximum. */
  points?: { earned: number; total: number };
}

/** Options of {@link gradeSubmission} and {@link createGrader}. @example gradeSubmission('q3', submission, { round: null, points: null }) */
export interface GradeOptions {
  /**
   * Decimals every intermediate step is rounded to, or `null` for exact arithmetic. Default: 2 for
   * q3 (the sheet allows rounding to two decimals), exact otherwise.
   */
  round?: number | null;
  /** The points scheme; default: the question's for q1/q3, none for a problem file; `null` for none. */
  points?: PointsScheme | null;
  /** Q1 only: the layered network of the lecture's slides, validated here (default: the labelled stand-in). */
  network?: LayeredNetworkInput;
  /** The name a problem file is reported under (default `problem`). */
  name?: string;
}

/**
 * A grader prepared for one problem and mode: the references are computed once, then every submission is graded against them.
 *
 * @example
 * const grader: Grader = createGrader('q1', { network: slidesNetwork });
 * const reports = submissions.map((s) => grader.grade(s));
 */
export interface Grader {
  readonly problem: string;
  readonly mode: { readonly round: number | null };
  /** Grades one submission; throws a `ChainruleError` (status 422, with the JSON path) for a malformed one. */
  grade(submission: unknown): GradeReport;
}

/**
 * Prepares a grader for a problem (a problem file, or `'q1'`/`'q3'`), so that a class's submissions
 * share the reference computation.
 *
 * @example
 * const grader = createGrader('q3');
 * grader.grade({ values: { u1: [2.55, 3.9, 2.5] } }).items.u1.status; // 'correct'
 */
export function createGrader(problem: ProblemInput | Problem | GradedQuestion, options: GradeOptions = {}): Grader {
  const question = isGradedQuestion(problem) ? problem : undefined;
  if (typeof problem === 'string' && !question) {
    throw new ChainruleError('problem', `cannot grade '${problem}': name q1 or q3 (q2 is symbolic), or give a problem file`, { path: ['problem'] });
  }
  if (options.network !== undefined && question !== 'q1') {
    throw new ChainruleError('problem', 'a network is only used for q1', { path: ['network'] });
  }
  const loaded = question ? loadQuestion(question, options.network) : { problem: parseProblem(problem as ProblemInput) };
  const round = options.round === undefined ? (question === 'q3' ? 2 : null) : options.round;
  if (round !== null && !(Number.isInteger(round) && round >= 0 && round <= 12)) {
    throw new ChainruleError('problem', `round must be a whole number of decimals from 0 to 12, or null for exact arithmetic (got ${round})`, {
      path: ['round'],
    });
  }
  const solved = solveProblem(loaded.problem);
  const graph = solved.gradientGraph;
  const exact = solved.values;
  const rounded = new Map<number, Map<string, Tensor>>();
  const roundedReference = (decimals: number): Map<string, Tensor> => {
    let values = rounded.get(decimals);
    if (!values) {
      values = solveProblem(loaded.problem, { round: decimals }).values;
      rounded.set(decimals, values);
    }
    return values;
  };
  const reference = round === null ? exact : roundedReference(round);
  const scheme = options.points === null ? undefined : (options.points ?? (question ? questionPoints(question, options.network ? { network: options.network } : {}) : undefined));
  const pointsById = scheme ? resolvePoints(graph, scheme) : undefined;

  const loss = graph.loss!;
  const required = new Set<string>(pointsById?.keys() ?? []);
  for (const node of solved.graph.nodes) if (node.expression) required.add(node.id);
  for (const name of loaded.problem.wrt) {
    const gradient = graph.gradientNode(name, loss);
    if (gradient) required.add(gradient.id);
  }

  const name = question ?? options.name ?? 'problem';
  const inputs = new Map(graph.nodes.map((node) => [node.id, graph.inputsOf(node.id)]));
  const reads = (id: string) => {
    const expression = graph.node(id).expression;
    return expression ? referencedIds(expression) : [];
  };
  const context: Context = { graph, exact, reference, roundedReference, round, required, pointsById, outputForms: outputFormsOf(graph), inputs, reads, steps: new Map() };
  return {
    problem: name,
    mode: { round },
    grade(submission: unknown): GradeReport {
      const report = judgeSubmission(context, readSubmission(graph, submission));
      return {
        problem: name,
        ...(loaded.note === undefined ? {} : { note: loaded.note }),
        mode: { round },
        tolerance: describeTolerance(round),
        ...report,
        ...(scheme ? { points: { earned: roundPoints(sumPoints(report.items)), total: scheme.total } } : {}),
      };
    },
  };
}

/**
 * Grades a hand-computed backpropagation with error carried forward: every step of the forward and
 * the backward pass is judged in topological order against the reference, and a step that is wrong
 * against the reference but right when recomputed from the student's own earlier values is
 * `carried` (and earns its points). Rounding mode and tolerance: see {@link describeTolerance}.
 *
 * @example
 * const report = gradeSubmission('q3', { loss: 48.24, values: { u1: [2.55, 4, 2.5] }, gradients: { W3: [[20, 31, 20], [15, 23, 15]] } });
 * report.items.u1.status;  // 'wrong'
 * report.firstWrong;       // { name: 'u1', step: 'u1 = W1 x', line: 7 }
 * report.points;           // { earned: …, total: 7 }
 */
export function gradeSubmission(problem: ProblemInput | Problem | GradedQuestion, submission: unknown, options: GradeOptions = {}): GradeReport {
  return createGrader(problem, options).grade(submission);
}

interface Context extends WorldsContext {
  graph: Graph;
  reference: ReadonlyMap<string, Tensor>;
  round: number | null;
  required: ReadonlySet<string>;
  pointsById: ReadonlyMap<string, number> | undefined;
  /** By node id: its step in words, made when a report first shows it. */
  steps: Map<string, { step: string; line?: number }>;
}

/** Decimals a submission was written with where it rounds (1 to 6), for the readings rounded at every step in exact mode. */
function roundingsOf(graph: Graph, submission: readonly GivenValue[]): number[] {
  const found = new Set<number>();
  for (const entry of submission) {
    if (!graph.node(entry.id).expression) continue;
    const d = writtenDecimals(entry);
    if (d >= 1 && d <= 6) found.add(d);
  }
  return [...found].sort((a, b) => a - b);
}

const NO_ORIGINS: ReadonlySet<string> = new Set();

/** The wrong steps a node's value depends on through its inputs (a shared set where there is one source). */
function originsOf(inputs: readonly string[], wrongOrigins: ReadonlyMap<string, ReadonlySet<string>>): ReadonlySet<string> {
  let origins: ReadonlySet<string> = NO_ORIGINS;
  for (const input of inputs) {
    const more = wrongOrigins.get(input);
    if (!more || more === origins || more.size === 0) continue;
    if (origins.size === 0) origins = more;
    else origins = new Set([...origins, ...more]);
  }
  return origins;
}

function judgeSubmission(context: Context, submission: GivenValue[]): Pick<GradeReport, 'firstWrong' | 'items' | 'order' | 'counts'> {
  const { graph, reference, round, required } = context;
  const given = new Map(submission.map((g) => [g.id, g]));
  const roundings = round === null ? roundingsOf(graph, submission) : [round];
  const worlds = new StudentWorlds(context, roundings);
  /** For every node whose student value differs from the reference because of a wrong step: the names of those wrong steps. */
  const wrongOrigins = new Map<string, ReadonlySet<string>>();
  const items: Record<string, GradeItem> = {};
  const order: string[] = [];
  const recomputed = (step: Step) => (round === null ? step.own() : step.ownRounded(round));

  for (const node of graph.nodes) {
    const expected = reference.get(node.id)!;
    const step = worlds.step(node);
    const entry = given.get(node.id);
    const origins = originsOf(context.inputs.get(node.id)!, wrongOrigins);

    if (!entry) {
      worlds.keep(step, undefined);
      if (origins.size > 0) wrongOrigins.set(node.id, origins);
      if (required.has(node.id)) {
        items[node.label] = makeItem(context, node, { status: 'missing' }, expected, step.exact, undefined, origins.size > 0 ? recomputed(step) : undefined);
        order.push(node.label);
      }
      continue;
    }

    const readings = node.expression ? readingsOf(step, round, exactModeDecimals(round, roundings, entry)) : copyReadings(step.exact);
    const judged = judge(node.label, entry, readings, origins, round);
    const usable = judged.used !== undefined;
    worlds.keep(step, judged.used);
    if (judged.status === 'wrong' && usable) wrongOrigins.set(node.id, new Set([node.label]));
    else if ((judged.status === 'carried' || (judged.status === 'wrong' && !usable)) && origins.size > 0) wrongOrigins.set(node.id, origins);
    items[node.label] = makeItem(context, node, judged, expected, step.exact, entry.raw, origins.size > 0 && node.expression ? recomputed(step) : undefined);
    order.push(node.label);
  }

  const counts: Record<ItemStatus, number> = { correct: 0, wrong: 0, missing: 0, carried: 0 };
  for (const label of order) counts[items[label]!.status] += 1;
  const first = order.map((label) => items[label]!).find((item) => item.status === 'wrong');
  const firstWrong = first ? { name: first.name, step: first.step, ...(first.line === undefined ? {} : { line: first.line }) } : null;
  return { firstWrong, items, order, counts };
}

/**
 * The decimals a step's rounded readings are read at: rounding mode's; in exact mode, those the
 * submission rounds to that are at least as many as this entry is written with (2.5 at 2
 * decimals is 2.50).
 */
function exactModeDecimals(round: number | null, roundings: readonly number[], entry: GivenValue): readonly number[] {
  if (round !== null) return [round];
  if (roundings.length === 0) return roundings;
  const written = writtenDecimals(entry);
  return roundings.filter((d) => d >= written);
}

/** The most decimals of an entry's numbers as written. */
function writtenDecimals(entry: GivenValue): number {
  let most = 0;
  for (const v of entry.value.data) most = Math.max(most, decimalsOf(v));
  return most;
}

function makeItem(
  context: Context,
  node: GraphNode,
  judged: Judged,
  expected: Tensor,
  exactValue: Tensor,
  given: Numbers | undefined,
  recomputed: Tensor | undefined,
): GradeItem {
  const { graph, round, pointsById } = context;
  const item: GradeItem = {
    name: node.label,
    kind: !node.expression ? 'given' : node.kind === 'gradient' ? 'gradient' : node.id === graph.loss ? 'loss' : 'value',
    status: judged.status,
    expected: expected.toArray(),
    ...stepOnce(context, node),
  };
  if (round !== null && !sameNumbers(exactValue, expected)) item.exact = exactValue.toArray();
  if (given !== undefined) item.given = given;
  if (recomputed && !sameNumbers(recomputed, expected)) item.recomputed = recomputed.toArray();
  if (judged.reason) item.reason = judged.reason;
  if (judged.reading) item.reading = judged.reading;
  if (judged.message) item.message = judged.message;
  const maxPoints = pointsById?.get(node.id);
  if (maxPoints !== undefined) {
    item.maxPoints = maxPoints;
    item.points = judged.status === 'correct' || judged.status === 'carried' ? maxPoints : 0;
  }
  return item;
}

function stepOnce(context: Context, node: GraphNode): { step: string; line?: number } {
  let step = context.steps.get(node.id);
  if (!step) context.steps.set(node.id, (step = stepOf(context.graph, node)));
  return step;
}

/** The step that produces a node: its equation as written (spaces collapsed), or for a gradient its formula. */
function stepOf(graph: Graph, node: GraphNode): { step: string; line?: number } {
  if (node.equation) return { step: node.equation.source.replace(/\s+/g, ' ').trim(), line: node.equation.line };
  // Every name as the equations write it (`∂L/∂W_1 = (∂L/∂u_1) xᵀ`), as in the rest of the report.
  if (node.expression) return { step: `${node.label} = ${formatExpr(node.expression, graph, 'written')}` };
  return { step: `${node.label} (given by the problem)` };
}

function sameNumbers(a: Tensor, b: Tensor): boolean {
  if (a.size !== b.size) return false;
  for (let i = 0; i < a.size; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    if (x !== y && !(Math.abs(x - y) <= 1e-12 * Math.max(1, Math.abs(x), Math.abs(y)))) return false;
  }
  return true;
}

function sumPoints(items: Record<string, GradeItem>): number {
  return Object.values(items).reduce((total, item) => total + (item.points ?? 0), 0);
}

function roundPoints(points: number): number {
  return roundNumber(points, 6);
}

