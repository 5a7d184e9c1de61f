/**
 * Batch evaluation: the forward and backward pass of one problem's graphs over many inputs (a
 * data set of x/ŷ pairs, or many variants of the values), inline or split across the workers of
 * a compute pool (`tasks.ts`). Tensor values travel packed in one transferred array.
 */
import { ChainruleError, type ErrorCode, type LeafValue } from '@chainrule/graph';
import { Tensor, fromFlat, tensor } from '@chainrule/tensor';
import { type WorkOptions, runsInline } from './gradient-check.ts';
import { prepareProblem } from './prepared.ts';
import { type Problem, type ProblemInput, parseProblem, valueSchema } from './problem.ts';
import { fromZodError } from './validation.ts';

/** This package's task module beside this file: `tasks.ts` in the workspace, `tasks.js` built. */
const TASKS_MODULE = new URL('./tasks' + import.meta.url.slice(import.meta.url.lastIndexOf('.')), import.meta.url);

/**
 * A batch goes to the pool from this many items on (each costs one forward and backward pass).
 * Measured by `bench/threshold.ts` on a two-layer network (4 inputs, 8 hidden): 32 items are 1.1×
 * slower on the pool, 48 1.05× faster. Items of a larger graph cost more each, and pay off sooner.
 *
 * @example
 * await evaluateBatch(problem, inputs, { pool }); // inline when inputs.length < BATCH_POOL_THRESHOLD
 */
export const BATCH_POOL_THRESHOLD = 48;

/** A value of one batch item: plain numbers as in a problem file, or a tensor. @example evaluateBatch(problem, [{ x: [1, 2] }, { x: tensor([3, 4]) }]) */
export type BatchValue = number | readonly number[] | readonly (readonly number[])[] | Tensor;

/**
 * One item of a batch: its loss and gradients, or why it failed.
 *
 * @example
 * for (const item of result.items) console.log(item.ok ? item.loss : `${item.code}: ${item.error}`);
 */
export type BatchItemResult =
  | { ok: true; loss: number; gradients: Record<string, number | number[] | number[][]> }
  | { ok: false; error: string; code: ErrorCode };

/**
 * The result of {@link evaluateBatch}.
 *
 * @example
 * const { meanLoss, meanGradients, failed } = await evaluateBatch(problem, dataset);
 */
export interface BatchResult {
  items: BatchItemResult[];
  succeeded: number;
  failed: number;
  /** Mean loss of the items that succeeded (NaN when none did). */
  meanLoss: number;
  /** Mean gradients of the items that succeeded; a parameter whose gradient shape varies between items is left out. */
  meanGradients: Record<string, number | number[] | number[][]>;
  ranOn: 'inline' | 'pool';
}

/**
 * Forward and backward pass of one problem's graphs over many inputs: each input's values
 * override the problem's. Returns each item's loss and gradients — or its error, without failing
 * the others — and the means. With a pool, from {@link BATCH_POOL_THRESHOLD} items on, the items
 * are split across its workers.
 *
 * @example
 * const { items, meanLoss, meanGradients } = await evaluateBatch(problem, [
 *   { x: [1, 2], yhat: [1] },
 *   { x: [0, 1], yhat: [0] },
 * ], { pool: getDefaultPool() });
 */
export async function evaluateBatch(
  input: ProblemInput | Problem,
  inputs: readonly Readonly<Record<string, BatchValue>>[],
  options: WorkOptions = {},
): Promise<BatchResult> {
  const problem = parseProblem(input);
  const labels = prepareProblem(problem).parameters.map((p) => p.label);
  let chunks: BatchChunkResult[];
  let ranOn: BatchResult['ranOn'];
  if (runsInline(options, inputs.length, BATCH_POOL_THRESHOLD)) {
    options.signal?.throwIfAborted();
    chunks = [batchChunk({ problem, chunk: encodeBatch(inputs) })];
    ranOn = 'inline';
  } else {
    const parts = options.pool!.split(inputs.length).map(([start, end]) => ({ problem, chunk: encodeBatch(inputs.slice(start, end)) }));
    chunks = await options.pool!.tasks<BatchChunkResult>(TASKS_MODULE, 'batch', parts, { transfer: true, signal: options.signal, timeoutMs: options.timeoutMs });
    ranOn = 'pool';
  }
  return assembleBatch(labels, chunks, ranOn);
}

/** One item of a batch as it travels: plain values as they are, tensors as slices of `data`. */
interface WireItem {
  /** Set when the input was not an object of values at all. */
  invalid?: string;
  plain: Record<string, unknown>;
  packed: Record<string, { offset: number; shape: number[] }>;
}

/** A chunk of batch items: tensor values packed into one transferable array. */
export interface BatchChunk {
  items: WireItem[];
  data: Float64Array;
}

/** Per-item results of a chunk: gradients of successful items packed into `data` in parameter order. */
export interface BatchChunkResult {
  /** NaN for a failed item. */
  losses: Float64Array;
  errors: ({ message: string; code: ErrorCode } | null)[];
  /** For each successful item, the shape of each parameter's gradient (null for a failed item). */
  shapes: (number[][] | null)[];
  data: Float64Array;
}

