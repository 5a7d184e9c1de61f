import { createScanner } from 'jsonc-parser';
import { ChainruleError } from '@chainrule/tensor';

/**
 * Parses strict JSON with errors that say where: the line and column of the first syntax error
 * (Node's `JSON.parse` often reports no position at all). Any depth of nesting is safe, valid or
 * not: `JSON.parse` (iterative in V8) builds the value, and a failure is located by an iterative
 * scan — jsonc-parser's own `parse` recurses once per level and overflows the stack on deep input.
 *
 * A key `__proto__` is refused (status 422, with its JSON path): no chainrule name can be
 * `__proto__`, schema validation would drop it silently, and copying it into an object with `=`
 * or `Object.assign` would replace that object's prototype.
 *
 * @example
 * parseJson('{"a": 1,}', 'problem.json'); // throws: line 1, column 9: problem.json is not valid JSON: property name expected
 * parseJson('{"values": {"__proto__": 1}}'); // throws: values.__proto__: input: a key '__proto__' is not allowed …
 */
export function parseJson(text: string, source = 'input'): unknown {
  // A byte-order mark is not JSON, but editors on Windows write one.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw syntaxError(json, source, error);
  }
  // Every spelling of the key `__proto__` holds the word itself or an escape.
  if (json.includes('__proto__') || json.includes('\\u')) refuseProtoKeys(value, source);
  return value;
}

/** The error for text `JSON.parse` refused: where the scan finds the first fault, else where V8 says. */
function syntaxError(json: string, source: string, parseError: unknown): ChainruleError {
  const fault = firstSyntaxFault(json) ?? v8Fault(json, parseError);
  const before = json.slice(0, fault.offset);
  const line = before.split('\n').length;
  const column = fault.offset - before.lastIndexOf('\n');
  return new ChainruleError('problem', `${source} is not valid JSON: ${fault.message}`, { line, column }, { status: 400 });
}

interface Fault {
  offset: number;
  message: string;
}

// jsonc-parser's `SyntaxKind` and `ScanError` are `const enum`s, which isolated modules cannot import.
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const COMMA = 5;
const COLON = 6;
const NULL = 7;
const TRUE = 8;
const FALSE = 9;
const STRING = 10;
const NUMBER = 11;
const LINE_COMMENT = 12;
const BLOCK_COMMENT = 13;
const LINE_BREAK = 14;
const WHITESPACE = 15;
const EOF = 17;

const SCAN_ERRORS: Record<number, string> = {
  1: 'unexpected end of comment',
  2: 'unexpected end of string',
  3: 'invalid number format',
  4: 'invalid unicode escape',
  5: 'invalid escape character',
  6: 'invalid character in a string',
};

/** What the grammar expects next. */
type Expect = 'value' | 'value-or-close' | 'key' | 'key-or-close' | 'colon' | 'comma-or-close';

const EXPECTED: Record<Expect, string> = {
  value: 'value expected',
  'value-or-close': 'value or close bracket expected',
  key: 'property name expected',
  'key-or-close': 'property name or close brace expected',
  colon: 'colon expected',
  'comma-or-close': 'comma expected',
};

/**
 * The first fault of strict JSON, scanned token by token with an explicit stack of open
 * containers (no recursion), or undefined when the scan finds none.
 */
function firstSyntaxFault(json: string): Fault | undefined {
  const scanner = createScanner(json, false);
  const open: number[] = [];
  let expect: Expect = 'value';
  const token = () => json.slice(scanner.getTokenOffset(), scanner.getTokenOffset() + scanner.getTokenLength());
  for (;;) {
    const kind = scanner.scan();
    const offset = scanner.getTokenOffset();
    const scanError = scanner.getTokenError();
    if (scanError !== 0) return { offset, message: SCAN_ERRORS[scanError] ?? 'invalid token' };
    if (kind === WHITESPACE || kind === LINE_BREAK) continue;
    if (kind === LINE_COMMENT || kind === BLOCK_COMMENT) return { offset, message: 'comments are not allowed' };
    if (kind === EOF) {
      if (open.length === 0 && expect === 'comma-or-close') return undefined;
      const unclosed = open.length === 0 ? '' : `; ${open.length} ${open.length === 1 ? 'bracket or brace is' : 'brackets or braces are'} not closed`;
      const wanted = expect === 'comma-or-close' ? `${open.at(-1) === CLOSE_BRACE ? 'close brace' : 'close bracket'} expected` : EXPECTED[expect];
      return { offset, message: `unexpected end of input: ${wanted}${unclosed}` };
    }
    switch (expect) {
      case 'value':
      case 'value-or-close':
        if (kind === CLOSE_BRACKET && expect === 'value-or-close') {
          open.pop();
          expect = 'comma-or-close';
        } else if (kind === OPEN_BRACE) {
          open.push(CLOSE_BRACE);
          expect = 'key-or-close';
        } else if (kind === OPEN_BRACKET) {
          open.push(CLOSE_BRACKET);
          expect = 'value-or-close';
        } else if (kind === STRING || kind === NUMBER || kind === TRUE || kind === FALSE || kind === NULL) {
          expect = 'comma-or-close';
        } else {
          return { offset, message: unexpected(token(), EXPECTED[expect]) };
        }
        break;
      case 'key':
      case 'key-or-close':
        if (kind === CLOSE_BRACE && expect === 'key-or-close') {
          open.pop();
          expect = 'comma-or-close';
        } else if (kind === STRING) {
          expect = 'colon';
        } else {
          return { offset, message: unexpected(token(), EXPECTED[expect]) };
        }
        break;
      case 'colon':
        if (kind !== COLON) return { offset, message: unexpected(token(), EXPECTED.colon) };
        expect = 'value';
        break;
      case 'comma-or-close': {
        const closer = open.at(-1);
        if (closer === undefined) return { offset, message: unexpected(token(), 'end of input expected') };
        if (kind === COMMA) {
          expect = closer === CLOSE_BRACE ? 'key' : 'value';
        } else if (kind === closer) {
          open.pop();
        } else {
          return { offset, message: unexpected(token(), `comma or ${closer === CLOSE_BRACE ? 'close brace' : 'close bracket'} expected`) };
        }
        break;
      }
    }
  }
}

