import { type Expr, type OpExpr, apply, ref } from './expr.ts';
import { Graph, type GraphNode } from './graph.ts';

/**
 * The largest expression (counted as printed: a subexpression used twice counts twice) a node
 * keeps inline before differentiation names a part of it. Every expression of Assignment 9 and of
 * the usual textbook equations is far below it, so only long products and deep nesting are split.
 */
export const PART_SIZE_LIMIT = 16;

/**
 * `graph` with every expression of the nodes in `owners` cut into named parts of at most about
 * {@link PART_SIZE_LIMIT} printed nodes: each part is a node of its own (kind `intermediate`,
 * added, id `L(1)`, label `L_{(1)}`, shown `L₍₁₎`), placed just before the node it belongs to, and
 * the node reads it by reference. The graph itself when nothing is that large.
 *
 * Why: the gradient rules embed forward subexpressions (the prefix `W W … W` of a product chain)
 * in every contribution. Shared as objects they cost nothing to evaluate, but every text form
 * prints each in full — n terms of up to n factors. Named, each contribution is a few references.
 *
 * @example
 * const graph = buildGraph([`L = sum(${Array(40).fill('W').join(' ')})`], { wrt: ['W'] });
 * withNamedParts(graph, new Set(['L'])).nodes.map((n) => n.id); // ['W', 'L(1)', 'L(2)', 'L']
 */
export function withNamedParts(graph: Graph, owners: ReadonlySet<string>): Graph {
  let nodes: GraphNode[] | undefined;
  let named: Set<string> | undefined;
  for (let i = 0; i < graph.nodes.length; i++) {
    const node = graph.nodes[i]!;
    const expression = node.expression;
    // Most expressions are small: a walk of at most PART_SIZE_LIMIT ops says so without the maps of a split.
    const split =
      expression?.kind === 'op' && owners.has(node.id) && !printedWithin(expression, PART_SIZE_LIMIT)
        ? splitNode(node, expression, graph, (named ??= new Set()))
        : undefined;
    if (split === undefined) {
      nodes?.push(node);
      continue;
    }
    nodes ??= graph.nodes.slice(0, i);
    for (const part of split) {
      if (part.part) named!.add(part.id);
      nodes.push(part);
    }
  }
  return nodes === undefined ? graph : new Graph(nodes, graph.loss);
}

/** Whether the printed size of `root` (as a tree: a subexpression used twice counts twice) is at most `limit`; stops past it. */
function printedWithin(root: OpExpr, limit: number): boolean {
  let size = 0;
  const stack: OpExpr[] = [root];
  while (stack.length > 0) {
    const e = stack.pop()!;
    size += 1;
    for (const arg of e.args) {
      if (arg.kind === 'op') stack.push(arg);
      else size += 1;
    }
    if (size > limit) return false;
  }
  return true;
}

/** The parts of one node and the node reading them (last), or undefined when it is small enough already. */
function splitNode(node: GraphNode, root: OpExpr, graph: Graph, named: ReadonlySet<string>): GraphNode[] | undefined {
  // One post-order walk of the expression (a DAG: each shared subexpression once): the printed
  // size of each subexpression with its named parts counted as one, and its rewritten form.
  const size = new Map<Expr, number>();
  const rewritten = new Map<Expr, Expr>();
  const parts: GraphNode[] = [];
  let index = 0;
  const stack: [OpExpr, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [e, argsDone] = stack.pop()!;
    if (rewritten.has(e)) continue;
    if (!argsDone) {
      stack.push([e, true]);
      for (const arg of e.args) if (arg.kind === 'op' && !rewritten.has(arg)) stack.push([arg, false]);
      continue;
    }
    let total = 1;
    let changed = false;
    const args = e.args.map((arg) => {
      if (arg.kind !== 'op') {
        total += 1;
        return arg;
      }
      total += size.get(arg)!;
      const next = rewritten.get(arg)!;
      if (next !== arg) changed = true;
      return next;
    });
    const expression = changed ? apply(e.op, args, e.alias) : e;
    if (total > PART_SIZE_LIMIT && e !== root) {
      let id: string;
      do id = `${node.id}(${++index})`;
      while (graph.has(id) || named.has(id));
      parts.push({ id, label: `${node.label}_{(${index})}`, kind: 'intermediate', expression, added: true, part: { of: node.id, index } });
      rewritten.set(e, ref(id));
      size.set(e, 1);
    } else {
      rewritten.set(e, expression);
      size.set(e, total);
    }
  }
  if (parts.length === 0) return undefined;
  parts.push({ ...node, expression: rewritten.get(root)! });
  return parts;
}
