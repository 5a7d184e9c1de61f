/** A deep layered network as a problem file and as a page link: the bench's "typing on a 100-layer network", and the tests' long solution. */
import { layeredProblem, parseLayeredNetwork } from '@chainrule/problem';
import { seededRandom } from '@chainrule/bench';
import { encodeState } from '../src/share.ts';
import type { AppState } from '../src/model.ts';

/** The problem of a `depth`-layer network of width 2 (sigmoid layers, weights on a 0.05 grid), as the page edits it. @example layeredProblemState(3).wrt // ['W1', 'b1', …] */
export function layeredProblemState(depth: number): AppState['problem'] {
  const random = seededRandom(depth);
  const weight = () => Math.round((random() - 0.5) * 20) / 20;
  const network = parseLayeredNetwork({
    input: [0.5, 0.1],
    target: [0, 1],
    layers: Array.from({ length: depth }, () => ({ W: [[weight(), weight()], [weight(), weight()]], b: [weight(), weight()], activation: 'sigmoid' })),
  });
  const problem = layeredProblem(network);
  return { equations: (problem.equations as string[]).join('\n'), functions: {}, values: problem.values as AppState['problem']['values'], wrt: problem.wrt };
}

/** The hash of a page holding a `depth`-layer network of width 2. @example await layeredState(100) // '#z=…' */
export async function layeredState(depth: number): Promise<string> {
  const state: AppState = { preset: null, problem: layeredProblemState(depth), view: { gradients: true, simplify: false, round: null }, answers: {}, mode: 'solution' };
  return encodeState(state);
}
