// The student's worlds while a submission is graded in topological order: their value where they
// gave a usable one, else the step recomputed from their earlier values — exactly, or rounded at
// every step (one world per number of decimals). A step is recomputed only when something reads
// it (a reading of a later step that no reference reading accepts, a value shown as recomputed),
// and in the exact world only when one of its inputs differs there from the reference: from the
// reference's own inputs it is the reference's value.
import { type Expr, type GraphNode, evaluateExpr } from '@chainrule/graph';
import { ShapeError, type Tensor } from '@chainrule/tensor';
import type { OutputForm } from './derivative-forms.ts';
import { roundTensor } from './fit.ts';
import type { StepReadings } from './judge.ts';

/**
 * What the worlds need of a prepared grader.
 *
 * @example
 * const worlds = new StudentWorlds({ exact, roundedReference, outputForms, inputs, reads }, [2]);
 */
export interface WorldsContext {
  /** The reference, computed exactly. */
  exact: ReadonlyMap<string, Tensor>;
  /** The reference rounded to `decimals` at every step. */
  roundedReference(decimals: number): ReadonlyMap<string, Tensor>;
  /** By node id: the derivatives in its formula that a student may work out from the function's value instead. */
  outputForms: ReadonlyMap<string, readonly OutputForm[]>;
  /** By node id: the nodes whose values its formula uses. */
  inputs: ReadonlyMap<string, readonly string[]>;
  /** Every node a node's formula reads, also those read only for their shape. */
  reads(id: string): readonly string[];
}

