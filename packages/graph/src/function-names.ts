import { FUNCTIONS, type OpName } from './ops/index.ts';

/**
 * The op a function name binds to, in any capitalisation a sheet writes it (`relu`, `ReLU`, `RELU`,
 * `Sigmoid`, `TANH`, `σ`), or `undefined`. Only words of two or more Latin letters are matched
 * regardless of case: the single letter `Σ` (key `Sigma`) is a matrix, not σ.
 *
 * @example
 * functionOp('ReLU');  // 'relu'
 * functionOp('σ');     // 'sigmoid' (its key is 'sigma')
 * functionOp('W');     // undefined
 */
export function functionOp(name: string | { key: string; text: string }): OpName | undefined {
  const key = typeof name === 'string' ? name : name.key;
  if (Object.hasOwn(FUNCTIONS, key)) return FUNCTIONS[key];
  const text = typeof name === 'string' ? name : name.text;
  if (!latinWord(key) || (text !== key && !latinWord(text))) return undefined;
  const folded = key.toLowerCase();
  const known = Object.keys(FUNCTIONS).find((candidate) => candidate.toLowerCase() === folded);
  return known === undefined ? undefined : FUNCTIONS[known];
}

/** Two or more Latin letters (`/^[A-Za-z]{2,}$/`, by character code: asked for every name of the equations). */
function latinWord(text: string): boolean {
  if (text.length < 2) return false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i) | 0x20;
    if (code < 0x61 || code > 0x7a) return false;
  }
  return true;
}

/**
 * The known function name closest to `name` (ignoring case), if it is a likely typo: at most
 * `maxDistance` edits away, and `name` at least three letters long.
 *
 * @example
 * closestFunctionName('rleu');    // 'relu'
 * closestFunctionName('softmx');  // 'softmax'
 * closestFunctionName('f');       // undefined
 */
export function closestFunctionName(name: string, maxDistance = 2): string | undefined {
  if (Array.from(name).length < 3) return undefined;
  let best: { name: string; distance: number } | undefined;
  for (const candidate of Object.keys(FUNCTIONS)) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= maxDistance && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/** Levenshtein distance over code points. */
function editDistance(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  let previous = Array.from({ length: right.length + 1 }, (_, j) => j);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (left[i - 1] === right[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[right.length]!;
}