/** Packs the tensor values of items into one array; plain values stay as they are. */
function encodeBatch(inputs: readonly Readonly<Record<string, BatchValue>>[]): BatchChunk {
  let size = 0;
  const isValues = (input: unknown): input is Record<string, unknown> => typeof input === 'object' && input !== null && !Array.isArray(input);
  for (const input of inputs) {
    if (isValues(input)) for (const value of Object.values(input)) if (value instanceof Tensor) size += value.size;
  }
  const data = new Float64Array(size);
  let offset = 0;
  const items = inputs.map((input) => {
    const item: WireItem = { plain: {}, packed: {} };
    if (!isValues(input)) {
      item.invalid = `an input must be an object of values by name, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`;
      return item;
    }
    for (const [name, value] of Object.entries(input)) {
      if (value instanceof Tensor) {
        data.set(value.data, offset);
        item.packed[name] = { offset, shape: [...value.shape] };
        offset += value.size;
      } else {
        item.plain[name] = value;
      }
    }
    return item;
  });
  return { items, data };
}

/**
 * Forward and backward pass of the problem's graphs for each item of a chunk: the item's values
 * override the problem's. A fault of one item (a bad value, a shape mismatch) is recorded for
 * that item only. The same code inline and in a worker.
 *
 * @example
 * batchChunk({ problem, chunk }).losses;
 */
export function batchChunk({ problem, chunk }: { problem: Problem; chunk: BatchChunk }): BatchChunkResult {
  const prepared = prepareProblem(problem);
  const { loss, parameters } = prepared;
  const base = new Map<string, LeafValue>();
  for (const [name, value] of Object.entries(problem.values)) base.set(prepared.leafKey(name, ['values', name]), value);

  const count = chunk.items.length;
  const losses = new Float64Array(count).fill(Number.NaN);
  const errors: BatchChunkResult['errors'] = new Array(count).fill(null);
  const shapes: BatchChunkResult['shapes'] = new Array(count).fill(null);
  const gradients: Tensor[] = [];

  chunk.items.forEach((item, index) => {
    try {
      if (item.invalid !== undefined) throw new ChainruleError('problem', item.invalid);
      const leaves = new Map(base);
      for (const [name, value] of Object.entries(item.plain)) {
        const key = prepared.leafKey(name, ['values', name]);
        const parsed = valueSchema.safeParse(value);
        if (!parsed.success) throw fromZodError(parsed.error, ['values', name]);
        leaves.set(key, parsed.data);
      }
      for (const [name, { offset, shape }] of Object.entries(item.packed)) {
        const key = prepared.leafKey(name, ['values', name]);
        const size = shape.reduce((p, e) => p * e, 1);
        leaves.set(key, new Tensor(chunk.data.slice(offset, offset + size), shape));
      }
      const values = prepared.evaluate(leaves);
      const itemGradients = parameters.map((p) => (p.gradientId === undefined ? tensor(1) : values.get(p.gradientId)!));
      losses[index] = values.get(loss)!.data[0]!;
      shapes[index] = itemGradients.map((g) => [...g.shape]);
      gradients.push(...itemGradients);
    } catch (error) {
      errors[index] = describeError(error);
    }
  });

  const data = new Float64Array(gradients.reduce((total, g) => total + g.size, 0));
  let offset = 0;
  for (const g of gradients) {
    data.set(g.data, offset);
    offset += g.size;
  }
  return { losses, errors, shapes, data };
}

function describeError(error: unknown): { message: string; code: ErrorCode } {
  if (error instanceof ChainruleError) return { message: error.describe(), code: error.code };
  return { message: error instanceof Error ? `${error.name}: ${error.message}` : String(error), code: 'internal' };
}

function assembleBatch(labels: readonly string[], chunks: readonly BatchChunkResult[], ranOn: BatchResult['ranOn']): BatchResult {
  const items: BatchItemResult[] = [];
  const sums = new Map<number, { shape: number[]; sum: Float64Array } | null>();
  let lossSum = 0;
  for (const chunk of chunks) {
    let offset = 0;
    chunk.errors.forEach((error, i) => {
      if (error) {
        items.push({ ok: false, error: error.message, code: error.code });
        return;
      }
      const gradients: Record<string, number | number[] | number[][]> = {};
      chunk.shapes[i]!.forEach((shape, p) => {
        const size = shape.reduce((s, e) => s * e, 1);
        const data = chunk.data.subarray(offset, offset + size);
        offset += size;
        gradients[labels[p]!] = fromFlat(data, shape).toArray();
        const acc = sums.get(p);
        if (acc === undefined) sums.set(p, { shape, sum: data.slice() });
        else if (acc !== null) {
          if (acc.shape.length === shape.length && acc.shape.every((e, d) => e === shape[d])) for (let j = 0; j < size; j++) acc.sum[j]! += data[j]!;
          else sums.set(p, null);
        }
      });
      lossSum += chunk.losses[i]!;
      items.push({ ok: true, loss: chunk.losses[i]!, gradients });
    });
  }
  const succeeded = items.filter((item) => item.ok).length;
  const meanGradients: BatchResult['meanGradients'] = {};
  for (const [p, acc] of sums) {
    if (acc) meanGradients[labels[p]!] = fromFlat(acc.sum.map((v) => v / succeeded), acc.shape).toArray();
  }
  return { items, succeeded, failed: items.length - succeeded, meanLoss: succeeded > 0 ? lossSum / succeeded : Number.NaN, meanGradients, ranOn };
}
