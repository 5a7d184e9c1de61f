/** A deep layered network as a page link: the bench's "typing on a 100-layer network". */
import { layeredProblem, parseLayeredNetwork } from '@chainrule/problem';
import { seededRandom } from '@chainrule/bench';
import { encodeState } from '../src/share.ts';
import type { AppState } from '../src/model.ts';

/** The hash of a page holding a `depth`-layer network of width 2. @example await layeredState(100) // '#z=…' */
export async function layeredState(depth: number): Promise<string> {
  const random = seededRandom(depth);
  const weight = () => Math.round((random() - 0.5) * 20) / 20;
  const network = parseLayeredNetwork({
    input: [0.5, 0.1],
    target: [0, 1],
    layers: Array.from({ length: depth }, () => ({ W: [[weight(), weight()], [weight(), weight()]], b: [weight(), weight()], activation: 'sigmoid' })),
  });
  const problem = layeredProblem(network);
  const state: AppState = {
    preset: null,
    problem: { equations: (problem.equations as string[]).join('\n'), functions: {}, values: problem.values as AppState['problem']['values'], wrt: problem.wrt },
    view: { gradients: true, simplify: false, round: null },
    answers: {},
    mode: 'solution',
  };
  return encodeState(state);
}
