/**
 * A corpus of hostile requests (not part of the API): JSON of any depth, valid or truncated, and
 * user names equal to members of `Object.prototype`, at every place a request holds a name. Used
 * by the API and CLI tests beside it; every class of attack found against the API goes here.
 *
 * Names are checked against a twin: the same request with an ordinary name of the same length in
 * place of the hostile one (`constructor` → `consqructor`). A hostile name must behave as its
 * twin does (same status, same answer with the names swapped) or be refused with a 422 that names it.
 */

/** Names that are (or shadow) members of `Object.prototype` or of functions. */
export const PROTOTYPE_NAMES = [
  'constructor',
  '__proto__',
  'hasOwnProperty',
  'toString',
  'valueOf',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupSetter__',
  'prototype',
] as const;

/**
 * An ordinary name of the same length and shape: the middle character replaced by `q` (by `z`
 * if it is a `q`), so error columns and the sort order among the other names stay the same.
 *
 * @example
 * twinName('constructor'); // 'consqructor'
 */
export function twinName(name: string): string {
  const middle = Math.floor(name.length / 2);
  const twin = `${name.slice(0, middle)}${name[middle] === 'q' ? 'z' : 'q'}${name.slice(middle + 1)}`;
  if (twin in Object.prototype || twin in Function.prototype) throw new Error(`the twin of ${name} is a prototype member too`);
  return twin;
}

/** Where the name goes in a request: `NAME` in the text of the body and of the URL. */
export const NAME = '@@NAME@@';

/** A request with a name in it. */
export interface NamedRequest {
  /** Short label: where the name is. */
  site: string;
  method: 'GET' | 'POST';
  url: string;
  /** JSON text with {@link NAME} where the name goes (so `__proto__` becomes an own key), for POST. */
  body?: string;
}

const json = (value: unknown) => JSON.stringify(value);
const q3 = {
  equations: ['L  = 1/2 ||y - ŷ||^2', 'y  = u3 + z2', 'u3 = W3 z1', 'z2 = f(u2)', 'u2 = W2 x', 'z1 = f(u1)', 'u1 = W1 x'],
  functions: { f: 'relu' },
  values: {
    x: [1, 2, 3, 4],
    ŷ: [1, 0],
    W1: [[0.4, 0.5, 0.25, 0.1], [0.2, 0.25, 0.4, 0.5], [0.1, 0.75, 0.3, 0]],
    W2: [[0.1, 0.25, 0.5, 0.4], [0, 0.3, 0.75, 0.1]],
    W3: [[1, 0.5, 0.25], [0.2, 0.3, 0.4]],
  },
  wrt: ['W1', 'W2', 'W3'],
};

/**
 * A problem with the name as an input: `L = ½‖y − t‖²`, `y = W NAME`, W = [[1, 2]], NAME = [1, 1],
 * t = [0]. By hand: y = 3, L = 4.5, ∂L/∂W = (y − t) NAMEᵀ = [[3, 3]], ∂L/∂NAME = Wᵀ (y − t) = [3, 6].
 */
export const NAMED_INPUT = {
  equations: ['L = 1/2 ||y - t||^2', `y = W ${NAME}`],
  values: { W: [[1, 2]], [NAME]: [1, 1], t: [0] },
  wrt: ['W', NAME],
};

/** What {@link NAMED_INPUT} computes, by hand. */
export const NAMED_INPUT_RESULT = { loss: 4.5, values: { y: [3], L: 4.5 }, gradients: { W: [[3, 3]], [NAME]: [3, 6] } };

