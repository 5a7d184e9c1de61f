/**
 * Test helper, not part of the public API: Question 3 computed by hand, independently of the graph
 * package — plain arrays, one step at a time, rounding every intermediate result to `round`
 * decimals as a student does (half up on the decimal value, as on paper). `tweak` replaces the
 * result of one step before the later steps use it, to simulate a slip.
 */
type Vec = number[];
type Mat = number[][];

export interface Q3Steps {
  u1: Vec;
  z1: Vec;
  u2: Vec;
  z2: Vec;
  u3: Vec;
  y: Vec;
  L: number;
  dy: Vec;
  dz1: Vec;
  du1: Vec;
  du2: Vec;
  dW1: Mat;
  dW2: Mat;
  dW3: Mat;
}

export const Q3_DATA = {
  x: [1, 2, 3, 4],
  yhat: [1, 0],
  W1: [
    [0.4, 0.5, 0.25, 0.1],
    [0.2, 0.25, 0.4, 0.5],
    [0.1, 0.75, 0.3, 0],
  ],
  W2: [
    [0.1, 0.25, 0.5, 0.4],
    [0, 0.3, 0.75, 0.1],
  ],
  W3: [
    [1, 0.5, 0.25],
    [0.2, 0.3, 0.4],
  ],
};

export function q3ByHand(options: { round?: number; tweak?: { [K in keyof Q3Steps]?: (value: Q3Steps[K]) => Q3Steps[K] } } = {}): Q3Steps {
  const { x, yhat, W1, W2, W3 } = Q3_DATA;
  const r = (v: number): number => {
    if (options.round === undefined) return v;
    const scale = 10 ** options.round;
    // toPrecision strips binary noise, so 8.825 · 100 is 882.5 and rounds up, as on paper.
    return Math.round(Number((v * scale).toPrecision(12))) / scale;
  };
  const tweak = <K extends keyof Q3Steps>(name: K, value: Q3Steps[K]): Q3Steps[K] => {
    const f = options.tweak?.[name] as ((v: Q3Steps[K]) => Q3Steps[K]) | undefined;
    return f ? f(value) : value;
  };
  const matVec = (W: Mat, v: Vec): Vec => W.map((row) => r(row.reduce((sum, w, j) => sum + w * v[j]!, 0)));
  const matTVec = (W: Mat, v: Vec): Vec => W[0]!.map((_, j) => r(W.reduce((sum, row, i) => sum + row[j]! * v[i]!, 0)));
  const outer = (a: Vec, b: Vec): Mat => a.map((ai) => b.map((bj) => r(ai * bj)));
  const relu = (v: Vec): Vec => v.map((e) => Math.max(0, e));
  const step = (v: Vec): Vec => v.map((e) => (e > 0 ? 1 : 0));

  const u1 = tweak('u1', matVec(W1, x));
  const z1 = tweak('z1', relu(u1));
  const u2 = tweak('u2', matVec(W2, x));
  const z2 = tweak('z2', relu(u2));
  const u3 = tweak('u3', matVec(W3, z1));
  const y = tweak('y', u3.map((e, i) => r(e + z2[i]!)));
  const L = tweak('L', r(0.5 * y.reduce((sum, e, i) => sum + (e - yhat[i]!) ** 2, 0)));
  const dy = tweak('dy', y.map((e, i) => r(e - yhat[i]!)));
  const dz1 = tweak('dz1', matTVec(W3, dy));
  const du1 = tweak('du1', dz1.map((e, i) => r(e * step(u1)[i]!)));
  const du2 = tweak('du2', dy.map((e, i) => r(e * step(u2)[i]!)));
  const dW3 = tweak('dW3', outer(dy, z1));
  const dW2 = tweak('dW2', outer(du2, x));
  const dW1 = tweak('dW1', outer(du1, x));
  return { u1, z1, u2, z2, u3, y, L, dy, dz1, du1, du2, dW1, dW2, dW3 };
}

/** The hand computation as a submission; `intermediate` adds the gradients of y, z1, u1 and u2. */
export function q3Submission(steps: Q3Steps, { intermediate = false } = {}) {
  return {
    loss: steps.L,
    values: { u1: steps.u1, z1: steps.z1, u2: steps.u2, z2: steps.z2, u3: steps.u3, y: steps.y },
    gradients: {
      W1: steps.dW1,
      W2: steps.dW2,
      W3: steps.dW3,
      ...(intermediate ? { y: steps.dy, z1: steps.dz1, u1: steps.du1, u2: steps.du2 } : {}),
    },
  };
}
