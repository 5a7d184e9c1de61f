import { type Graph, canonicalName } from '@chainrule/graph';

/**
 * The node id a name of a problem file means: the id itself, or the canonical form of a
 * spelling (`ŷ` → `yhat`, `W_1` → `W1`); undefined when the graph has no such node.
 *
 * @example
 * resolveName(graph, 'ŷ'); // 'yhat'
 */
export function resolveName(graph: Graph, name: string): string | undefined {
  if (graph.has(name)) return name;
  const key = canonicalName(name).key;
  return graph.has(key) ? key : undefined;
}
