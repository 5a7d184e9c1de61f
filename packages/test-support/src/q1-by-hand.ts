/**
 * Test helper, not part of the public API: Question 1's stand-in network (2 inputs, 2 sigmoid
 * hidden units, 2 sigmoid outputs, biases, L = ½‖ŷ − h2‖²) computed by hand, independently of the
 * product — plain arrays, one step at a time, each result rounded to `round` decimals when asked
 * (half up on the decimal value, as on paper). `tweak` replaces the result of one step before the
 * later steps use it, to plant a slip. The numbers are copied from the stand-in network's file.
 */
type Vec = number[];
type Mat = number[][];

export interface Q1Steps {
  a1: Vec;
  h1: Vec;
  a2: Vec;
  h2: Vec;
  L: number;
  dh2: Vec;
  da2: Vec;
  dh1: Vec;
  da1: Vec;
  dW2: Mat;
  db2: Vec;
  dW1: Mat;
  db1: Vec;
}

export const Q1_STAND_IN = {
  x: [0.05, 0.1],
  yhat: [0, 1],
  W1: [
    [0.15, 0.2],
    [0.25, 0.3],
  ],
  b1: [0.35, 0.35],
  W2: [
    [0.4, 0.45],
    [0.5, 0.55],
  ],
  b2: [0.6, 0.6],
};

export function q1ByHand(options: { round?: number; tweak?: { [K in keyof Q1Steps]?: (value: Q1Steps[K]) => Q1Steps[K] } } = {}): Q1Steps {
  const { x, yhat, W1, b1, W2, b2 } = Q1_STAND_IN;
  const r = (v: number): number => {
    if (options.round === undefined) return v;
    const scale = 10 ** options.round;
    return Math.round(Number((v * scale).toPrecision(12))) / scale;
  };
  const tweak = <K extends keyof Q1Steps>(name: K, value: Q1Steps[K]): Q1Steps[K] => {
    const f = options.tweak?.[name] as ((v: Q1Steps[K]) => Q1Steps[K]) | undefined;
    return f ? f(value) : value;
  };
  const affine = (W: Mat, v: Vec, b: Vec): Vec => W.map((row, i) => r(row.reduce((sum, w, j) => sum + w * v[j]!, 0) + b[i]!));
  const sigma = (v: Vec): Vec => v.map((e) => r(1 / (1 + Math.exp(-e))));
  const outer = (a: Vec, b: Vec): Mat => a.map((ai) => b.map((bj) => r(ai * bj)));

  const a1 = tweak('a1', affine(W1, x, b1));
  const h1 = tweak('h1', sigma(a1));
  const a2 = tweak('a2', affine(W2, h1, b2));
  const h2 = tweak('h2', sigma(a2));
  const L = tweak('L', r(0.5 * h2.reduce((sum, e, i) => sum + (yhat[i]! - e) ** 2, 0)));
  const dh2 = tweak('dh2', h2.map((e, i) => r(e - yhat[i]!)));
  // σ′(a) = σ(a)(1 − σ(a)), with σ(a) worked out again from a (so a slip in h is not repeated in σ′).
  const dsigma = (a: Vec): Vec => sigma(a).map((s) => r(s * (1 - s)));
  const da2 = tweak('da2', dh2.map((g, i) => r(g * dsigma(a2)[i]!)));
  const dh1 = tweak('dh1', W2[0]!.map((_, j) => r(W2.reduce((sum, row, i) => sum + row[j]! * da2[i]!, 0))));
  const da1 = tweak('da1', dh1.map((g, i) => r(g * dsigma(a1)[i]!)));
  const dW2 = tweak('dW2', outer(da2, h1));
  const db2 = tweak('db2', da2.slice());
  const dW1 = tweak('dW1', outer(da1, x));
  const db1 = tweak('db1', da1.slice());
  return { a1, h1, a2, h2, L, dh2, da2, dh1, da1, dW2, db2, dW1, db1 };
}

/** The hand computation as a submission; `intermediate` adds the gradients of h2, a2, h1 and a1. */
export function q1Submission(steps: Q1Steps, { intermediate = false } = {}) {
  return {
    loss: steps.L,
    values: { a1: steps.a1, h1: steps.h1, a2: steps.a2, h2: steps.h2 },
    gradients: {
      W1: steps.dW1,
      b1: steps.db1,
      W2: steps.dW2,
      b2: steps.db2,
      ...(intermediate ? { h2: steps.dh2, a2: steps.da2, h1: steps.dh1, a1: steps.da1 } : {}),
    },
  };
}