/** Entry by entry the same numbers. */
function sameData(a: Tensor, b: Tensor): boolean {
  if (a.size !== b.size) return false;
  for (let i = 0; i < a.size; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

/**
 * A step recomputed in a world; with `fromOutput`, its derivatives f′(u) worked out from the
 * world's h = f(u) (undefined where it has none). Undefined where the world's values do not fit.
 */
function recompute(context: WorldsContext, node: GraphNode, world: ReadonlyMap<string, Tensor>, fromOutput: boolean): Tensor | undefined {
  const forms = context.outputForms.get(node.id);
  if (fromOutput && !forms) return undefined;
  try {
    const memo = new Map<Expr, Tensor>();
    if (fromOutput) for (const form of forms!) memo.set(form.derivative, form.fromOutput(world.get(form.output)!));
    return evaluateExpr(node.expression!, world, memo);
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    return undefined;
  }
}

const rounded = (value: Tensor | undefined, d: number) => (value ? roundTensor(value, d) : undefined);

/**
 * A world's values by node id, some of them recomputed only when first read: a value the student
 * did not give is deferred, and reading it computes it and the deferred values it reads first,
 * in topological order (no recursion: a chain of thousands of missing steps is as deep as it is long).
 */
class World extends Map<string, Tensor> {
  readonly #deferred = new Map<string, () => Tensor>();

  constructor(private readonly reads: (id: string) => readonly string[]) {
    super();
  }

  defer(id: string, compute: () => Tensor): void {
    this.#deferred.set(id, compute);
  }

  override get(id: string): Tensor | undefined {
    const known = super.get(id);
    if (known !== undefined || !this.#deferred.has(id)) return known;
    const order: string[] = [];
    const seen = new Set<string>();
    const stack: [string, boolean][] = [[id, false]];
    while (stack.length > 0) {
      const [next, inputsDone] = stack.pop()!;
      if (inputsDone) {
        order.push(next);
        continue;
      }
      if (seen.has(next)) continue;
      seen.add(next);
      stack.push([next, true]);
      for (const input of this.reads(next)) if (this.#deferred.has(input) && !seen.has(input)) stack.push([input, false]);
    }
    for (const next of order) {
      // Already computed when something computed before it read it.
      const compute = this.#deferred.get(next);
      if (!compute) continue;
      const value = compute();
      this.#deferred.delete(next);
      super.set(next, value);
    }
    return super.get(id);
  }
}

/**
 * The student's worlds of one submission.
 *
 * @example
 * const worlds = new StudentWorlds(context, [2]);
 * for (const node of graph.nodes) worlds.keep(worlds.step(node), given.get(node.id));
 */
export class StudentWorlds {
  readonly exact: World;
  readonly rounded: ReadonlyMap<number, World>;
  /** The nodes whose value in the exact world is not the reference's exact value. */
  readonly differs = new Set<string>();

  constructor(
    readonly context: WorldsContext,
    decimals: readonly number[],
  ) {
    const reads = (id: string) => context.reads(id);
    this.exact = new World(reads);
    this.rounded = new Map(decimals.map((d) => [d, new World(reads)]));
  }

  /** The readings of a node's step, in these worlds as they are now. */
  step(node: GraphNode): Step {
    return new Step(this, node);
  }

  /** Records a step's value in every world: the given value where usable, else the step recomputed there (when first read). */
  keep(step: Step, value: Tensor | undefined): void {
    const id = step.node.id;
    if (value) {
      this.exact.set(id, value);
      if (!sameData(value, step.exact)) this.differs.add(id);
      for (const world of this.rounded.values()) world.set(id, value);
      return;
    }
    if (step.ownIsExact()) this.exact.set(id, step.exact);
    else {
      this.exact.defer(id, () => step.own() ?? step.exact);
      this.differs.add(id);
    }
    for (const [d, world] of this.rounded) world.defer(id, () => step.ownRounded(d) ?? this.context.roundedReference(d).get(id)!);
  }
}

/**
 * One step's readings in the student's worlds, each computed once when first asked for.
 *
 * @example
 * const step = worlds.step(node);
 * step.own(); // the step recomputed from the student's own earlier values
 */
export class Step implements StepReadings {
  readonly exact: Tensor;
  readonly #worlds: StudentWorlds;
  readonly #cache = new Map<string, Tensor | undefined>();

  constructor(
    worlds: StudentWorlds,
    readonly node: GraphNode,
  ) {
    this.#worlds = worlds;
    this.exact = worlds.context.exact.get(node.id)!;
  }

  #once(key: string, compute: () => Tensor | undefined): Tensor | undefined {
    if (this.#cache.has(key)) return this.#cache.get(key);
    const value = compute();
    this.#cache.set(key, value);
    return value;
  }

  #inputsDiffer(): boolean {
    for (const input of this.#worlds.context.inputs.get(this.node.id) ?? []) if (this.#worlds.differs.has(input)) return true;
    return false;
  }

  /** Whether the step, recomputed from the student's own values, is the reference's exact value: a given value, or none of its inputs differs. */
  ownIsExact(): boolean {
    return !this.node.expression || !this.#inputsDiffer();
  }

  own(): Tensor | undefined {
    if (this.ownIsExact()) return this.exact;
    return this.#once('own', () => recompute(this.#worlds.context, this.node, this.#worlds.exact, false));
  }

  ownRounded(d: number): Tensor | undefined {
    if (!this.node.expression) return this.exact;
    return this.#once(`own ${d}`, () => rounded(recompute(this.#worlds.context, this.node, this.#worlds.rounded.get(d)!, false), d));
  }

  ownFromOutput(): Tensor | undefined {
    if (!this.node.expression) return undefined;
    return this.#once('own output', () => recompute(this.#worlds.context, this.node, this.#worlds.exact, true));
  }

  ownRoundedFromOutput(d: number): Tensor | undefined {
    if (!this.node.expression) return undefined;
    return this.#once(`own output ${d}`, () => rounded(recompute(this.#worlds.context, this.node, this.#worlds.rounded.get(d)!, true), d));
  }

  referenceRounded(d: number): Tensor | undefined {
    return this.#worlds.context.roundedReference(d).get(this.node.id);
  }

  referenceRoundedFromOutput(d: number): Tensor | undefined {
    if (!this.node.expression) return undefined;
    return this.#once(`reference output ${d}`, () => rounded(recompute(this.#worlds.context, this.node, this.#worlds.context.roundedReference(d), true), d));
  }
}
