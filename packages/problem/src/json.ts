import { ChainruleError } from '@chainrule/tensor';

/**
 * Parses strict JSON with errors that say where: the line and column of the first syntax error
 * (Node's `JSON.parse` often reports no position at all). Any depth of nesting is safe, valid or
 * not, and cheap to refuse: a text nested more than 64 levels deep is first scanned once,
 * character by character with an explicit stack of open containers (no recursion, no tokens
 * built), which finds the first fault without `JSON.parse` building (and throwing away) a value
 * first.
 *
 * With `maxDepth`, containers nested deeper are parsed as empty ones of their kind (`[]`, `{}`):
 * for a caller whose schema reads no deeper (the API reads 64 levels), validation finds
 * the same first fault at the same JSON path, and 100,000 nested arrays cost a scan instead of
 * 100,000 arrays built and collected (~20 ms).
 *
 * A key `__proto__` is refused (status 422, with its JSON path), at any depth: no chainrule name
 * can be `__proto__`, schema validation would drop it silently, and copying it into an object
 * with `=` or `Object.assign` would replace that object's prototype.
 *
 * @example
 * parseJson('{"a": 1,}', 'problem.json'); // throws: line 1, column 9: problem.json is not valid JSON: property name expected
 * parseJson('{"values": {"__proto__": 1}}'); // throws: values.__proto__: input: a key '__proto__' is not allowed …
 * parseJson('[[[1]]]', 'input', { maxDepth: 2 }); // [[[]]]
 */
export function parseJson(text: string, source = 'input', options: { maxDepth?: number } = {}): unknown {
  // A byte-order mark is not JSON, but editors on Windows write one.
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const maxDepth = options.maxDepth ?? Infinity;
  let value: unknown;
  if (!nestsDeeper(json, Math.min(maxDepth, SCAN_FIRST_DEPTH))) {
    // Shallow: JSON.parse at once, the scan paid only for a fault.
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw syntaxError(json, source, scanJson(json, maxDepth).fault ?? v8Fault(json, error));
    }
  } else {
    const scan = scanJson(json, maxDepth);
    if (scan.fault) throw syntaxError(json, source, scan.fault);
    try {
      value = JSON.parse(scan.deep.length > 0 && !scan.deepProtoKey ? withoutDeepContents(json, scan.deep) : json);
    } catch (error) {
      throw syntaxError(json, source, v8Fault(json, error));
    }
  }
  // Every spelling of the key `__proto__` holds the word itself or an escape.
  if (json.includes('__proto__') || json.includes('\\u')) refuseProtoKeys(value, source);
  return value;
}

/** Texts nested deeper than this are scanned before JSON.parse (which would build their values first, even to fail). */
const SCAN_FIRST_DEPTH = 64;

/**
 * Whether valid JSON text nests containers deeper than `depth` (for other text, any answer):
 * brackets and braces counted outside strings, in one loop as tight as a loop over a string is.
 */
function nestsDeeper(json: string, depth: number): boolean {
  if (fewerOpeningsThan(json, depth + 1)) return false;
  let level = 0;
  for (let i = 0; i < json.length; i++) {
    const kind = STRUCTURE[json.charCodeAt(i)];
    if (kind === undefined || kind === 0) continue;
    if (kind === 1) {
      if (++level > depth) return true;
    } else if (kind === 2) {
      level--;
    } else {
      for (i++; i < json.length; i++) {
        const inside = json.charCodeAt(i);
        if (inside === 92) i++;
        else if (inside === 34) break;
      }
    }
  }
  return false;
}

/**
 * Whether the text holds fewer than `count` brackets and braces that open, strings included: then
 * it cannot nest `count` deep. Most problem files answer here, by the engine's character search.
 */
function fewerOpeningsThan(json: string, count: number): boolean {
  let seen = 0;
  for (let i = json.indexOf('['); i !== -1; i = json.indexOf('[', i + 1)) if (++seen >= count) return false;
  for (let i = json.indexOf('{'); i !== -1; i = json.indexOf('{', i + 1)) if (++seen >= count) return false;
  return true;
}

/** What {@link nestsDeeper} looks for, by character code: 1 opens, 2 closes, 3 starts a string. */
const STRUCTURE = new Uint8Array(128);
STRUCTURE[91] = STRUCTURE[123] = 1;
STRUCTURE[93] = STRUCTURE[125] = 2;
STRUCTURE[34] = 3;

