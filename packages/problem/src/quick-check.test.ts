import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProblem, problemSchema } from './problem.ts';
import { acceptedProblem } from './quick-check.ts';

/** The schema's verdict as the one reference: whatever the quick check accepts, the schema accepts as the same problem. */
function agreesWithSchema(input: unknown): boolean {
  const quick = acceptedProblem(input);
  const parsed = problemSchema.safeParse(input);
  if (quick === undefined) return parsed.success;
  expect(parsed.success).toBe(true);
  // Same fields, same values, same order of keys at every level.
  expect(JSON.stringify(quick)).toBe(JSON.stringify(parsed.data));
  // (toStrictEqual compares `constructor` members, which a value may be named.)
  expect(quick).toEqual(parsed.data);
  for (const key of ['functions', 'values', 'roles'] as const) {
    expect(Object.hasOwn(quick, key)).toBe(Object.hasOwn(parsed.data!, key));
    if (quick[key]) expect(Object.getPrototypeOf(quick[key])).toBe(Object.getPrototypeOf(parsed.data![key]));
  }
  return true;
}

const name = fc.constantFrom('W', 'x', 'ŷ', 'W1', 'constructor', 'toString', 'hasOwnProperty', '0', '10', 'u_1');
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0.1, -0, Number.NaN, Number.POSITIVE_INFINITY));
const value = fc.oneof(
  number,
  fc.array(number, { maxLength: 4 }),
  fc.array(fc.array(number, { maxLength: 3 }), { maxLength: 3 }),
  fc.constantFrom('1', null, [[1], 2], [1, [2]], { a: 1 }, [[[1]]], true),
);
const field = {
  equations: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.constantFrom(3, null, ['y = x', 4])),
  functions: fc.dictionary(name, fc.oneof(fc.constantFrom('relu', 'ReLU', 'sigmoid', 'tanh', 'SIGMOID', 'relux', 'max', 'f'), fc.integer())),
  values: fc.dictionary(name, value, { maxKeys: 4 }),
  wrt: fc.oneof(fc.array(name, { maxLength: 3 }), fc.constantFrom('W', [1])),
  roles: fc.dictionary(name, fc.constantFrom('input', 'parameter', 'target', 'weight', 1)),
  loss: fc.oneof(name, fc.integer()),
  title: fc.string(),
};
const problems = fc.record(field, { requiredKeys: [] });
const validProblems = fc.record(
  {
    equations: fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 })),
    functions: fc.dictionary(name, fc.constantFrom('relu', 'ReLU', 'sigmoid', 'Tanh')),
    values: fc.dictionary(name, fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.array(fc.integer(), { maxLength: 3 }), fc.array(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 3 }), { maxLength: 3 }))),
    wrt: fc.array(name, { maxLength: 3 }),
    roles: fc.dictionary(name, fc.constantFrom('input', 'parameter', 'target')),
    loss: name,
  },
  { requiredKeys: ['equations'] },
);

describe('acceptedProblem', () => {
  it('accepts only what the schema accepts, as the same problem (fields, defaults, key order)', () => {
    fc.assert(fc.property(problems, (input) => agreesWithSchema(input) || true), { numRuns: 1500 });
    fc.assert(fc.property(fc.anything(), (input) => agreesWithSchema(input) || true), { numRuns: 500 });
  });

  it('accepts every valid plain problem (the common case stays quick)', () => {
    fc.assert(
      fc.property(validProblems, (input) => {
        expect(acceptedProblem(input)).toBeDefined();
        agreesWithSchema(input);
      }),
      { numRuns: 800 },
    );
  });

  it('leaves anything unusual to the schema: an inherited field, an unknown field, a hole, a key __proto__, a non-finite number', () => {
    const inherited = Object.create({ equations: 'y = x' }) as object;
    const holes: number[] = [1];
    holes[2] = 3;
    const proto = JSON.parse('{"equations": "y = x", "values": {"__proto__": 1}}') as unknown;
    // An own `__proto__` that Object.keys does not list: parseProblem must still see it and name it.
    const hidden = { equations: 'y = x', values: { x: 1 } };
    Object.defineProperty(hidden.values, '__proto__', { value: 2, enumerable: false });
    const hiddenTop = { equations: 'y = x' };
    Object.defineProperty(hiddenTop, '__proto__', { value: 2, enumerable: false });
    expect(() => parseProblem(hidden)).toThrow(expect.objectContaining({ location: expect.objectContaining({ path: ['values', '__proto__'] }) }));
    expect(() => parseProblem(hiddenTop)).toThrow(expect.objectContaining({ location: expect.objectContaining({ path: ['__proto__'] }) }));
    for (const input of [
      hidden,
      hiddenTop,
      inherited,
      { equations: 'y = x', title: 'Q3' },
      { equations: 'y = x', values: { x: holes } },
      { equations: 'y = x', functions: undefined },
      proto,
      { equations: 'y = x', values: { x: Number.NaN } },
      { equations: 'y = x', values: { x: [1, Number.POSITIVE_INFINITY] } },
      new (class Problem { equations = 'y = x'; })(),
      ['y = x'],
    ]) {
      expect(acceptedProblem(input)).toBeUndefined();
    }
    const copied = acceptedProblem({ equations: 'y = x', values: { constructor: [1, 2] } })!;
    expect(Object.hasOwn(copied.values, 'constructor')).toBe(true);
    expect(Object.getPrototypeOf(copied.values)).toBe(Object.prototype);
  });
});
