import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ChainruleError } from '@chainrule/tensor';
import { decodeUtf8, firstInvalidUtf8, parseJson } from './json.ts';

/** The error parseJson throws for `text` (fails the test when it does not throw a ChainruleError). */
function failure(text: string, source?: string): ChainruleError {
  try {
    parseJson(text, source);
  } catch (error) {
    expect(error).toBeInstanceOf(ChainruleError);
    return error as ChainruleError;
  }
  return expect.unreachable(`parsed: ${text.slice(0, 80)}`);
}

describe('parseJson', () => {
  it('parses valid JSON', () => {
    expect(parseJson('{"a": [1, 2]}')).toEqual({ a: [1, 2] });
    expect(parseJson('\uFEFF{"a": 1}')).toEqual({ a: 1 });
  });

  it('locates a syntax error by line and column', () => {
    const e = failure('{\n  "a": 1,\n  "b": }', 'p.json');
    expect(e.location).toEqual({ line: 3, column: 8 });
    expect(e.describe()).toMatch(/^line 3, column 8: p\.json is not valid JSON: value expected/);
    expect(e.status).toBe(400);
  });

  it.each([
    ['{"a": 1,}', 1, 9, /property name expected, found '}'/],
    ['[1, 2,]', 1, 7, /value expected, found '\]'/],
    ['{"a" 1}', 1, 6, /colon expected/],
    ['{"a": 1 "b": 2}', 1, 9, /comma or close brace expected/],
    ['[1 2]', 1, 4, /comma or close bracket expected/],
    ['{"a": 1} x', 1, 10, /end of input expected/],
    ['// note\n{}', 1, 1, /comments are not allowed/],
    ['{"a": tru}', 1, 7, /value expected, found 'tru'/],
    ['{"a": NaN}', 1, 7, /value expected, found 'NaN'/],
    ['["a\tb"]', 1, 2, /invalid character in a string/],
    ['["\\x"]', 1, 2, /invalid escape character/],
    ['[01]', 1, 3, /comma or close bracket expected/],
    ['', 1, 1, /unexpected end of input: value expected/],
    ['[1,\u00a02]', 1, 4, /value expected/],
  ])('%j: line %i, column %i', (text, line, column, message) => {
    const e = failure(text);
    expect(e.location).toEqual({ line, column });
    expect(e.message).toMatch(message);
  });

  it('locates truncated input at its end', () => {
    const e = failure('{"a": [1, 2', 'p.json');
    expect(e.location).toEqual({ line: 1, column: 12 });
    expect(e.message).toBe('p.json is not valid JSON: unexpected end of input: close bracket expected; 2 brackets or braces are not closed');
  });

  it('survives nesting of any depth, valid or truncated (no recursion)', () => {
    const depth = 100_000;
    let value = parseJson(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    for (let level = 1; level < depth; level++) value = (value as unknown[])[0];
    expect(value).toEqual([]);

    const arrays = failure('['.repeat(depth), 'deep.json');
    expect(arrays.location).toEqual({ line: 1, column: depth + 1 });
    expect(arrays.message).toMatch(/value or close bracket expected; 100000 brackets or braces are not closed/);

    const objects = failure('{"a":'.repeat(depth));
    expect(objects.location).toEqual({ line: 1, column: 5 * depth + 1 });
    expect(objects.status).toBe(400);

    const broken = failure(`${'{"a":['.repeat(depth)}1}`);
    expect(broken.location).toEqual({ line: 1, column: 6 * depth + 2 });
    expect(broken.message).toMatch(/comma or close bracket expected, found '}'/);
  });

  it('refuses a long broken text from one scan, without JSON.parse building a value first', () => {
    const parse = vi.spyOn(JSON, 'parse');
    try {
      for (const text of ['['.repeat(100_000), `${'{"a":'.repeat(50_000)}`, `${'['.repeat(100_000)}}`]) {
        expect(failure(text).status).toBe(400);
      }
      expect(parse).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
    }
  });

  it('with maxDepth, parses deeper containers as empty ones of their kind (and only those)', () => {
    expect(parseJson('[[[1, 2]], [3]]', 'input', { maxDepth: 2 })).toEqual([[[]], [3]]);
    expect(parseJson('{"a": {"b": {"c": 1}}, "d": [[1]]}', 'input', { maxDepth: 2 })).toEqual({ a: { b: {} }, d: [[]] });
    expect(parseJson('{"a": [1]}', 'input', { maxDepth: 2 })).toEqual({ a: [1] });
    // 100,000 levels: JSON.parse builds 65 levels (the object and 64 arrays) from a text of 135 characters.
    const parse = vi.spyOn(JSON, 'parse');
    let value: unknown;
    try {
      value = parseJson(`{"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 'input', { maxDepth: 64 });
      expect(parse).toHaveBeenCalledTimes(1);
      expect((parse.mock.calls[0]![0] as string).length).toBe('{"x": }'.length + 2 * 64);
    } finally {
      parse.mockRestore();
    }
    let level = (value as { x: unknown }).x;
    for (let depth = 2; depth <= 64; depth++) level = (level as unknown[])[0];
    expect(level).toEqual([]);
    // Faults are found and located as without maxDepth.
    const text = `${'['.repeat(70)}1 2${']'.repeat(70)}`;
    const e = failure(text);
    expect(() => parseJson(text, 'input', { maxDepth: 8 })).toThrow(e.message);
    expect(e.location).toEqual({ line: 1, column: 73 });
    expect(e.message).toBe("input is not valid JSON: comma or close bracket expected, found '2'");
  });

  it('with maxDepth, still refuses a key __proto__ deeper than it, with its whole path', () => {
    for (const key of ['__proto__', '\\u005f_proto__']) {
      const text = `{"x": ${'['.repeat(20_000)}{"${key}": 1}${']'.repeat(20_000)}}`;
      const e = (() => {
        try {
          parseJson(text, 'input', { maxDepth: 64 });
        } catch (error) {
          return error as ChainruleError;
        }
        return expect.unreachable('parsed');
      })();
      expect(e.status).toBe(422);
      expect(e.location.path).toEqual(['x', ...Array.from({ length: 19_999 }, () => 0), 0, '__proto__']);
    }
  });

  it('finds the same faults in a long text (scanned before JSON.parse) as in a short one', () => {
    const pieces = fc.constantFrom('{', '}', '[', ']', ',', ':', '"a"', '1', '-2.5e3', 'true', 'null', ' ', '\n', '"', 'x', '01', '\\', '/', '*', '-', '1.', '"\\u12"', '"\t"');
    const padding = ' '.repeat(20_000);
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        let expected: unknown;
        let valid = true;
        try {
          expected = JSON.parse(text);
        } catch {
          valid = false;
        }
        let long: unknown;
        try {
          long = parseJson(padding + text);
        } catch (error) {
          expect(valid).toBe(false);
          const short = failure(text);
          const { line, column } = (error as ChainruleError).location;
          expect((error as ChainruleError).message).toBe(short.message);
          expect({ line, column: line === 1 ? column! - padding.length : column }).toEqual(short.location);
          return;
        }
        expect(valid).toBe(true);
        expect(long).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with JSON.parse on what is valid, and every refusal is located inside the text', () => {
    const pieces = fc.constantFrom('{', '}', '[', ']', ',', ':', '"a"', '1', '-2.5e3', 'true', 'null', ' ', '\n', '"', 'x', '01', '\\');
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        let expected: unknown;
        let valid = true;
        try {
          expected = JSON.parse(text);
        } catch {
          valid = false;
        }
        if (valid) {
          expect(parseJson(text)).toEqual(expected);
          return;
        }
        const e = failure(text);
        const lines = text.split('\n');
        expect(e.location.line).toBeGreaterThanOrEqual(1);
        expect(e.location.line).toBeLessThanOrEqual(lines.length);
        expect(e.location.column).toBeLessThanOrEqual(lines[e.location.line! - 1]!.length + 1);
        expect(e.status).toBe(400);
      }),
      { numRuns: 2000 },
    );
  });

  it('locates every truncation of a valid document at or before its end', () => {
    const text = JSON.stringify({ equations: ['L = 1/2 ||y - t||^2', 'y = W x'], values: { W: [[1, -2.5e-3]], x: [true, null] } }, null, 2);
    for (let end = 0; end < text.length; end++) {
      const cut = text.slice(0, end);
      if (/^\s*\d*$/.test(cut) && cut.trim() !== '') continue; // a bare number prefix is valid JSON
      const e = failure(cut);
      const before = cut.split('\n');
      expect(e.location.line).toBeLessThanOrEqual(before.length);
    }
  });

  it('refuses a key __proto__ however it is spelled, with its JSON path', () => {
    for (const key of ['__proto__', '\\u005f_proto__', '__\\u0070roto__']) {
      const e = failure(`{"values": {"W": [[1]], "${key}": [1]}}`, 'p.json');
      expect(e.status).toBe(422);
      expect(e.location.path).toEqual(['values', '__proto__']);
      expect(e.message).toMatch(/'__proto__' is not allowed/);
    }
    expect(failure('[{"a": [{}, {"__proto__": {"x": 1}}]}]').location.path).toEqual([0, 'a', 1, '__proto__']);
    expect(failure(`${'['.repeat(50_000)}{"__proto__": 1}${']'.repeat(50_000)}`).location.path).toHaveLength(50_001);
  });

  it('keeps the other names of Object.prototype as ordinary own keys', () => {
    const value = parseJson('{"constructor": 1, "toString": [2], "hasOwnProperty": "x", "valueOf": null, "a\\\\u": 0}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'a\\u']);
    expect(value.constructor).toBe(1);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe('decodeUtf8', () => {
  it('decodes UTF-8, dropping a byte-order mark', () => {
    expect(decodeUtf8(Buffer.from('\uFEFF{"ŷ": "‖y − t‖²"}'))).toBe('{"ŷ": "‖y − t‖²"}');
  });

  it('names the first byte that is not UTF-8, with its line and column', () => {
    const e = (() => {
      try {
        decodeUtf8(Buffer.from('{"a": 1,\n "caf\u00e9": 2}', 'latin1'), 'p.json');
      } catch (error) {
        return error as ChainruleError;
      }
      return expect.unreachable();
    })();
    expect(e).toBeInstanceOf(ChainruleError);
    expect(e.describe()).toBe('line 2, column 6: p.json is not UTF-8: byte 14 (0xe9) starts no UTF-8 character; save or send it as UTF-8');
    expect(e.status).toBe(400);
  });
});

describe('firstInvalidUtf8', () => {
  it('agrees with a strict decoder on short byte strings, and points at the first bad byte', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const decodes = (array: Uint8Array) => {
      try {
        strict.decode(array);
        return true;
      } catch {
        return false;
      }
    };
    // Every boundary of RFC 3629's table: leads, continuation limits, overlong and surrogate edges.
    const bytes = [0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    const cases: number[][] = [[]];
    for (let length = 1; length <= 3; length++) for (const prefix of cases.filter((c) => c.length === length - 1)) for (const byte of bytes) cases.push([...prefix, byte]);
    for (const four of [[0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf0, 0x90, 0x80, 0x41], [0x41, 0xf0, 0x90, 0x80]]) cases.push(four);
    const wrong: string[] = [];
    for (const bytesOfCase of cases) {
      const array = Uint8Array.from(bytesOfCase);
      const at = firstInvalidUtf8(array);
      // Valid: the end. Invalid: everything before the fault decodes, from the fault on nothing does.
      const right = decodes(array) ? at === array.length : at < array.length && decodes(array.subarray(0, at)) && !decodes(array.subarray(at));
      if (!right) wrong.push(`${bytesOfCase.map((b) => b.toString(16)).join(' ')} → ${at}`);
    }
    expect(wrong).toEqual([]);
    expect(cases.length).toBe(1 + 18 + 18 ** 2 + 18 ** 3 + 6);
  });
});
