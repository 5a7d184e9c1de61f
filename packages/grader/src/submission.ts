import type { Graph } from '@chainrule/graph';
import { fromZodError, valueSchema } from '@chainrule/problem';
import { ChainruleError, type Tensor, TensorValueError, formatJsonPath, tensor } from '@chainrule/tensor';
import { z } from 'zod';

/**
 * A student's submission, in the shape of a problem's result; every part may be missing.
 * `values` holds computed values by name (`u1`, `ŷ`-style spellings match: `yhat`, `W_1`), and may
 * also repeat a given value (`x`, `W1`) — a mis-copied input is judged like any other step.
 * `gradients` is keyed by the node the loss is differentiated by: a parameter (`W1`) or any node of
 * the backward pass (`u1` meaning ∂L/∂u1); `∂L/∂u1` and `dL/du1` are accepted as keys too.
 *
 * @example
 * submissionSchema.parse({ loss: 48.2, values: { u1: [2.55, 3.9, 2.5] }, gradients: { W3: [[19.95, 30.52, 19.56], [15.12, 23.13, 14.83]] } });
 */
export const submissionSchema = z
  .object({
    loss: z.number().optional().describe('The loss'),
    values: z.record(z.string(), valueSchema).optional().describe('Computed values by name: numbers, vectors, matrices as arrays of rows'),
    gradients: z.record(z.string(), valueSchema).optional().describe('∂L/∂name by name: a parameter or any node of the backward pass'),
  })
  .strict();

/** A submission as written. @example const s: Submission = { loss: 48.24, gradients: { W3: [[19.97, 30.54, 19.58], [15.12, 23.13, 14.83]] } }; */
export type Submission = z.infer<typeof submissionSchema>;

/** A number, a vector, or a matrix as an array of rows. @example const w: Numbers = [[0.4, 0.5], [0.2, 0.25]]; */
export type Numbers = number | number[] | number[][];

/** One value of a submission, resolved to a node of the gradient graph. */
export interface GivenValue {
  /** Node id in the gradient graph. */
  id: string;
  /** Where the submission gave it, e.g. `['gradients', 'W1']`. */
  path: (string | number)[];
  /** The value as written. */
  raw: Numbers;
  value: Tensor;
}

/**
 * Validates a submission against the schema and the problem's gradient graph, and resolves every
 * name to a node. Unknown names, gradients that are not a step of the backward pass, ragged
 * matrices and a value given twice with different numbers are errors that carry their JSON path.
 */
export function readSubmission(graph: Graph, input: unknown): GivenValue[] {
  const parsed = submissionSchema.safeParse(input);
  if (!parsed.success) throw schemaError(parsed.error);
  const submission = parsed.data;
  const loss = graph.loss;
  if (loss === undefined) throw new ChainruleError('internal', 'the problem has no loss');

  const given = new Map<string, GivenValue>();
  const add = (id: string, path: (string | number)[], raw: Numbers) => {
    let value: Tensor;
    try {
      value = tensor(raw);
    } catch (error) {
      if (error instanceof TensorValueError) throw new ChainruleError('value', `${error.message}`, { path });
      throw error;
    }
    const earlier = given.get(id);
    if (earlier) {
      if (earlier.value.size === value.size && earlier.value.data.every((v, i) => v === value.data[i])) return;
      throw new ChainruleError(
        'problem',
        `${graph.node(id).label} is given twice with different numbers (${formatJsonPath(earlier.path)}: ${JSON.stringify(earlier.raw)}, here: ${JSON.stringify(raw)})`,
        { path },
      );
    }
    given.set(id, { id, path, raw, value });
  };

  if (submission.loss !== undefined) add(loss, ['loss'], submission.loss);
  for (const [name, raw] of Object.entries(submission.values ?? {})) {
    const id = graph.resolve(name);
    if (id === undefined) {
      throw new ChainruleError('problem', `'${name}' is not a name in the equations (values: ${valueNames(graph).join(', ')})`, { path: ['values', name] });
    }
    add(id, ['values', name], raw as Numbers);
  }
  for (const [name, raw] of Object.entries(submission.gradients ?? {})) {
    const id = graph.resolve(name);
    if (id === undefined) {
      throw new ChainruleError('problem', `'${name}' is not a name in the equations (gradients: ${gradientNames(graph).join(', ')})`, {
        path: ['gradients', name],
      });
    }
    const node = graph.node(id);
    const gradient = node.kind === 'gradient' ? (node.gradient?.of === loss ? id : undefined) : graph.gradientNode(id)?.id;
    if (gradient === undefined) {
      const why =
        id === loss
          ? `∂${node.label}/∂${node.label} = 1 is not a step of the backward pass`
          : `∂${graph.node(loss).label}/∂${node.label} is not a step of the backward pass (only nodes between the parameters and the loss get a gradient)`;
      throw new ChainruleError('problem', `${why}; gradients: ${gradientNames(graph).join(', ')}`, { path: ['gradients', name] });
    }
    add(gradient, ['gradients', name], raw as Numbers);
  }
  return [...given.values()];
}

/** Names a submission may use under `values`: the computed values, then the given ones. */
function valueNames(graph: Graph): string[] {
  const forward = graph.nodes.filter((n) => n.kind !== 'gradient');
  return [...forward.filter((n) => n.expression), ...forward.filter((n) => !n.expression)].map((n) => n.label);
}

/** Names a submission may use under `gradients`: the nodes that have a gradient node. */
function gradientNames(graph: Graph): string[] {
  return graph.nodes.filter((n) => n.kind === 'gradient' && n.gradient?.of === graph.loss).map((n) => graph.node(n.gradient!.wrt).label);
}

/** The mapping of every zod issue, with what a submission holds said where the fault is its top level. */
function schemaError(error: z.ZodError): ChainruleError {
  const mapped = fromZodError(error);
  const issue = error.issues[0]!;
  if (issue.path.length > 0) return mapped;
  if (issue.code === 'unrecognized_keys') return new ChainruleError('problem', `${mapped.message}: a submission has loss, values and gradients`, mapped.location);
  if (issue.code === 'invalid_type') return new ChainruleError('problem', 'a submission is an object with loss, values and gradients', mapped.location);
  return mapped;
}
