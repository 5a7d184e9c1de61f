import { describe, expect, it } from 'vitest';
import { ChainruleError } from '@chainrule/tensor';
import { parseJson } from './json.ts';

describe('parseJson', () => {
  it('parses valid JSON', () => {
    expect(parseJson('{"a": [1, 2]}')).toEqual({ a: [1, 2] });
  });
  it('locates a syntax error by line and column', () => {
    try {
      parseJson('{\n  "a": 1,\n  "b": }', 'p.json');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ChainruleError);
      const e = error as ChainruleError;
      expect(e.location).toEqual({ line: 3, column: 8 });
      expect(e.describe()).toMatch(/^line 3, column 8: p\.json is not valid JSON/);
      expect(e.status).toBe(400);
    }
  });
  it('locates truncated input at its end', () => {
    expect(() => parseJson('{"a": [1, 2', 'p.json')).toThrow(ChainruleError);
  });
});