function unexpected(token: string, expected: string): string {
  const shown = token.length > 20 ? `${token.slice(0, 20)}…` : token;
  return `${expected}, found '${shown}'`;
}

/** Where V8 located the fault, for the few texts the scanner accepts (e.g. a no-break space between tokens). */
function v8Fault(json: string, error: unknown): Fault {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  const offset = position ? Math.min(Number(position[1]), json.length) : 0;
  const words = message.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
  return { offset, message: words.charAt(0).toLowerCase() + words.slice(1) };
}

/** A node of the walk: a value and where it is (a parent link, so paths are built only for a fault). */
interface Visit {
  value: unknown;
  parent: Visit | undefined;
  key: string | number | undefined;
}

/**
 * Throws for the first own key `__proto__`, walking with an explicit stack (any depth): for JSON
 * text and for objects handed to `parseProblem`, whose validation would drop such a key silently.
 */
export function refuseProtoKeys(root: unknown, source: string): void {
  const stack: Visit[] = [{ value: root, parent: undefined, key: undefined }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { value } = visit;
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) if (typeof value[i] === 'object' && value[i] !== null) stack.push({ value: value[i], parent: visit, key: i });
      continue;
    }
    if (Object.hasOwn(value, '__proto__')) {
      const path: (string | number)[] = ['__proto__'];
      for (let at: Visit | undefined = visit; at?.key !== undefined; at = at.parent) path.push(at.key);
      path.reverse();
      throw new ChainruleError('problem', `${source}: a key '__proto__' is not allowed (no name can be '__proto__')`, { path }, { status: 422 });
    }
    const entries = Object.entries(value);
    for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], parent: visit, key: entries[i]![0] });
  }
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes UTF-8 strictly: bytes that are not UTF-8 (Latin-1 text, say) are an error naming the
 * first bad byte with its line and column, instead of characters silently replaced by U+FFFD —
 * which would change names. A byte-order mark is dropped.
 *
 * @example
 * decodeUtf8(fs.readFileSync('problem.json'), 'problem.json');
 * decodeUtf8(Buffer.from('"café"', 'latin1')); // throws: line 1, column 5: input is not UTF-8: byte 4 (0xe9) starts no UTF-8 character
 */
export function decodeUtf8(bytes: Uint8Array, source = 'input'): string {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8(bytes);
    const before = new TextDecoder().decode(bytes.subarray(0, offset));
    const line = before.split('\n').length;
    const column = before.length - before.lastIndexOf('\n');
    const byte = bytes[offset]!.toString(16).padStart(2, '0');
    throw new ChainruleError('problem', `${source} is not UTF-8: byte ${offset} (0x${byte}) starts no UTF-8 character; save or send it as UTF-8`, { line, column }, { status: 400 });
  }
}

/**
 * The offset of the first byte that starts no valid UTF-8 character (RFC 3629: no overlong forms,
 * no surrogates, nothing past U+10FFFF, no character cut off at the end); `bytes.length` if all are valid.
 *
 * @example
 * firstInvalidUtf8(Buffer.from('café', 'latin1')); // 3
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // The length of the sequence, and the range its second byte must be in.
    let length: number;
    let [low, high] = [0x80, 0xbf];
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0; // overlong
      if (lead === 0xed) high = 0x9f; // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90; // overlong
      if (lead === 0xf4) high = 0x8f; // past U+10FFFF
    } else return i;
    if (i + length > bytes.length) return i;
    for (let k = 1; k < length; k++) {
      const byte = bytes[i + k]!;
      if (k === 1 ? byte < low || byte > high : byte < 0x80 || byte > 0xbf) return i;
    }
    i += length;
  }
  return bytes.length;
}
