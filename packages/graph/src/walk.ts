/**
 * A post-order walk without recursion, for trees and DAGs of any depth (a sum of thousands of
 * terms is as deep as it is long): `leave(node)` runs after every child has been left. `enter`
 * runs first, in pre-order (children left to right); when it returns false the node is skipped —
 * neither its children nor its `leave` — which is how a walk of a DAG visits a shared node once
 * (answer false for a node already done). Children are asked one at a time, `child(node, i)`
 * for i = 0, 1, … until undefined, so no array is made per node.
 *
 * @example
 * // The ops of an expression, operands before the op that reads them:
 * const order: string[] = [];
 * postOrder<Expr>(expr, (e, i) => (e.kind === 'op' ? e.args[i] : undefined), (e) => {
 *   if (e.kind === 'op') order.push(e.op);
 * });
 */
export function postOrder<T>(root: T, child: (node: T, index: number) => T | undefined, leave: (node: T) => void, enter?: (node: T) => boolean): void {
  if (enter !== undefined && !enter(root)) return;
  const nodes: T[] = [root];
  const next: number[] = [0];
  while (nodes.length > 0) {
    const top = nodes.length - 1;
    const node = nodes[top]!;
    const kid = child(node, next[top]!++);
    if (kid === undefined) {
      nodes.pop();
      next.pop();
      leave(node);
    } else if (enter === undefined || enter(kid)) {
      nodes.push(kid);
      next.push(0);
    }
  }
}
