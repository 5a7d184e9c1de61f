import { ChainruleError } from '@chainrule/tensor';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { parseProblem, problemSchema, valueSchema } from './problem.ts';
import { explainIssue, fromZodError, prefixPath } from './validation.ts';

const firstIssue = (schema: z.ZodType, value: unknown) => explainIssue(schema.safeParse(value).error!.issues[0]!);
const VALUE_FORMS = 'expected a number, a vector (array of numbers) or a matrix (array of rows)';

describe('explainIssue', () => {
  it('narrows a failed value to the form it meant: a matrix with a bad row is a matrix', () => {
    expect(firstIssue(valueSchema, [[1, 2], 'row'])).toEqual({ path: [1], message: `${VALUE_FORMS}: Invalid input: expected array, received string` });
    expect(firstIssue(valueSchema, [1, 'two'])).toEqual({ path: [1], message: `${VALUE_FORMS}: Invalid input: expected number, received string` });
    expect(firstIssue(valueSchema, 'abc')).toEqual({ path: [], message: VALUE_FORMS });
  });

  it('names unknown fields, one or several', () => {
    expect(firstIssue(problemSchema, { equations: 'y = x', weights: 1 })).toEqual({ path: ['weights'], message: "unknown field 'weights'" });
    expect(firstIssue(problemSchema, { equations: 'y = x', a: 1, b: 2 })).toEqual({ path: ['a'], message: "unknown fields 'a', 'b'" });
  });

  it('lists the forms of a union without a description of its own', () => {
    const union = z.union([z.literal('q1'), z.object({ a: z.number() })]);
    expect(firstIssue(union, 'q2').message).toMatch(/^none of the allowed forms: .*; or /);
    expect(firstIssue(union, { a: 'x' })).toEqual({ path: ['a'], message: 'Invalid input: expected number, received string' });
  });
});

describe('fromZodError', () => {
  it('is a problem error at the JSON path of the first fault, under the prefix', () => {
    const error = fromZodError(problemSchema.safeParse({ equations: 'y = W x', values: { W: [[1], 'row'] } }).error!, ['problem']);
    expect(error).toBeInstanceOf(ChainruleError);
    expect(error).toMatchObject({ code: 'problem', status: 422, location: { path: ['problem', 'values', 'W', 1] } });
    expect(error.describe()).toBe(`problem.values.W[1]: ${VALUE_FORMS}: Invalid input: expected array, received string`);
  });
});

describe('prefixPath', () => {
  it('moves a located error under a part of the request and keeps its extra members', () => {
    const error = Object.assign(new ChainruleError('limit', 'too big', { path: ['values', 'W'] }), { extensions: { limit: 10 } });
    const moved = prefixPath(error, ['problem']) as ChainruleError & { extensions: unknown };
    expect(moved).toMatchObject({ code: 'limit', status: 413, location: { path: ['problem', 'values', 'W'] }, extensions: { limit: 10 } });
  });

  it('leaves errors without a path, and other values, as they are', () => {
    const lineOnly = new ChainruleError('parse', "expected ')'", { line: 2, column: 3 });
    expect(prefixPath(lineOnly, ['problem'])).toBe(lineOnly);
    const plain = new Error('x');
    expect(prefixPath(plain, ['problem'])).toBe(plain);
  });
});

describe('parseProblem with an own key __proto__', () => {
  it('refuses it with a 422 naming it at its JSON path, wherever it is (JSON.parse keeps it own; validation would drop it)', () => {
    const refused = (text: string) => {
      try {
        parseProblem(JSON.parse(text));
      } catch (error) {
        return error as ChainruleError;
      }
      throw new Error(`accepted ${text}`);
    };
    for (const [text, path] of [
      ['{"equations": "L = x", "values": {"x": 1, "__proto__": 2}}', ['values', '__proto__']],
      ['{"equations": "L = f(x)", "functions": {"__proto__": "relu"}, "values": {"x": 1}}', ['functions', '__proto__']],
      ['{"__proto__": {"equations": "L = x"}, "equations": "L = x"}', ['__proto__']],
    ] as const) {
      const error = refused(text);
      expect(error).toBeInstanceOf(ChainruleError);
      expect({ status: error.status, path: error.location.path }).toEqual({ status: 422, path });
      expect(error.message).toContain("'__proto__'");
    }
    // The twin of the name is an ordinary one.
    expect(parseProblem(JSON.parse('{"equations": "L = x", "values": {"x": 1, "__pqoto__": 2}}')).values).toHaveProperty('__pqoto__', 2);
  });
});