/** The error for text that is not JSON, at the fault. */
function syntaxError(json: string, source: string, fault: Fault): ChainruleError {
  let line = 1;
  let lineStart = 0;
  for (let i = json.indexOf('\n'); i !== -1 && i < fault.offset; i = json.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return new ChainruleError('problem', `${source} is not valid JSON: ${fault.message}`, { line, column: fault.offset - lineStart + 1 }, { status: 400 });
}

interface Fault {
  offset: number;
  message: string;
}

/** What {@link scanJson} found: the first fault, or the containers to parse as empty. */
interface Scan {
  fault?: Fault;
  /** Offsets of the containers opened at depth `maxDepth + 1` and of their closers. */
  deep: number[];
  /** A key `__proto__` deeper than that: the value is parsed whole, so that it is refused where it is. */
  deepProtoKey: boolean;
}

/** The text with every deep container emptied (the scan found the text valid). */
function withoutDeepContents(json: string, deep: readonly number[]): string {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < deep.length; i += 2) {
    parts.push(json.slice(from, deep[i]! + 1));
    from = deep[i + 1]!;
  }
  parts.push(json.slice(from));
  return parts.join('');
}

const SCAN_ERRORS: Record<number, string> = {
  1: 'unexpected end of comment',
  2: 'unexpected end of string',
  3: 'invalid number format',
  4: 'invalid unicode escape',
  5: 'invalid escape character',
  6: 'invalid character in a string',
};

// Token kinds.
const OPEN_BRACE = 1;
const CLOSE_BRACE = 2;
const OPEN_BRACKET = 3;
const CLOSE_BRACKET = 4;
const COMMA = 5;
const COLON = 6;
const LITERAL = 7;
const STRING = 10;
const NUMBER = 11;
const COMMENT = 12;
const UNKNOWN = 16;
const EOF = 17;

// What the grammar expects next.
const VALUE = 0;
const VALUE_OR_CLOSE = 1;
const KEY = 2;
const KEY_OR_CLOSE = 3;
const COLON_NEXT = 4;
const COMMA_OR_CLOSE = 5;

const EXPECTED = ['value expected', 'value or close bracket expected', 'property name expected', 'property name or close brace expected', 'colon expected', 'comma expected'];

