/**
 * The common case of validation by hand: a plain problem file that is valid as it is (what the
 * CLI, the API and the benches send again and again) is accepted in one pass over it, with the
 * same output as `problemSchema` — anything else goes to the schema, which names the fault. It
 * accepts no object with an own key `__proto__` (`parseProblem` refuses those by name).
 */
import { functionOp } from '@chainrule/graph';
import type { Problem } from './problem.ts';

type Value = Problem['values'][string];

const ROLES: ReadonlySet<unknown> = new Set(['input', 'parameter', 'target']);

/** An object of its own (not an array, a class instance, …) without an own key `__proto__`, enumerable or not. */
const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Object.hasOwn(value, '__proto__')) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function numbers(value: unknown): number[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const copy = new Array<number>(value.length);
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i];
    if (!isFiniteNumber(entry)) return undefined;
    copy[i] = entry;
  }
  return copy;
}

/** A number, a vector or a matrix as `valueSchema` reads it (the first of its forms that fits). */
function valueOf(value: unknown): Value | undefined {
  if (isFiniteNumber(value)) return value;
  if (!Array.isArray(value)) return undefined;
  const vector = numbers(value);
  if (vector) return vector;
  const rows = new Array<number[]>(value.length);
  for (let i = 0; i < value.length; i++) {
    const row = numbers(value[i]);
    if (!row) return undefined;
    rows[i] = row;
  }
  return rows;
}

function strings(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const copy = new Array<string>(value.length);
  for (let i = 0; i < value.length; i++) {
    const entry: unknown = value[i];
    if (typeof entry !== 'string') return undefined;
    copy[i] = entry;
  }
  return copy;
}

/** A record whose every own value `entry` accepts, copied; undefined for anything else. */
function record<T>(value: unknown, entry: (v: unknown) => T | undefined): Record<string, T> | undefined {
  if (!isPlainObject(value)) return undefined;
  const copy: Record<string, T> = {};
  for (const key of Object.keys(value)) {
    const accepted = entry(value[key]);
    if (accepted === undefined) return undefined;
    copy[key] = accepted;
  }
  return copy;
}

const functionName = (v: unknown): string | undefined => (typeof v === 'string' && functionOp(v) !== undefined ? v : undefined);
const role = (v: unknown) => (ROLES.has(v) ? (v as 'input' | 'parameter' | 'target') : undefined);

/**
 * The problem `problemSchema` makes of `input` when `input` is a plain object holding a valid
 * problem and nothing else (same fields, same defaults, in the schema's order); undefined
 * otherwise — then the schema decides, and explains.
 *
 * @example
 * acceptedProblem({ equations: 'y = W x', values: { W: [[1]], x: [2] } }); // { equations: 'y = W x', values: { W: [[1]], x: [2] }, wrt: [] }
 * acceptedProblem({ equations: 3 });                                       // undefined
 */
export function acceptedProblem(input: unknown): Problem | undefined {
  if (!isPlainObject(input)) return undefined;
  let known = 0;
  for (const key of ['equations', 'functions', 'values', 'wrt', 'roles', 'loss']) if (Object.hasOwn(input, key)) known++;
  if (known !== Object.keys(input).length || !Object.hasOwn(input, 'equations')) return undefined;
  const equations = typeof input.equations === 'string' ? input.equations : strings(input.equations);
  if (equations === undefined) return undefined;
  // Built in the schema's order of fields, as the schema builds its output.
  const problem = { equations } as Problem;
  if (Object.hasOwn(input, 'functions')) {
    const functions = record(input.functions, functionName);
    if (functions === undefined) return undefined;
    problem.functions = functions;
  }
  const values = Object.hasOwn(input, 'values') ? record(input.values, valueOf) : {};
  if (values === undefined) return undefined;
  problem.values = values;
  const wrt = Object.hasOwn(input, 'wrt') ? strings(input.wrt) : [];
  if (wrt === undefined) return undefined;
  problem.wrt = wrt;
  if (Object.hasOwn(input, 'roles')) {
    const roles = record(input.roles, role);
    if (roles === undefined) return undefined;
    problem.roles = roles;
  }
  if (Object.hasOwn(input, 'loss')) {
    if (typeof input.loss !== 'string') return undefined;
    problem.loss = input.loss;
  }
  return problem;
}
