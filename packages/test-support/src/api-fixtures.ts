/** Problems for the tests and the load bench (not part of the API). */

/** Question 3's problem file as a client sends it, copied from the sheet (not read from the product). */
export function q3Problem() {
  return {
    "equations": [
      "L  = 1/2 ||y - ŷ||^2",
      "y  = u3 + z2",
      "u3 = W3 z1",
      "z2 = f(u2)",
      "u2 = W2 x",
      "z1 = f(u1)",
      "u1 = W1 x"
    ],
    "functions": { "f": "relu" as const },
    "values": {
      "x": [1, 2, 3, 4],
      "ŷ": [1, 0],
      "W1": [[0.4, 0.5, 0.25, 0.1], [0.2, 0.25, 0.4, 0.5], [0.1, 0.75, 0.3, 0]],
      "W2": [[0.1, 0.25, 0.5, 0.4], [0, 0.3, 0.75, 0.1]],
      "W3": [[1, 0.5, 0.25], [0.2, 0.3, 0.4]]
    },
    "wrt": ["W1", "W2", "W3"]
  };
}

/** Question 3's numbers from the sheet, computed by hand in the solutions package's tests. */
export const Q3_LOSS = 48.1977625;
export const Q3_W3_GRADIENT = [
  [19.95375, 30.5175, 19.5625],
  [15.1215, 23.127, 14.825],
];

/**
 * A two-layer sigmoid network `inputs` wide with `hidden` hidden units, deterministic numbers:
 * a gradient check of it perturbs `hidden · inputs + 2 · hidden + 1` entries, two forward passes each.
 *
 * @example
 * networkProblem(64, 64); // 4 225 parameter entries: a gradient check of ~0.1 s on two workers
 */
export function networkProblem(inputs: number, hidden: number) {
  const number = (i: number) => Math.round(Math.sin(i * 12.9898) * 1000) / 1000;
  const matrix = (rows: number, cols: number, seed: number) => Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => number(seed + r * cols + c)));
  const vector = (n: number, seed: number) => Array.from({ length: n }, (_, i) => number(seed + i));
  return {
    equations: ['L = 1/2 ||y - yhat||^2', 'y = W2 h + b2', 'h = sigmoid(W1 x + b1)'],
    values: { W1: matrix(hidden, inputs, 1), b1: vector(hidden, 2), W2: matrix(1, hidden, 3), b2: [0.1], x: vector(inputs, 4), yhat: [0.5] },
    wrt: ['W1', 'b1', 'W2', 'b2'],
  };
}