/** Every place a request can hold a user's name, on every route. */
export const NAMED_REQUESTS: readonly NamedRequest[] = [
  { site: 'backprop: an input', method: 'POST', url: '/v1/backprop', body: json(NAMED_INPUT) },
  { site: 'backprop: an input, worked steps', method: 'POST', url: '/v1/backprop?steps=md&round=2', body: json(NAMED_INPUT) },
  { site: 'backprop: an input without a value', method: 'POST', url: '/v1/backprop', body: json({ ...NAMED_INPUT, values: { W: [[1, 2]], t: [0] }, wrt: ['W'] }) },
  { site: 'backprop: wrt, not in the equations', method: 'POST', url: '/v1/backprop', body: json({ ...q3, wrt: [NAME] }) },
  { site: 'backprop: values, not in the equations', method: 'POST', url: '/v1/backprop', body: json({ ...q3, values: { ...q3.values, [NAME]: 1 } }) },
  { site: 'backprop: a computed node', method: 'POST', url: '/v1/backprop', body: json({ equations: ['L = 1/2 ||y - t||^2', `y = ${NAME} + 0`, `${NAME} = W x`], values: { W: [[1, 2]], x: [1, 1], t: [0] }, wrt: ['W'] }) },
  { site: 'backprop: a function binding', method: 'POST', url: '/v1/backprop', body: json({ equations: ['L = 1/2 ||y - t||^2', `y = ${NAME}(W x)`], functions: { [NAME]: 'relu' }, values: { W: [[1, 2]], x: [1, 1], t: [0] }, wrt: ['W'] }) },
  { site: 'backprop: the loss', method: 'POST', url: '/v1/backprop', body: json({ ...q3, loss: NAME }) },
  { site: 'graph: an input, with gradients', method: 'POST', url: '/v1/graph?gradients=true', body: json({ equations: NAMED_INPUT.equations, wrt: [NAME] }) },
  { site: 'graph: an unbound function', method: 'POST', url: '/v1/graph?format=dot', body: json({ equations: [`L = ${NAME}(x)`] }) },
  { site: 'graph: a function binding', method: 'POST', url: '/v1/graph?format=mermaid', body: json({ equations: [`L = ${NAME}(x)`], functions: { [NAME]: 'sigmoid' } }) },
  { site: 'graph: a role, not in the equations', method: 'POST', url: '/v1/graph', body: json({ equations: ['L = W x'], roles: { [NAME]: 'parameter' } }) },
  { site: 'graph: a role', method: 'POST', url: '/v1/graph?format=dot', body: json({ equations: [`L = W ${NAME}`], roles: { [NAME]: 'parameter' } }) },
  { site: 'graph: the loss, defined', method: 'POST', url: '/v1/graph', body: json({ equations: [`${NAME} = 1/2 ||y - t||^2`, 'y = W x'], wrt: ['W'], loss: NAME }) },
  { site: 'graph: the loss, undefined', method: 'POST', url: '/v1/graph', body: json({ equations: ['L = 1/2 ||y - t||^2', 'y = W x'], loss: NAME }) },
  { site: 'gradcheck: an input', method: 'POST', url: '/v1/gradcheck', body: json({ problem: NAMED_INPUT }) },
  { site: 'gradcheck: wrt, not in the equations', method: 'POST', url: '/v1/gradcheck', body: json({ problem: { ...q3, wrt: [NAME] } }) },
  { site: 'gradcheck: values, not in the equations', method: 'POST', url: '/v1/gradcheck', body: json({ problem: { ...q3, values: { ...q3.values, [NAME]: [1] } } }) },
  { site: 'gradcheck: gradients, not a parameter', method: 'POST', url: '/v1/gradcheck', body: json({ problem: q3, gradients: { [NAME]: [[1]] } }) },
  { site: 'gradcheck: gradients of a parameter', method: 'POST', url: '/v1/gradcheck', body: json({ problem: NAMED_INPUT, gradients: { W: [[3, 3]], [NAME]: [3, 6] } }) },
  { site: 'check: submitted values and gradients, not in the problem', method: 'POST', url: '/v1/check', body: json({ problem: 'q3', submission: { values: { [NAME]: [1] }, gradients: { [NAME]: [[1]] } } }) },
  { site: 'check: a problem with the name', method: 'POST', url: '/v1/check?format=text', body: json({ problem: NAMED_INPUT, submission: { loss: 4.5, values: { y: [3] }, gradients: { W: [[3, 3]], [NAME]: [3, 7] } } }) },
  { site: 'check: the format', method: 'POST', url: `/v1/check?format=${NAME}`, body: json({ problem: 'q3', submission: {} }) },
  { site: 'variants: an input', method: 'POST', url: '/v1/variants', body: json({ problem: NAMED_INPUT, count: 1, seed: 1 }) },
  { site: 'solutions: the question', method: 'GET', url: `/v1/solutions/${NAME}` },
  { site: 'solutions: the format', method: 'GET', url: `/v1/solutions/q3?format=${NAME}` },
];

/** Puts a name into a request's text. */
export function withName(text: string, name: string): string {
  return text.replaceAll(NAME, name);
}

/** Hostile JSON texts: depth, valid or not, in the places the routes read. */
export interface DeepBody {
  label: string;
  text: string;
  /** 400 for text that is not JSON; 422 for JSON that does not fit the schema. */
  status: 400 | 422;
}

const DEPTH = 100_000;
const arrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
// `{"a":` is 5 bytes: 40 000 levels stay under the default body limit (256 KiB).
const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/**
 * Deep JSON for a route whose body is `{ …prefix, <at>: value }`.
 *
 * @example
 * deepBodies('{"equations": "L = x", "values": {"x": ', '}}');
 */
export function deepBodies(before: string, after: string): DeepBody[] {
  return [
    { label: `${DEPTH.toLocaleString('en')} nested arrays`, text: `${before}${arrays(DEPTH)}${after}`, status: 422 },
    { label: '40,000 nested objects', text: `${before}${objects(40_000)}${after}`, status: 422 },
    { label: `${DEPTH.toLocaleString('en')} nested arrays, truncated`, text: `${before}${'['.repeat(DEPTH)}`, status: 400 },
    { label: '50,000 nested objects, truncated', text: `${before}${'{"a":'.repeat(50_000)}`.slice(0, 250_000), status: 400 },
    { label: `${DEPTH.toLocaleString('en')} nested arrays, closed by a brace`, text: `${before}${'['.repeat(DEPTH)}}`, status: 400 },
  ];
}

/** The routes with a JSON body, and where in the body each reads a value of any shape. */
export const DEEP_SITES: readonly { url: string; before: string; after: string }[] = [
  { url: '/v1/backprop', before: '{"equations": "L = x", "values": {"x": ', after: '}}' },
  { url: '/v1/backprop', before: '', after: '' },
  { url: '/v1/graph', before: '{"equations": ', after: '}' },
  { url: '/v1/gradcheck', before: '{"problem": ', after: '}' },
  { url: '/v1/gradcheck', before: `{"problem": ${json(q3)}, "gradients": {"W1": `, after: '}}' },
  { url: '/v1/check', before: '{"problem": "q3", "submission": {"values": {"u1": ', after: '}}}' },
  { url: '/v1/check', before: '{"problem": ', after: ', "submission": {}}' },
  { url: '/v1/variants', before: '{"problem": {"equations": "L = x", "values": {"x": ', after: '}}}' },
];
