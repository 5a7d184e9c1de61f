/**
 * The computations of the heavy passes, shared by the inline path and the workers, so both run
 * exactly the same code. Nothing here knows about threads: inputs and outputs are plain data and
 * typed arrays, ready to be posted.
 */
import { ChainruleError, type ErrorCode, type Graph, type LeafValue, canonicalName, evaluate, gradientGraph } from '@chainrule/graph';
import { type Problem, problemGraph, valueSchema } from '@chainrule/problem';
import { Tensor, gemm, tensor } from '@chainrule/tensor';

/** A problem's graphs, built once and reused for every evaluation of a chunk. */
export interface PreparedProblem {
  graph: Graph;
  withGradients: Graph;
  loss: string;
  /** One entry per name of `wrt`, in order. */
  parameters: readonly PreparedParameter[];
}

export interface PreparedParameter {
  /** The node id (canonical name). */
  key: string;
  /** The name as the equations write it; results are keyed by it, as in `solveProblem`. */
  label: string;
  /** The node holding ∂L/∂parameter, if differentiation added one. */
  gradientId: string | undefined;
}

const resolve = (graph: Graph, name: string): string => (graph.has(name) ? name : canonicalName(name).key);

/**
 * Builds both graphs and runs the problem-level checks of `solveProblem` (names in `wrt` and
 * `values`, the loss), so that a faulty problem fails once, up front, with the same error.
 */
export function prepareProblem(problem: Problem): PreparedProblem {
  const graph = problemGraph(problem);
  for (const name of Object.keys(problem.values)) checkLeafName(graph, name, ['values', name]);
  problem.wrt.forEach((name, index) => {
    if (!graph.has(resolve(graph, name))) throw new ChainruleError('problem', `'${name}' is not a name in the equations`, { path: ['wrt', index] });
  });
  const loss = graph.loss;
  if (loss === undefined) {
    throw new ChainruleError('problem', 'cannot tell which node is the loss: several nodes are unused; name it with "loss"', { path: ['loss'] });
  }
  const withGradients = gradientGraph(graph, problem.wrt);
  const parameters = problem.wrt.map((name) => {
    const key = resolve(graph, name);
    const gradient = withGradients.nodes.find((n) => n.gradient?.wrt === key && n.gradient?.of === loss);
    return { key, label: graph.node(key).label, gradientId: gradient?.id };
  });
  return { graph, withGradients, loss, parameters };
}

function checkLeafName(graph: Graph, name: string, path: (string | number)[]): string {
  const key = resolve(graph, name);
  if (!graph.has(key)) {
    const leaves = graph.leaves().map((n) => n.label).join(', ');
    throw new ChainruleError('problem', `'${name}' is not a name in the equations (the leaves are: ${leaves})`, { path });
  }
  const node = graph.node(key);
  if (node.expression) {
    throw new ChainruleError('problem', `'${name}' is computed by line ${node.equation?.line} (${node.equation?.source}); it cannot be given a value`, { path });
  }
  return key;
}

const PREPARED_CACHE_SIZE = 16;
const preparedCache = new Map<string, PreparedProblem>();

/** `prepareProblem`, memoised on the equations and options (not the values): a worker sees the same problem chunk after chunk. */
export function cachedPrepare(problem: Problem): PreparedProblem {
  const key = JSON.stringify([problem.equations, problem.functions, problem.roles, problem.loss, problem.wrt, Object.keys(problem.values)]);
  let prepared = preparedCache.get(key);
  if (!prepared) {
    prepared = prepareProblem(problem);
    if (preparedCache.size >= PREPARED_CACHE_SIZE) preparedCache.delete(preparedCache.keys().next().value!);
    preparedCache.set(key, prepared);
  }
  return prepared;
}

// ─── matmul ──────────────────────────────────────────────────────────────────────────────────

/** One row block of C = A·B, all three on shared memory. Offsets are in elements. */
export interface MatmulJob {
  a: SharedArrayBuffer;
  b: SharedArrayBuffer;
  c: SharedArrayBuffer;
  aOffset: number;
  bOffset: number;
  cOffset: number;
  m: number;
  n: number;
  k: number;
  /** The rows of C to compute: [rowStart, rowEnd). */
  rowStart: number;
  rowEnd: number;
}

