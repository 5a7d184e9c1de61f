import { activationNames } from '@chainrule/graph';
import { type Problem, parseProblem } from './problem.ts';
import { fromZodError } from './validation.ts';
import { z } from 'zod';

const vector = z.array(z.number()).min(1);
const matrix = z.array(vector).min(1);

/**
 * Activations a layer may use: `identity` (passes the pre-activation on) and every op the op
 * table marks as an activation.
 *
 * @example
 * ACTIVATIONS; // ['identity', 'relu', 'sigmoid', 'tanh', 'softmax', 'softplus']
 */
export const ACTIVATIONS: readonly [string, ...string[]] = ['identity', ...activationNames()];
/** Losses a layered network may use. */
export const LOSSES = ['half-squared-error', 'squared-error', 'cross-entropy'] as const;

/**
 * A layered network as lecture slides draw it: a⁽ᵏ⁾ = W⁽ᵏ⁾ h⁽ᵏ⁻¹⁾ + b⁽ᵏ⁾, h⁽ᵏ⁾ = f⁽ᵏ⁾(a⁽ᵏ⁾),
 * h⁽⁰⁾ = x, with column vectors and W shaped out × in.
 */
export const layeredNetworkSchema = z
  .object({
    title: z.string().optional(),
    /** Set for a network that stands in for one we do not have (the lecture's slides 73/74). */
    standIn: z.string().optional().describe('Why this network is a stand-in; printed with every output'),
    input: vector,
    target: vector,
    layers: z
      .array(
        z
          .object({
            W: matrix,
            b: vector.optional(),
            activation: z.enum(ACTIVATIONS).default('sigmoid'),
          })
          .strict(),
      )
      .min(1),
    loss: z.enum(LOSSES).default('half-squared-error'),
  })
  .strict()
  .superRefine((network, ctx) => {
    let width = network.input.length;
    network.layers.forEach((layer, k) => {
      const rows = layer.W.length;
      layer.W.forEach((row, i) => {
        if (row.length !== width) {
          ctx.addIssue({
            code: 'custom',
            path: ['layers', k, 'W', i],
            message: `row ${i + 1} of W of layer ${k + 1} has ${row.length} entries, but the layer's input has ${width} (W is out × in)`,
          });
        }
      });
      if (layer.b && layer.b.length !== rows) {
        ctx.addIssue({ code: 'custom', path: ['layers', k, 'b'], message: `b of layer ${k + 1} has ${layer.b.length} entries, but W has ${rows} rows` });
      }
      width = rows;
    });
    if (network.target.length !== width) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: `the target has ${network.target.length} entries, the output layer has ${width}` });
    }
  });

/** A layered network as written. */
export type LayeredNetworkInput = z.input<typeof layeredNetworkSchema>;
/** A validated layered network. */
export type LayeredNetwork = z.output<typeof layeredNetworkSchema>;

/**
 * Validates a layered network (parsed JSON); errors carry the JSON path of the fault.
 *
 * @example
 * parseLayeredNetwork({ input: [1], target: [0], layers: [{ W: [[0.5]], activation: 'sigmoid' }] });
 */
export function parseLayeredNetwork(input: unknown): LayeredNetwork {
  const parsed = layeredNetworkSchema.safeParse(input);
  if (!parsed.success) throw fromZodError(parsed.error);
  return parsed.data;
}

/**
 * Compiles a layered network into a problem file of the graph package: one equation per
 * pre-activation and activation, the loss, and every weight and bias as a parameter.
 *
 * @example
 * layeredProblem(network).equations;
 * // ['a1 = W1 x + b1', 'h1 = sigmoid(a1)', 'a2 = W2 h1 + b2', 'h2 = sigmoid(a2)', 'L = 1/2 ||ŷ - h2||^2']
 */
export function layeredProblem(network: LayeredNetwork): Problem {
  const equations: string[] = [];
  const values: Record<string, number[] | number[][]> = { x: network.input, 'ŷ': network.target };
  const wrt: string[] = [];
  network.layers.forEach((layer, index) => {
    const k = index + 1;
    const previous = k === 1 ? 'x' : `h${k - 1}`;
    equations.push(`a${k} = W${k} ${previous}${layer.b ? ` + b${k}` : ''}`);
    equations.push(layer.activation === 'identity' ? `h${k} = a${k}` : `h${k} = ${layer.activation}(a${k})`);
    values[`W${k}`] = layer.W;
    wrt.push(`W${k}`);
    if (layer.b) {
      values[`b${k}`] = layer.b;
      wrt.push(`b${k}`);
    }
  });
  const output = `h${network.layers.length}`;
  equations.push(
    network.loss === 'half-squared-error'
      ? `L = 1/2 ||ŷ - ${output}||^2`
      : network.loss === 'squared-error'
        ? `L = ||ŷ - ${output}||^2`
        : `L = -sum(ŷ * log(${output}))`,
  );
  return parseProblem({ equations, values, wrt, roles: { 'ŷ': 'target', x: 'input' } });
}
