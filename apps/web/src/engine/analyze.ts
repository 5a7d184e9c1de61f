/**
 * The heavy pass behind the page, run in the Web Worker: parse the equations, build the graph and
 * its gradient nodes, lay it out with Graphviz, solve the problem and work every step. Each stage
 * reports its own error, so a value that does not fit still leaves the graph drawn.
 */
import { type Ast, FUNCTIONS, canonicalName, type Graph, gradientGraph, nodeLabel, parseEquations } from '@chainrule/graph';
import { graphView } from '@chainrule/export';
import { type Problem, type ProblemInput, parseProblem, problemGraph, solveProblem } from '@chainrule/problem';
import { latexTensor, valueText, workedSteps } from '@chainrule/solutions';
import type { Analysis, LeafInfo, LeafRole, NodeInfo, ProblemState, StepView, ViewState } from '../model.ts';
import { toUserError } from './errors.ts';

/** Decimals of float64 numbers (after σ, tanh, …) in substitutions and values, as the CLI prints them; exact ones are written exactly. */
export const EXACT_DECIMALS = 4;

/** The problem file the state stands for, with `wrt` narrowed to what the differentiated node depends on. */
export function problemInput(state: ProblemState, forward?: Graph): { input: ProblemInput; dropped: string[] } {
  let wrt = [...state.wrt];
  const dropped: string[] = [];
  if (forward && forward.loss !== undefined) {
    const reaches = ancestors(forward, forward.loss);
    wrt = wrt.filter((name) => {
      const id = resolve(forward, name);
      const keep = id !== undefined && reaches.has(id) && id !== forward.loss;
      if (!keep) dropped.push(name);
      return keep;
    });
  }
  const input: ProblemInput = { equations: state.equations, values: state.values, wrt };
  const functions = Object.fromEntries(Object.entries(state.functions).filter(([, op]) => op !== ''));
  if (Object.keys(functions).length > 0) input.functions = functions as ProblemInput['functions'];
  if (state.roles && Object.keys(state.roles).length > 0) input.roles = state.roles;
  if (state.loss) input.loss = state.loss;
  return { input, dropped };
}

/**
 * Every stage of the page for one problem but the drawing (see `draw.ts`, which runs in a worker
 * of its own so that a slow layout never holds up the numbers).
 *
 * @example
 * await analyze(q3State, { gradients: true, simplify: false, round: 2 });
 */
