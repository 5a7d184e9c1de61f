import { z } from 'zod';
import type { GraphView } from './view.ts';
import type { Exporter } from './exporter.ts';

const nodeKindSchema = z.enum(['input', 'parameter', 'target', 'intermediate', 'loss', 'gradient']);

/**
 * The JSON export of a graph view: the schema of {@link jsonExporter}'s output, reused by the HTTP
 * API for its OpenAPI document.
 *
 * @example
 * const graph: GraphJson = graphJsonSchema.parse(JSON.parse(await jsonExporter.render(view)));
 */
export const graphJsonSchema = z
  .object({
    nodes: z.array(
      z.object({
        id: z.string().describe('Stable node id: the canonical name (`W3`, `yhat`) or `dL/dW3` for a gradient node'),
        label: z.string().describe('The name as the sheet shows it in text: an index as a subscript (`W₃` for W3, W_3 or W₃), `ŷ`, `∂L/∂W₃`; `id` is the stable key'),
        kind: nodeKindSchema.describe('What the node is'),
        op: z.string().nullable().describe("The node's top operation (`matmul`, `relu`, `identity`, …); null for a leaf"),
        added: z.boolean().describe('True for the nodes backpropagation (symbol-to-symbol differentiation) added'),
        formula: z.string().optional().describe('The defining formula in Unicode, e.g. `u1 = W1 x`; absent for leaves'),
        latex: z.string().optional().describe('The defining formula in LaTeX, e.g. `u_{1} = W_{1} x`; absent for leaves'),
      }),
    ),
    edges: z.array(z.object({ from: z.string(), to: z.string() }).describe('`to` uses the result of `from` directly')),
    hidden: z.array(z.string()).describe('Ids of added nodes left out by simplification (one input, one output)'),
  })
  .describe('A computational graph: nodes, directed edges, and the added nodes hidden by simplification');

/**
 * The parsed JSON export of a graph view.
 *
 * @example
 * const graph: GraphJson = graphJsonSchema.parse(JSON.parse(text));
 * graph.nodes.filter((n) => n.added).map((n) => n.label); // ['∂L/∂y', …]
 */
export type GraphJson = z.infer<typeof graphJsonSchema>;

/**
 * The view as plain data in the {@link graphJsonSchema} shape, keys in schema order.
 *
 * @example
 * toGraphJson(view).nodes[0]; // { id: 'x', label: 'x', kind: 'input', op: null, added: false }
 */
export function toGraphJson(view: GraphView): GraphJson {
  return {
    nodes: view.nodes.map((node) => ({
      id: node.id,
      label: node.label,
      kind: node.kind,
      op: node.op,
      added: node.added,
      ...(node.formula === undefined ? {} : { formula: node.formula }),
      ...(node.latexFormula === undefined ? {} : { latex: node.latexFormula }),
    })),
    edges: view.edges.map(({ from, to }) => ({ from, to })),
    hidden: [...view.hidden],
  };
}

/**
 * JSON (`application/json`), pretty-printed with 2 spaces, in the {@link graphJsonSchema} shape.
 *
 * @example
 * const json = await jsonExporter.render(graphView(graph));
 * JSON.parse(json).edges[0]; // { from: 'W1', to: 'u1' }
 */
export const jsonExporter: Exporter = {
  format: 'json',
  mediaType: 'application/json',
  extension: 'json',
  render: (view) => `${JSON.stringify(toGraphJson(view), null, 2)}\n`,
};