const isDigit = (code: number) => code >= 48 && code <= 57;
const isHex = (code: number) => (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
/** Characters that end a run of unknown content (a misspelt literal: `tru`, `NaN`), the end of the text (NaN) included. */
const endsUnknown = (code: number) =>
  code === 32 || code === 9 || code === 10 || code === 13 || code === 123 || code === 125 || code === 91 || code === 93 || code === 34 || code === 58 || code === 44 || code === 47 || code !== code;

/** Whether the string token at `offset` is the key `__proto__`, spelt out or with escapes. */
function isProtoKey(text: string, offset: number, end: number): boolean {
  if (end - offset < 11) return false;
  const token = text.slice(offset, end);
  // The scan found the string valid: JSON.parse reads its escapes.
  return token === '"__proto__"' || (token.includes('\\') && JSON.parse(token) === '__proto__');
}

/**
 * The first fault of strict JSON and the containers nested deeper than `maxDepth`, in one pass
 * over the character codes with an explicit stack of open containers (no recursion, no token
 * values built). Tokens end, and are faulted, where jsonc-parser's scanner ends and faults them
 * (its words are the messages users have seen): white space is spaces, tabs and line breaks; a
 * run of other characters up to a delimiter is one token (`tru`, `NaN`).
 */
function scanJson(json: string, maxDepth: number): Scan {
  const length = json.length;
  // The closer of each open container; grown by doubling.
  let open = new Uint8Array(64);
  let depth = 0;
  const deep: number[] = [];
  let deepProtoKey = false;
  let expect = VALUE;
  let pos = 0;
  let start = 0;
  let error = 0;
  const fault = (message: string): Scan => ({ fault: { offset: start, message }, deep, deepProtoKey });
  const unexpectedToken = (expected: string) => fault(unexpected(json.slice(start, pos), expected));
  for (;;) {
    // The next token: its kind, from `start` to `pos`, with `error`.
    let code = json.charCodeAt(pos);
    while (code === 32 || code === 10 || code === 13 || code === 9) code = json.charCodeAt(++pos);
    start = pos;
    let kind: number;
    if (pos >= length) kind = EOF;
    else {
      pos++;
      switch (code) {
        case 123:
          kind = OPEN_BRACE;
          break;
        case 125:
          kind = CLOSE_BRACE;
          break;
        case 91:
          kind = OPEN_BRACKET;
          break;
        case 93:
          kind = CLOSE_BRACKET;
          break;
        case 58:
          kind = COLON;
          break;
        case 44:
          kind = COMMA;
          break;
        case 34:
          kind = STRING;
          for (;;) {
            if (pos >= length) {
              error = 2;
              break;
            }
            const char = json.charCodeAt(pos);
            if (char === 34) {
              pos++;
              break;
            }
            if (char === 92) {
              if (++pos >= length) {
                error = 2;
                break;
              }
              const escaped = json.charCodeAt(pos++);
              if (escaped === 117) {
                let digits = 0;
                while (digits < 4 && isHex(json.charCodeAt(pos))) {
                  pos++;
                  digits++;
                }
                if (digits < 4) error = 4;
              } else if (!(escaped === 34 || escaped === 92 || escaped === 47 || escaped === 98 || escaped === 102 || escaped === 110 || escaped === 114 || escaped === 116)) {
                error = 5;
              }
              continue;
            }
            if (char <= 0x1f) {
              if (char === 10 || char === 13) {
                error = 2;
                break;
              }
              error = 6;
            }
            pos++;
          }
          break;
        case 47: {
          const second = json.charCodeAt(pos);
          kind = COMMENT;
          if (second === 47) {
            while (pos < length && json.charCodeAt(pos) !== 10 && json.charCodeAt(pos) !== 13) pos++;
          } else if (second === 42) {
            const close = json.indexOf('*/', pos + 1);
            if (close === -1) {
              error = 1;
              pos = length;
            } else pos = close + 2;
          } else kind = UNKNOWN;
          break;
        }
        default:
          if (code === 45 && !isDigit(json.charCodeAt(pos))) {
            kind = UNKNOWN;
          } else if (isDigit(code) || code === 45) {
            kind = NUMBER;
            // After a '-': its first digit.
            if (code === 45) code = json.charCodeAt(pos++);
            if (code !== 48) while (isDigit(json.charCodeAt(pos))) pos++;
            if (json.charCodeAt(pos) === 46) {
              if (isDigit(json.charCodeAt(++pos))) while (isDigit(json.charCodeAt(++pos)));
              else error = 3;
            }
            const exponent = json.charCodeAt(pos);
            if (error === 0 && (exponent === 69 || exponent === 101)) {
              const sign = json.charCodeAt(++pos);
              if (sign === 43 || sign === 45) pos++;
              if (isDigit(json.charCodeAt(pos))) while (isDigit(json.charCodeAt(++pos)));
              else error = 3;
            }
          } else {
            while (!endsUnknown(json.charCodeAt(pos))) pos++;
            const word = pos - start === 4 || pos - start === 5 ? json.slice(start, pos) : '';
            kind = word === 'true' || word === 'false' || word === 'null' ? LITERAL : UNKNOWN;
          }
      }
    }
    if (error !== 0) return fault(SCAN_ERRORS[error]!);
    if (kind === COMMENT) return fault('comments are not allowed');
    if (kind === EOF) {
      if (depth === 0 && expect === COMMA_OR_CLOSE) return { deep, deepProtoKey };
      const unclosed = depth === 0 ? '' : `; ${depth} ${depth === 1 ? 'bracket or brace is' : 'brackets or braces are'} not closed`;
      const wanted = expect === COMMA_OR_CLOSE ? `${open[depth - 1] === CLOSE_BRACE ? 'close brace' : 'close bracket'} expected` : EXPECTED[expect];
      return fault(`unexpected end of input: ${wanted}${unclosed}`);
    }
    switch (expect) {
      case VALUE:
      case VALUE_OR_CLOSE:
      case COMMA_OR_CLOSE: {
        if (expect === COMMA_OR_CLOSE) {
          if (depth === 0) return unexpectedToken('end of input expected');
          const closer = open[depth - 1]!;
          if (kind === COMMA) {
            expect = closer === CLOSE_BRACE ? KEY : VALUE;
            break;
          }
          if (kind !== closer) return unexpectedToken(`comma or ${closer === CLOSE_BRACE ? 'close brace' : 'close bracket'} expected`);
          if (depth === maxDepth + 1) deep.push(start);
          depth--;
          break;
        }
        if (kind === CLOSE_BRACKET && expect === VALUE_OR_CLOSE) {
          if (depth === maxDepth + 1) deep.push(start);
          depth--;
          expect = COMMA_OR_CLOSE;
        } else if (kind === OPEN_BRACE || kind === OPEN_BRACKET) {
          if (depth === open.length) {
            const grown = new Uint8Array(2 * open.length);
            grown.set(open);
            open = grown;
          }
          open[depth++] = kind === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
          if (depth === maxDepth + 1) deep.push(start);
          expect = kind === OPEN_BRACE ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
        } else if (kind === STRING || kind === NUMBER || kind === LITERAL) {
          expect = COMMA_OR_CLOSE;
        } else {
          return unexpectedToken(EXPECTED[expect]!);
        }
        break;
      }
      case KEY:
      case KEY_OR_CLOSE:
        if (kind === CLOSE_BRACE && expect === KEY_OR_CLOSE) {
          if (depth === maxDepth + 1) deep.push(start);
          depth--;
          expect = COMMA_OR_CLOSE;
        } else if (kind === STRING) {
          if (depth > maxDepth && !deepProtoKey) deepProtoKey = isProtoKey(json, start, pos);
          expect = COLON_NEXT;
        } else {
          return unexpectedToken(EXPECTED[expect]!);
        }
        break;
      case COLON_NEXT:
        if (kind !== COLON) return unexpectedToken(EXPECTED[COLON_NEXT]!);
        expect = VALUE;
        break;
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