export async function analyze(state: ProblemState, view: ViewState): Promise<Analysis> {
  const analysis: Analysis = {
    functionNames: [],
    functionChoices: Object.keys(FUNCTIONS),
    leaves: [],
    computed: [],
    nodes: [],
    edges: [],
    steps: [],
    errors: [],
    notes: [],
  };
  let equations;
  try {
    equations = parseEquations(state.equations);
  } catch (error) {
    analysis.errors.push(toUserError(error, 'equations'));
    return analysis;
  }
  analysis.functionNames = appliedFunctionNames(equations, state);

  // The structure first, without values: the graph is drawn even while a value does not fit.
  let forward: Graph;
  let problem: Problem;
  let dropped: string[];
  try {
    const structure = { ...state, values: {} };
    forward = problemGraph(parseProblem(problemInput(structure).input));
    const narrowed = problemInput(structure, forward);
    dropped = narrowed.dropped;
    problem = parseProblem(narrowed.input);
    forward = problemGraph(problem);
  } catch (error) {
    analysis.errors.push(toUserError(error, 'equations'));
    return analysis;
  }
  if (dropped.length > 0 && forward.loss !== undefined) {
    analysis.notes.push(`${nodeLabel(forward, forward.loss)} does not depend on ${dropped.map((name) => displayOf(forward, name)).join(', ')}: left out of the gradients`);
  }
  analysis.loss = forward.loss;
  analysis.computed = forward.nodes.filter((n) => n.expression).map((n) => ({ id: n.id, name: n.label, label: n.label, display: nodeLabel(forward, n.id) }));
  analysis.leaves = forward.leaves().map((leaf) => ({
    id: leaf.id,
    name: valueKey(state, forward, leaf.id),
    label: leaf.label,
    display: nodeLabel(forward, leaf.id),
    latex: nodeLabel(forward, leaf.id, 'latex'),
    kind: leaf.kind as LeafRole,
  }));

  let withGradients = forward;
  if (problem.wrt.length > 0 && forward.loss !== undefined) {
    try {
      withGradients = gradientGraph(forward, problem.wrt);
    } catch (error) {
      analysis.errors.push(toUserError(error, 'equations'));
    }
  } else if (forward.loss === undefined) {
    analysis.errors.push({ message: 'cannot tell which node is the loss: several nodes are unused; choose the node to differentiate', described: 'cannot tell which node is the loss: several nodes are unused; choose the node to differentiate', stage: 'equations' });
  }
  const shown = view.gradients ? withGradients : forward;
  const drawn = graphView(shown, { simplify: view.simplify });
  analysis.nodes = nodeInfos(withGradients, drawn.nodes.map((n) => n.id));
  analysis.edges = drawn.edges.map(({ from, to }) => ({ from, to }));

  if (forward.loss === undefined) return analysis;
  try {
    const full = problemInput(state, forward).input;
    const solved = solveProblem(parseProblem(full));
    const round = view.round ?? undefined;
    const steps = workedSteps(solved, { decimals: EXACT_DECIMALS, ...(round === undefined ? {} : { round }) });
    const graph = solved.gradientGraph;
    analysis.loss_value = solved.result.loss;
    analysis.steps = steps.map((step): StepView => {
      const node = graph.node(step.id);
      const wrt = node.gradient?.wrt;
      const pathOf = wrt ?? step.id;
      const view: StepView = {
        id: step.id,
        phase: step.phase,
        name: node.label,
        display: step.name.unicode,
        nameLatex: step.name.latex,
        formulaLatex: step.formula.latex,
        valueLatex: valueText(step.exact, step.exactValue, { decimals: EXACT_DECIMALS, layout: 'latex' }),
        value: step.exact.toArray() as StepView['value'],
        path: pathIds(graph, pathOf),
        answerKey: wrt !== undefined ? { part: 'gradients', name: graph.node(wrt).label } : { part: 'values', name: node.label },
        shape: [...step.exact.shape],
      };
      if (step.substitution) view.substitutionLatex = step.substitution.latex;
      if (step.line !== undefined) view.line = step.line;
      if (step.rounded && round !== undefined) {
        view.rounded = step.rounded.toArray() as StepView['value'];
        view.roundedLatex = latexTensor(step.rounded, round, false);
        if (step.roundedSubstitution) view.roundedSubstitutionLatex = step.roundedSubstitution.latex;
      }
      if (wrt !== undefined) {
        const chain = chainLatex(graph, graph.loss!, wrt);
        if (chain) view.chainLatex = chain;
      }
      return view;
    });
  } catch (error) {
    analysis.errors.push(toUserError(error, 'values'));
  }
  return analysis;
}

/** The key a leaf's value is stored under: the spelling the state already uses, else the label. */
function valueKey(state: ProblemState, graph: Graph, id: string): string {
  for (const name of Object.keys(state.values)) if (resolve(graph, name) === id) return name;
  return graph.node(id).label;
}

/** A name as the user wrote it, in the sheet's notation when the graph has it. */
function displayOf(graph: Graph, name: string): string {
  const id = resolve(graph, name);
  return id === undefined ? name : nodeLabel(graph, id);
}

function resolve(graph: Graph, name: string): string | undefined {
  if (graph.has(name)) return name;
  const key = canonicalName(name).key;
  if (graph.has(key)) return key;
  return graph.nodes.find((n) => n.label === name)?.id;
}