/** Computes rows [rowStart, rowEnd) of C with the tensor kernel on views of the shared buffers. */
export function matmulRows(job: MatmulJob): void {
  const { m, n, k, rowStart, rowEnd } = job;
  const rows = rowEnd - rowStart;
  const a = new Float64Array(job.a, job.aOffset * 8 + rowStart * k * 8, rows * k);
  const b = new Float64Array(job.b, job.bOffset * 8, k * n);
  const c = new Float64Array(job.c, job.cOffset * 8 + rowStart * n * 8, rows * n);
  if (rowEnd > m) throw new ChainruleError('internal', `matmul row block ${rowStart}..${rowEnd} is outside ${m} rows`);
  gemm(rows, n, k, a, b, c);
}

// ─── gradient check ──────────────────────────────────────────────────────────────────────────

/**
 * Central differences (L(θ+h) − L(θ−h)) / (2h) of the loss for the parameter elements
 * [start, end) of the problem, counting through the parameters of `wrt` in order, each
 * row-major. Returns one derivative per element.
 */
export function finiteDifferences(problem: Problem, start: number, end: number, h: number): Float64Array {
  const { graph, loss, parameters } = cachedPrepare(problem);
  const leaves = new Map<string, Tensor>();
  for (const [name, value] of Object.entries(problem.values)) leaves.set(resolve(graph, name), tensor(value));
  const lossAt = () => evaluate(graph, leaves).get(loss)!.data[0]!;

  const out = new Float64Array(end - start);
  let offset = 0;
  for (const parameter of parameters) {
    const value = leaves.get(parameter.key);
    if (!value) throw new ChainruleError('value', `no value given for parameter '${parameter.label}'`, { path: ['values', parameter.label] });
    for (let g = Math.max(start, offset); g < Math.min(end, offset + value.size); g++) {
      const i = g - offset;
      const original = value.data[i]!;
      const up = original + h;
      const down = original - h;
      value.data[i] = up;
      const lossUp = lossAt();
      value.data[i] = down;
      const lossDown = lossAt();
      value.data[i] = original;
      // up − down is the step actually taken: 2h rounded at the magnitude of θ.
      out[g - start] = (lossUp - lossDown) / (up - down);
    }
    offset += value.size;
  }
  return out;
}

// ─── batch ───────────────────────────────────────────────────────────────────────────────────

/** A value of one batch item: plain numbers as in a problem file, or a tensor. @example pool.batch(problem, [{ x: [1, 2] }, { x: tensor([3, 4]) }]) */
export type BatchValue = number | readonly number[] | readonly (readonly number[])[] | Tensor;

/** One item of a batch as it travels: plain values as they are, tensors as slices of `data`. */
export interface WireItem {
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
export function encodeBatch(inputs: readonly Readonly<Record<string, BatchValue>>[]): BatchChunk {
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
 * Forward and backward pass of the problem's graph for each item: the item's values override the
 * problem's. A fault of one item (a bad value, a shape mismatch) is recorded for that item only.
 */
export function batchChunk(problem: Problem, chunk: BatchChunk): BatchChunkResult {
  const { graph, withGradients, loss, parameters } = cachedPrepare(problem);
  const base = new Map<string, LeafValue>();
  for (const [name, value] of Object.entries(problem.values)) base.set(resolve(graph, name), value);

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
        const key = checkLeafName(graph, name, ['values', name]);
        const parsed = valueSchema.safeParse(value);
        if (!parsed.success) {
          const issue = parsed.error.issues[0]!;
          throw new ChainruleError('problem', issue.message, { path: ['values', name, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))] });
        }
        leaves.set(key, parsed.data);
      }
      for (const [name, { offset, shape }] of Object.entries(item.packed)) {
        const key = checkLeafName(graph, name, ['values', name]);
        const size = shape.reduce((p, e) => p * e, 1);
        leaves.set(key, new Tensor(chunk.data.slice(offset, offset + size), shape));
      }
      const values = evaluate(withGradients, leaves);
      const itemGradients = parameters.map((p) => (p.gradientId === undefined ? tensor(0) : values.get(p.gradientId)!));
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

/** Splits `total` items into at most `parts` contiguous ranges of near-equal size. */
export function splitRange(total: number, parts: number): [start: number, end: number][] {
  const count = Math.max(1, Math.min(parts, total));
  const ranges: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor((i * total) / count);
    const end = Math.floor(((i + 1) * total) / count);
    if (end > start) ranges.push([start, end]);
  }
  return ranges;
}