/** Names applied like functions (`f(u1)`) that are not built in: the ones a problem binds. */
function appliedFunctionNames(equations: readonly { target: { key: string }; expression: Ast }[], state: ProblemState): string[] {
  const targets = new Set(equations.map((e) => e.target.key));
  const names = new Set<string>(Object.keys(state.functions));
  const visit = (ast: Ast): void => {
    switch (ast.type) {
      case 'call':
        if (/^[a-zσφ]/.test(ast.callee.text) && !Object.hasOwn(FUNCTIONS, ast.callee.key) && !targets.has(ast.callee.key)) names.add(ast.callee.text);
        ast.args.forEach(visit);
        break;
      case 'binary':
        visit(ast.left);
        visit(ast.right);
        break;
      case 'negate':
      case 'squaredNorm':
      case 'square':
      case 'transpose':
        visit(ast.operand);
        break;
      default:
        break;
    }
  };
  for (const equation of equations) visit(equation.expression);
  return [...names];
}

/** The drawn nodes with what the page needs to link them to steps. */
export function nodeInfos(graph: Graph, shownIds: readonly string[]): NodeInfo[] {
  const gradientOf = new Map<string, string>();
  for (const node of graph.nodes) if (node.gradient && node.gradient.of === graph.loss) gradientOf.set(node.gradient.wrt, node.id);
  return shownIds.map((id) => {
    const node = graph.node(id);
    const info: NodeInfo = { id, label: node.label, display: nodeLabel(graph, id), latex: nodeLabel(graph, id, 'latex'), kind: node.kind, added: node.added };
    const gradient = gradientOf.get(id);
    if (gradient !== undefined) info.gradientId = gradient;
    if (node.gradient) info.wrt = node.gradient.wrt;
    return info;
  });
}

/** Ids of the nodes a value is computed from, the node itself included. */
function ancestors(graph: Graph, id: string): Set<string> {
  const seen = new Set<string>([id]);
  const stack = [id];
  while (stack.length > 0) {
    for (const input of graph.inputsOf(stack.pop()!)) {
      if (!seen.has(input)) {
        seen.add(input);
        stack.push(input);
      }
    }
  }
  return seen;
}

/** Forward nodes on the paths from `id` to the loss, and their gradient nodes. */
function pathIds(graph: Graph, id: string): string[] {
  const loss = graph.loss!;
  const upstream = ancestors(graph, loss);
  const downstream = new Set<string>([id]);
  for (const node of graph.nodes) {
    if (!node.added && node.expression && graph.inputsOf(node.id).some((input) => downstream.has(input))) downstream.add(node.id);
  }
  const between = [...downstream].filter((n) => upstream.has(n));
  const gradients = graph.nodes.filter((n) => n.gradient && n.gradient.of === loss && between.includes(n.gradient.wrt)).map((n) => n.id);
  return [...between, ...gradients];
}

/** The chain rule from the loss down to `wrt`: a product of local derivatives per path, summed over paths (at most four shown). */
function chainLatex(graph: Graph, loss: string, wrt: string): string | undefined {
  const consumers = new Map<string, string[]>();
  for (const node of graph.nodes) {
    if (node.added || !node.expression) continue;
    for (const input of graph.inputsOf(node.id)) consumers.set(input, [...(consumers.get(input) ?? []), node.id]);
  }
  const paths: string[][] = [];
  const walk = (at: string, path: string[]): void => {
    if (paths.length > 4) return;
    if (at === loss) {
      paths.push(path);
      return;
    }
    for (const next of consumers.get(at) ?? []) walk(next, [...path, next]);
  };
  walk(wrt, [wrt]);
  if (paths.length === 0 || paths[0]!.length < 3) return undefined;
  const latex = (id: string) => nodeLabel(graph, id, 'latex');
  // path = [wrt, …, loss]; the product reads from the loss down: ∂L/∂y ∂y/∂u3 …
  const product = (path: string[]) =>
    path
      .slice(1)
      .map((upper, i) => `\\frac{\\partial ${latex(upper)}}{\\partial ${latex(path[i]!)}}`)
      .reverse()
      .join('\\,');
  const shown = paths.slice(0, 4).map(product);
  return `\\frac{\\partial ${latex(loss)}}{\\partial ${latex(wrt)}} = ${shown.join(' + ')}${paths.length > 4 ? ' + \\dots' : ''}`;
}

