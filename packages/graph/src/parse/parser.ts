import { ChainruleError } from '@chainrule/tensor';
import type { Ast, Equation, Name, Position } from './ast.ts';
import { canonicalName, greekLetterForCommand, withHat } from './names.ts';

/*
 * LaTeX is tokenized directly, by the same lexer as ASCII and Unicode, rather than rewritten to ASCII first:
 * every token then carries the line/column of its first character as typed, with no offset map to keep in
 * step with the rewrites, and one grammar serves all three notations. Columns count code points.
 */

/** Deeper nesting than this is refused, so that no input can exhaust the call stack. */
const MAX_NESTING_DEPTH = 200;

type OperatorKind = '+' | '-' | '*' | '/' | 'matmul';
type PunctuationKind =
  | '='
  | '('
  | ')'
  | '{'
  | '}'
  | ','
  | '^'
  /** `\left\|`, `\lVert`: opens a norm. */
  | 'normOpen'
  /** `\right\|`, `\rVert`: closes a norm. */
  | 'normClose'
  /** `||`, `‖`, `\|`: opens or closes a norm, depending on where it stands. */
  | 'normBar'
  | 'postfixTranspose'
  | 'postfixSquare'
  /** `\top`, `⊤`: only meaningful as a superscript. */
  | 'top'
  | 'frac'
  /** `\\` between LaTeX rows. */
  | 'rowEnd'
  /** `&` of a LaTeX alignment: ignored. */
  | 'align';

interface TokenBase {
  /** The token as typed. */
  text: string;
  /** UTF-16 offsets of the token in its chunk. */
  offset: number;
  end: number;
  pos: Position;
}

type Token = TokenBase &
  (
    | { kind: 'number'; value: number }
    /** `plain`: typed as letters (`W_3`), not made by a LaTeX command (`\boldsymbol{W}_3`). */
    | { kind: 'name'; name: Name; plain: boolean }
    | { kind: 'beginEnvironment' | 'endEnvironment'; environment: string }
    | { kind: OperatorKind | PunctuationKind }
  );

/** Stands after the last token of an equation: the end of the line, or the `\\` that ended the row. */
interface EndToken {
  kind: 'endOfEquation';
  text: string;
  pos: Position;
}

type ParserToken = Token | EndToken;

const ENVIRONMENTS = new Set(['aligned', 'align', 'align*', 'equation', 'equation*', 'gather', 'gather*', 'gathered', 'split']);
const NAME_WRAPPER_COMMANDS = new Set(['boldsymbol', 'mathbf', 'bm', 'mathrm', 'operatorname', 'mathit', 'mathsf', 'mathcal', 'vec']);
const HAT_COMMANDS = new Set(['hat', 'widehat']);
const IGNORED_COMMANDS = new Set([
  'quad', 'qquad', 'enspace', 'thinspace', 'medspace', 'thickspace', 'negthinspace',
  'displaystyle', 'textstyle', 'nonumber', 'notag',
]);
const OPENING_DELIMITER_COMMANDS = new Set(['left', 'bigl', 'Bigl', 'biggl', 'Biggl']);
const CLOSING_DELIMITER_COMMANDS = new Set(['right', 'bigr', 'Bigr', 'biggr', 'Biggr']);
const SIZING_DELIMITER_COMMANDS = new Set(['big', 'Big', 'bigg', 'Bigg']);
const SIMPLE_COMMANDS: Readonly<Record<string, OperatorKind | PunctuationKind>> = {
  cdot: 'matmul',
  odot: '*',
  frac: 'frac',
  tfrac: 'frac',
  dfrac: 'frac',
  top: 'top',
  intercal: 'top',
  coloneqq: '=',
  Vert: 'normBar',
  lVert: 'normOpen',
  rVert: 'normClose',
};
const SIMPLE_CHARACTERS: Readonly<Record<string, OperatorKind | PunctuationKind>> = {
  '+': '+',
  '-': '-',
  '−': '-',
  '*': '*',
  '⊙': '*',
  '/': '/',
  '·': 'matmul',
  '⋅': 'matmul',
  '@': 'matmul',
  '=': '=',
  '≔': '=',
  '(': '(',
  ')': ')',
  '{': '{',
  '}': '}',
  ',': ',',
  '^': '^',
  'ᵀ': 'postfixTranspose',
  '²': 'postfixSquare',
  '⊤': 'top',
  '‖': 'normBar',
};

const NAME_LETTER_SCRIPT = /^[\p{Script=Latin}\p{Script=Greek}]$/u;
const NAME_LETTER_CATEGORY = /^[\p{Lu}\p{Ll}\p{Lt}\p{Lo}]$/u;
const NUMBER_LITERAL = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const LATEX_WORD = /[A-Za-z]+/y;

/** A letter that may start a name: Latin or Greek (not a modifier letter such as `ᵀ`), or `ℒ`. */
function isNameLetter(character: string): boolean {
  return character === 'ℒ' || (NAME_LETTER_SCRIPT.test(character) && NAME_LETTER_CATEGORY.test(character));
}

function isAsciiDigit(character: string): boolean {
  return character.length === 1 && character >= '0' && character <= '9';
}

function isSubscriptDigit(character: string): boolean {
  return character.length === 1 && character >= '₀' && character <= '₉';
}

/** A character that may continue a name besides `_`: letters, digits, subscript digits, a combining hat. */
function isNameContinuation(character: string): boolean {
  return isNameLetter(character) || isAsciiDigit(character) || isSubscriptDigit(character) || character === '\u0302';
}

function isWhitespace(character: string): boolean {
  return /^\s$/u.test(character);
}

/** `'€' (U+20AC)`; invisible and combining characters by code point only. */
function describeCharacter(character: string): string {
  const codePoint = `U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
  if (character === ' ') return 'a space';
  if (character === '\t') return 'a tab';
  if (/^[\p{C}\p{Z}\p{M}]$/u.test(character)) return codePoint;
  return /^[\x21-\x7e]$/.test(character) ? `'${character}'` : `'${character}' (${codePoint})`;
}

function describeToken(token: ParserToken): string {
  if (token.kind === 'endOfEquation') return token.text === '' ? 'end of line' : `'${token.text}'`;
  return `'${token.text}'`;
}

function parseError(message: string, pos: Position): ChainruleError {
  return new ChainruleError('parse', message, { line: pos.line, column: pos.column });
}

/** One piece of input text with the line/column of each of its UTF-16 offsets. */
class SourceChunk {
  private readonly lines: Int32Array;
  private readonly columns: Int32Array;

  /** `splitLines`: line breaks start new lines (a whole document); otherwise the chunk is one line (an array element). */
  constructor(
    readonly text: string,
    origin: Position,
    splitLines: boolean,
  ) {
    this.lines = new Int32Array(text.length + 1);
    this.columns = new Int32Array(text.length + 1);
    let line = origin.line;
    let column = origin.column;
    for (let offset = 0; offset < text.length; offset++) {
      this.lines[offset] = line;
      this.columns[offset] = column;
      const code = text.charCodeAt(offset);
      const isLineBreak = code === 0x0a || (code === 0x0d && text.charCodeAt(offset + 1) !== 0x0a);
      const isHighSurrogateOfPair = code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(offset + 1) & 0xfc00) === 0xdc00;
      if (isLineBreak && splitLines) {
        line++;
        column = 1;
      } else if (!isHighSurrogateOfPair) {
        column++;
      }
    }
    this.lines[text.length] = line;
    this.columns[text.length] = column;
  }

  position(offset: number): Position {
    return { line: this.lines[offset] ?? 0, column: this.columns[offset] ?? 0 };
  }
}

/** Splits a chunk into tokens, skipping whitespace, comments and LaTeX spacing. */
class Lexer {
  readonly tokens: Token[] = [];
  /** Whether the text used LaTeX syntax: a backslash command or `&=`. */
  sawLatex = false;
  private index = 0;

  constructor(private readonly chunk: SourceChunk) {}

  private get text(): string {
    return this.chunk.text;
  }

  run(): void {
    while (this.index < this.text.length) this.lexNext();
  }

  private characterAt(offset: number): string {
    const codePoint = this.text.codePointAt(offset);
    return codePoint === undefined ? '' : String.fromCodePoint(codePoint);
  }

  private describeAt(offset: number): string {
    const character = this.characterAt(offset);
    if (character === '' || character === '\n' || character === '\r') return 'end of line';
    return describeCharacter(character);
  }

  private skipWhitespace(offset: number): number {
    let cursor = offset;
    while (cursor < this.text.length && isWhitespace(this.characterAt(cursor))) cursor += this.characterAt(cursor).length;
    return cursor;
  }

  private error(message: string, offset: number): ChainruleError {
    return parseError(message, this.chunk.position(offset));
  }

  private push(kind: OperatorKind | PunctuationKind, start: number, end: number): void {
    this.tokens.push({ kind, text: this.text.slice(start, end), offset: start, end, pos: this.chunk.position(start) });
    this.index = end;
  }

  private pushName(text: string, plain: boolean, start: number, end: number): void {
    const raw = this.text.slice(start, end);
    this.tokens.push({ kind: 'name', name: canonicalName(text), plain, text: raw, offset: start, end, pos: this.chunk.position(start) });
    this.index = end;
  }

  private lexNext(): void {
    const start = this.index;
    const character = this.characterAt(start);
    if (isWhitespace(character) || character === '$') {
      this.index += character.length;
      return;
    }
    if (character === '#' || character === '%' || (character === '/' && this.text[start + 1] === '/')) {
      while (this.index < this.text.length && this.text[this.index] !== '\n' && this.text[this.index] !== '\r') this.index++;
      return;
    }
    if (isAsciiDigit(character) || (character === '.' && isAsciiDigit(this.characterAt(start + 1)))) {
      this.lexNumber(start);
      return;
    }
    if (isNameLetter(character)) {
      const end = this.scanPlainName(start);
      this.pushName(this.text.slice(start, end), true, start, end);
      return;
    }
    if (character === '\\') {
      this.lexCommand(start);
      return;
    }
    if (character === ':' && this.text[start + 1] === '=') {
      this.push('=', start, start + 2);
      return;
    }
    if (character === '|') {
      if (this.text[start + 1] === '|') {
        this.push('normBar', start, start + 2);
        return;
      }
      throw this.error("unexpected character '|': absolute values are not supported; write ||v||^2 for a squared norm", start);
    }
    if (character === '&') {
      if (this.text[this.skipWhitespace(start + 1)] === '=') this.sawLatex = true;
      this.push('align', start, start + 1);
      return;
    }
    const kind = SIMPLE_CHARACTERS[character];
    if (kind !== undefined) {
      this.push(kind, start, start + character.length);
      return;
    }
    throw this.error(`unexpected character ${describeCharacter(character)}${characterHint(character)}`, start);
  }

  private lexNumber(start: number): void {
    NUMBER_LITERAL.lastIndex = start;
    const literal = NUMBER_LITERAL.exec(this.text)?.[0] ?? '';
    const value = Number(literal);
    if (!Number.isFinite(value)) throw this.error(`the number ${literal} is too large`, start);
    const end = start + literal.length;
    this.tokens.push({ kind: 'number', value, text: literal, offset: start, end, pos: this.chunk.position(start) });
    this.index = end;
  }

  /** The end of a name typed as letters: `W3`, `W_3`, `W_{3}`, `W₃`, `y_hat`, `ŷ` (precomposed or combining). */
  private scanPlainName(start: number): number {
    let cursor = start + this.characterAt(start).length;
    for (;;) {
      const character = this.characterAt(cursor);
      if (character !== '' && isNameContinuation(character)) {
        cursor += character.length;
      } else if (character === '_') {
        const subscriptStart = cursor + 1;
        const next = this.characterAt(subscriptStart);
        if (next === '{') {
          cursor = this.scanBracedSubscript(subscriptStart);
        } else if (next !== '' && isNameContinuation(next) && next !== '\u0302') {
          cursor = subscriptStart;
        } else {
          throw this.error(`expected a subscript after '_', found ${this.describeAt(subscriptStart)}`, subscriptStart);
        }
      } else {
        return cursor;
      }
    }
  }

  /** `{3}` of `W_{3}`: letters, digits and spaces. Returns the offset after `}`. */
  private scanBracedSubscript(openBrace: number): number {
    let cursor = openBrace + 1;
    let sawContent = false;
    for (;;) {
      const character = this.characterAt(cursor);
      if (character === '}') {
        if (!sawContent) throw this.error("expected a subscript inside '_{…}', found '}'", cursor);
        return cursor + 1;
      }
      if (character !== '' && isNameContinuation(character)) {
        sawContent = true;
      } else if (character === '' || !isWhitespace(character) || character === '\n' || character === '\r') {
        throw this.error(
          `expected '}' to close '_{' opened at column ${this.chunk.position(openBrace).column}, found ${this.describeAt(cursor)}`,
          cursor,
        );
      }
      cursor += character.length;
    }
  }

  private lexCommand(start: number): void {
    this.sawLatex = true;
    const afterBackslash = start + 1;
    const next = this.characterAt(afterBackslash);
    if (next === '\\') {
      let end = start + 2;
      // `\\[2pt]`: extra row spacing.
      const spacing = /^\[[^\]\n\r]*\]/.exec(this.text.slice(end, end + 40));
      if (spacing) end += spacing[0].length;
      this.push('rowEnd', start, end);
      return;
    }
    LATEX_WORD.lastIndex = afterBackslash;
    const command = LATEX_WORD.exec(this.text)?.[0];
    if (command === undefined) {
      if (next === '') throw this.error("unexpected '\\' at the end of the line", start);
      if (next === '|') return this.push('normBar', start, start + 2);
      // Spacing (`\,` `\;` `\!` `\:` `\ `) and math-mode delimiters (`\[ \]`, `\( \)`).
      if (',;!: >[]()'.includes(next) || isWhitespace(next)) {
        this.index = afterBackslash + next.length;
        return;
      }
      throw this.error(`unsupported LaTeX command '\\${next}'`, start);
    }
    const commandEnd = afterBackslash + command.length;
    if (greekLetterForCommand(command) !== undefined || NAME_WRAPPER_COMMANDS.has(command) || HAT_COMMANDS.has(command)) {
      const name = this.readCommandName(start, 0);
      const subscript = this.readLatexSubscript(name.end);
      this.pushName(name.text + subscript.text, false, start, subscript.end);
      return;
    }
    if (IGNORED_COMMANDS.has(command)) {
      this.index = commandEnd;
      return;
    }
    const simple = SIMPLE_COMMANDS[command];
    if (simple !== undefined) return this.push(simple, start, commandEnd);
    if (OPENING_DELIMITER_COMMANDS.has(command)) return this.lexSizedDelimiter(start, commandEnd, command, 'normOpen');
    if (CLOSING_DELIMITER_COMMANDS.has(command)) return this.lexSizedDelimiter(start, commandEnd, command, 'normClose');
    if (SIZING_DELIMITER_COMMANDS.has(command)) return this.lexSizedDelimiter(start, commandEnd, command, 'normBar');
    if (command === 'begin' || command === 'end') return this.lexEnvironment(start, commandEnd, command);
    if (command === 'label') {
      this.index = this.readBracedWord(start, commandEnd, command).end;
      return;
    }
    throw this.error(`unsupported LaTeX command '\\${command}'`, start);
  }

  /** The delimiter after `\left`, `\right`, `\big`…: `(`, `)` or a norm bar (`\|`, `‖`, `\Vert`, `\lVert`, `\rVert`). */
  private lexSizedDelimiter(start: number, commandEnd: number, command: string, normKind: 'normOpen' | 'normClose' | 'normBar'): void {
    const at = this.skipWhitespace(commandEnd);
    const character = this.characterAt(at);
    if (character === '(') return this.push('(', start, at + 1);
    if (character === ')') return this.push(')', start, at + 1);
    if (character === '‖') return this.push(normKind, start, at + 1);
    if (character === '|' && this.text[at + 1] === '|') return this.push(normKind, start, at + 2);
    if (character === '\\') {
      if (this.text[at + 1] === '|') return this.push(normKind, start, at + 2);
      LATEX_WORD.lastIndex = at + 1;
      const word = LATEX_WORD.exec(this.text)?.[0];
      const end = at + 1 + (word?.length ?? 0);
      if (word === 'Vert') return this.push(normKind, start, end);
      if (word === 'lVert') return this.push('normOpen', start, end);
      if (word === 'rVert') return this.push('normClose', start, end);
    }
    if (character === '|') {
      throw this.error(`'\\${command}|' is an absolute value, which is not supported; write \\left\\| v \\right\\|^2 for a squared norm`, at);
    }
    throw this.error(`expected '(', ')' or '\\|' after '\\${command}', found ${this.describeAt(at)}`, at);
  }

  private lexEnvironment(start: number, commandEnd: number, command: 'begin' | 'end'): void {
    const { word: environment, end } = this.readBracedWord(start, commandEnd, command);
    if (!ENVIRONMENTS.has(environment)) {
      throw this.error(`unsupported LaTeX environment '${environment}' (use aligned, align, align* or equation)`, start);
    }
    this.tokens.push({
      kind: command === 'begin' ? 'beginEnvironment' : 'endEnvironment',
      environment,
      text: this.text.slice(start, end),
      offset: start,
      end,
      pos: this.chunk.position(start),
    });
    this.index = end;
  }

  /** `{aligned}` after `\begin`. */
  private readBracedWord(start: number, commandEnd: number, command: string): { word: string; end: number } {
    const open = this.skipWhitespace(commandEnd);
    if (this.text[open] !== '{') throw this.error(`expected '{' after '\\${command}', found ${this.describeAt(open)}`, open);
    const close = /^[^{}\n\r]*\}/.exec(this.text.slice(open + 1, open + 200));
    if (!close) throw this.error(`expected '}' to close '\\${command}{' at column ${this.chunk.position(start).column}`, open);
    return { word: close[0].slice(0, -1).trim(), end: open + 1 + close[0].length };
  }

  /**
   * A name made by LaTeX commands at `start` (a backslash): `\sigma`, `\boldsymbol{W}`, `\hat{\boldsymbol{y}}`,
   * `\hat y`. Returns the name with the markup stripped (`ŷ`) and the offset after it.
   */
  private readCommandName(start: number, depth: number): { text: string; end: number } {
    if (depth > MAX_NESTING_DEPTH) throw this.error(`LaTeX commands nested deeper than ${MAX_NESTING_DEPTH} levels`, start);
    LATEX_WORD.lastIndex = start + 1;
    const command = LATEX_WORD.exec(this.text)?.[0] ?? '';
    const commandEnd = start + 1 + command.length;
    const greek = greekLetterForCommand(command);
    if (greek !== undefined) return { text: greek, end: commandEnd };
    if (!NAME_WRAPPER_COMMANDS.has(command) && !HAT_COMMANDS.has(command)) {
      throw this.error(`expected a name, found '\\${command}'`, start);
    }
    const argument = this.readNameArgument(start, commandEnd, command, depth + 1);
    return { text: HAT_COMMANDS.has(command) ? withHat(argument.text) : argument.text, end: argument.end };
  }

  /** The argument of `\boldsymbol`, `\hat`…: `{W_3}`, `{\boldsymbol{y}}`, or one letter or command (`\hat y`). */
  private readNameArgument(start: number, commandEnd: number, command: string, depth: number): { text: string; end: number } {
    const at = this.skipWhitespace(commandEnd);
    const character = this.characterAt(at);
    if (character === '{') {
      const contentStart = this.skipWhitespace(at + 1);
      const first = this.characterAt(contentStart);
      let content: { text: string; end: number };
      if (isNameLetter(first)) {
        const end = this.scanPlainName(contentStart);
        content = { text: this.text.slice(contentStart, end), end };
      } else if (first === '\\' && this.isNameCommandAt(contentStart)) {
        const name = this.readCommandName(contentStart, depth);
        const subscript = this.readLatexSubscript(name.end);
        content = { text: name.text + subscript.text, end: subscript.end };
      } else {
        throw this.error(`expected a name inside '\\${command}{…}', found ${this.describeAt(contentStart)}`, contentStart);
      }
      const close = this.skipWhitespace(content.end);
      if (this.text[close] !== '}') {
        throw this.error(
          `expected '}' to close '\\${command}{' opened at column ${this.chunk.position(start).column}, found ${this.describeAt(close)}`,
          close,
        );
      }
      return { text: content.text, end: close + 1 };
    }
    if (isNameLetter(character)) return { text: character, end: at + character.length };
    if (character === '\\' && this.isNameCommandAt(at)) return this.readCommandName(at, depth);
    throw this.error(`expected a name after '\\${command}', found ${this.describeAt(at)}`, at);
  }

  private isNameCommandAt(offset: number): boolean {
    LATEX_WORD.lastIndex = offset + 1;
    const command = LATEX_WORD.exec(this.text)?.[0] ?? '';
    return greekLetterForCommand(command) !== undefined || NAME_WRAPPER_COMMANDS.has(command) || HAT_COMMANDS.has(command);
  }

  /**
   * A subscript after a LaTeX name, with LaTeX's rule: one character (`_3`) or a group (`_{3}`), so that
   * `\boldsymbol{W}_3x` is W₃ times x. Returns `_3` (or `''` if there is none) and the offset after it.
   */
  private readLatexSubscript(offset: number): { text: string; end: number } {
    if (this.text[offset] !== '_') return { text: '', end: offset };
    const at = offset + 1;
    const character = this.characterAt(at);
    if (character === '{') {
      const end = this.scanBracedSubscript(at);
      return { text: `_${this.text.slice(at + 1, end - 1).trim()}`, end };
    }
    if (character !== '' && character !== '\u0302' && isNameContinuation(character)) return { text: `_${character}`, end: at + character.length };
    throw this.error(`expected a subscript after '_', found ${this.describeAt(at)}`, at);
  }
}

function characterHint(character: string): string {
  switch (character) {
    case "'":
    case '′':
      return ': primes are not supported (write W^T for a transpose)';
    case '[':
    case ']':
      return ": use '(' and ')' for grouping";
    case '_':
      return ': a name must start with a letter';
    case '–':
    case '—':
      return ": write '-' or '−' for a minus";
    default:
      return '';
  }
}

/** The tokens of one equation, and what ended it. */
interface EquationTokens {
  chunk: SourceChunk;
  tokens: Token[];
  /** The `\\` or `\end{…}` that ended the row, if any. */
  terminator: Token | undefined;
}

const OPENING_KINDS: ReadonlySet<Token['kind']> = new Set<Token['kind']>(['(', '{', 'normOpen']);
const CLOSING_KINDS: ReadonlySet<Token['kind']> = new Set<Token['kind']>([')', '}', 'normClose']);
const CONTINUES_AFTER: ReadonlySet<Token['kind']> = new Set<Token['kind']>(['+', '-', '*', '/', 'matmul', '=', '^', ',', 'frac']);
const CONTINUES_BEFORE: ReadonlySet<Token['kind']> = new Set<Token['kind']>([
  '+', '-', '*', '/', 'matmul', '=', '^', ')', '}', 'normClose', 'postfixTranspose', 'postfixSquare', 'top',
]);

/**
 * Whether a LaTeX line starting with `first` continues the equation so far (a row broken over several
 * lines) rather than starting the next one: it does if a bracket or norm is still open, or an operator
 * ends the previous line or starts this one.
 */
function continuesEquation(soFar: readonly Token[], first: Token): boolean {
  let openBrackets = 0;
  let normBars = 0;
  for (const token of soFar) {
    if (OPENING_KINDS.has(token.kind)) openBrackets++;
    else if (CLOSING_KINDS.has(token.kind)) openBrackets--;
    else if (token.kind === 'normBar') normBars++;
  }
  const last = soFar.at(-1);
  return (
    openBrackets > 0 ||
    normBars % 2 === 1 ||
    (last !== undefined && CONTINUES_AFTER.has(last.kind)) ||
    CONTINUES_BEFORE.has(first.kind)
  );
}

/**
 * Parses equations written in ASCII (`L = 1/2 ||y - yhat||^2`), Unicode (`‖y − ŷ‖²`, `W₃ ⊙ z`)
 * or LaTeX (`\mathcal{L} &= \frac{1}{2}\left\|\boldsymbol{y}-\hat{\boldsymbol{y}}\right\|^2 \\`), one per
 * line (LaTeX: one per row). A string array holds one equation per element (line = index + 1). Empty
 * lines and comments (`#`, `//`, `%`) are skipped. Positions refer to the text as typed, columns in code points.
 *
 * @throws ChainruleError with code `'parse'` and the line/column of the first fault; never anything else.
 * @example
 * const [equation] = parseEquations('u3 = W3 z1');
 * equation.target.key;     // 'u3'
 * equation.expression;     // { type: 'binary', op: 'matmul', left: W3, right: z1, … }
 */
export function parseEquations(source: string | readonly string[]): Equation[] {
  const chunks = toChunks(source);
  const lexed: { chunk: SourceChunk; tokens: Token[] }[] = [];
  let lexError: ChainruleError | undefined;
  let sawLatex = false;
  for (const chunk of chunks) {
    const lexer = new Lexer(chunk);
    try {
      lexer.run();
    } catch (error) {
      if (!(error instanceof ChainruleError)) throw error;
      lexError = error;
    }
    lexed.push({ chunk, tokens: lexer.tokens });
    sawLatex ||= lexer.sawLatex;
    if (lexError) break;
  }

  const equations: Equation[] = [];
  for (const item of groupEquations(lexed, { latex: sawLatex, oneEquationPerLine: typeof source === 'string', lexError })) {
    if (item instanceof ChainruleError) throw item;
    equations.push(new EquationParser(item).parseEquation());
  }
  if (lexError) throw lexError;
  if (equations.length === 0) throw parseError('no equations found', { line: 1, column: 1 });
  return equations;
}

function toChunks(source: string | readonly string[]): SourceChunk[] {
  if (typeof source === 'string') return [new SourceChunk(source, { line: 1, column: 1 }, true)];
  if (!Array.isArray(source)) throw parseError('expected the equations as a string or an array of strings', { line: 1, column: 1 });
  return source.map((element: unknown, index) => {
    if (typeof element !== 'string') throw parseError(`expected a string, found ${typeof element}`, { line: index + 1, column: 1 });
    return new SourceChunk(element, { line: index + 1, column: 1 }, false);
  });
}

/**
 * Splits the token stream into equations (in order, interleaved with faults found while splitting, so
 * that the first fault in the text is the one reported). A lexer error ends the stream; the equation it
 * interrupted is dropped, since its tokens are incomplete.
 */
function groupEquations(
  lexed: readonly { chunk: SourceChunk; tokens: readonly Token[] }[],
  options: { latex: boolean; oneEquationPerLine: boolean; lexError: ChainruleError | undefined },
): (EquationTokens | ChainruleError)[] {
  const items: (EquationTokens | ChainruleError)[] = [];
  const openEnvironments: Token[] = [];
  for (const [chunkIndex, { chunk, tokens }] of lexed.entries()) {
    let current: Token[] = [];
    let lastLine = 0;
    const flush = (terminator: Token | undefined): void => {
      if (current.length > 0) items.push({ chunk, tokens: current, terminator });
      current = [];
    };
    for (const token of tokens) {
      if (current.length > 0 && options.oneEquationPerLine && token.pos.line !== lastLine) {
        const continues = options.latex && (token.kind === 'align' || continuesEquation(current, token));
        if (!continues) flush(undefined);
      }
      lastLine = token.pos.line;
      if (token.kind === 'rowEnd') {
        flush(token);
      } else if (token.kind === 'beginEnvironment') {
        flush(token);
        openEnvironments.push(token);
      } else if (token.kind === 'endEnvironment') {
        flush(token);
        const opened = openEnvironments.pop();
        if (opened === undefined || opened.kind !== 'beginEnvironment') {
          items.push(parseError(`'${token.text}' without a matching '\\begin{${token.environment}}'`, token.pos));
        } else if (opened.environment !== token.environment) {
          items.push(parseError(`'${token.text}' does not match '${opened.text}' at line ${opened.pos.line}`, token.pos));
        }
      } else if (token.kind === 'align') {
        if (!options.latex) items.push(parseError("unexpected character '&'", token.pos));
      } else {
        current.push(token);
      }
    }
    const interruptedLine = chunkIndex === lexed.length - 1 ? options.lexError?.location.line : undefined;
    const wasInterrupted =
      interruptedLine !== undefined && (options.latex || !options.oneEquationPerLine || current.at(-1)?.pos.line === interruptedLine);
    if (wasInterrupted) current = [];
    flush(undefined);
  }
  return items;
}

/** The context a norm bar `||` is read in: inside a norm it closes it, anywhere else it opens one. */
type OpenBracket = 'paren' | 'brace' | 'norm';

/** An unsquared norm: legal only as the operand of `^2`/`²`. */
interface PendingNorm {
  type: 'pendingNorm';
  operand: Ast;
  pos: Position;
}

/**
 * Recursive descent over the tokens of one equation. Positions of the nodes: a binary node is at its
 * operator (juxtaposition: at its right operand), a negation at its `-`, a postfix at its `^`/`ᵀ`/`²`,
 * a norm at its opening bar, a call at its function name.
 */
class EquationParser {
  private readonly tokens: Token[];
  private readonly endToken: EndToken;
  private index = 0;
  private depth = 0;
  private previous: ParserToken | undefined;
  private readonly openBrackets: OpenBracket[] = [];

  constructor(private readonly equation: EquationTokens) {
    this.tokens = [...equation.tokens];
    const last = equation.tokens.at(-1);
    const terminator = equation.terminator;
    this.endToken =
      terminator !== undefined
        ? { kind: 'endOfEquation', text: terminator.text, pos: terminator.pos }
        : { kind: 'endOfEquation', text: '', pos: equation.chunk.position(last?.end ?? 0) };
  }

  private peek(): ParserToken {
    return this.tokens[this.index] ?? this.endToken;
  }

  private next(): ParserToken {
    const token = this.peek();
    if (token !== this.endToken) this.index++;
    this.previous = token;
    return token;
  }

  parseEquation(): Equation {
    const target = this.next();
    if (target.kind !== 'name') {
      throw parseError(
        target.kind === '='
          ? "expected a variable name before '='"
          : `expected a variable name at the start of the equation, found ${describeToken(target)}`,
        target.pos,
      );
    }
    const equals = this.next();
    if (equals.kind !== '=') throw parseError(`expected '=' after '${target.text}', found ${describeToken(equals)}`, equals.pos);
    const expression = this.parseSum();
    const trailing = this.peek();
    if (trailing.kind !== 'endOfEquation') throw parseError(this.describeTrailing(trailing), trailing.pos);
    const first = this.equation.tokens[0];
    const last = this.equation.tokens.at(-1);
    const source = this.equation.chunk.text
      .slice(first?.offset ?? 0, last?.end ?? 0)
      .replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ')
      .trim();
    return { target: target.name, expression, pos: target.pos, source };
  }

  private describeTrailing(token: Token): string {
    switch (token.kind) {
      case ')':
        return "unexpected ')' without a matching '('";
      case '}':
        return "unexpected '}' without a matching '{'";
      case 'normClose':
        return `unexpected '${token.text}' without a matching '\\left\\|'`;
      case '=':
        return "unexpected second '=': write one equation per line";
      case ',':
        return "unexpected ',' outside a function call";
      default:
        return `expected an operator or end of line, found ${describeToken(token)}`;
    }
  }

  private parseSum(): Ast {
    let left = this.parseProduct();
    for (;;) {
      const operator = this.peek();
      if (operator.kind !== '+' && operator.kind !== '-') return left;
      this.next();
      const right = this.parseProduct();
      left = { type: 'binary', op: operator.kind, left, right, pos: operator.pos };
    }
  }

  /** `*`, `⊙`, `/`, `·`, `@`: left-associative, looser than juxtaposition (`s ⊙ W x` is s ⊙ (W x)). */
  private parseProduct(): Ast {
    let left = this.parseJuxtaposition();
    for (;;) {
      const operator = this.peek();
      if (operator.kind !== '*' && operator.kind !== '/' && operator.kind !== 'matmul') return left;
      this.next();
      const right = this.parseJuxtaposition();
      left = { type: 'binary', op: operator.kind, left, right, pos: operator.pos };
    }
  }

  /**
   * Juxtaposition `W3 z1` — the matrix product as a sheet writes it — binds tighter than the
   * written operators. A fraction of two numbers (`1/2`) is one operand, so `1/2 ||v||^2` is ½‖v‖².
   */
  private parseJuxtaposition(): Ast {
    let left = this.parseFactor();
    for (;;) {
      const operator = this.peek();
      if (!this.canStartPrimary(operator)) return left;
      const right = this.parseFactor();
      left = { type: 'binary', op: 'matmul', left, right, pos: operator.pos };
    }
  }

  private parseFactor(): Ast {
    const operand = this.parseUnary();
    const slash = this.peek();
    const denominator = this.tokens[this.index + 1];
    if (operand.type === 'number' && slash.kind === '/' && denominator?.kind === 'number') {
      this.next();
      this.next();
      const divisor: Ast = { type: 'number', value: denominator.value, text: denominator.text, pos: denominator.pos };
      return { type: 'binary', op: '/', left: operand, right: divisor, pos: slash.pos };
    }
    return operand;
  }

  /** Whether a token after an operand starts a juxtaposed operand; a norm bar inside a norm closes it instead. */
  private canStartPrimary(token: ParserToken): boolean {
    switch (token.kind) {
      case 'number':
      case 'name':
      case '(':
      case '{':
      case 'frac':
      case 'normOpen':
        return true;
      case 'normBar':
        return this.openBrackets.at(-1) !== 'norm';
      default:
        return false;
    }
  }

  private parseUnary(): Ast {
    const token = this.peek();
    if (++this.depth > MAX_NESTING_DEPTH) {
      throw parseError(`expression nested deeper than ${MAX_NESTING_DEPTH} levels`, token.pos);
    }
    let result: Ast;
    if (token.kind === '-' || token.kind === '+') {
      this.next();
      const operand = this.parseUnary();
      result = token.kind === '-' ? { type: 'negate', operand, pos: token.pos } : operand;
    } else {
      result = this.parsePostfix();
    }
    this.depth--;
    return result;
  }

  private parsePostfix(): Ast {
    let operand = this.parsePrimary();
    for (;;) {
      const token = this.peek();
      let kind: 'square' | 'transpose';
      if (token.kind === 'postfixSquare') {
        this.next();
        kind = 'square';
      } else if (token.kind === 'postfixTranspose') {
        this.next();
        kind = 'transpose';
      } else if (token.kind === '^') {
        this.next();
        kind = this.parseSuperscript(token);
      } else {
        break;
      }
      if (operand.type === 'pendingNorm') {
        if (kind !== 'square') throw this.unsquaredNorm(operand);
        operand = { type: 'squaredNorm', operand: operand.operand, pos: operand.pos };
      } else {
        operand = { type: kind, operand, pos: token.pos };
      }
    }
    if (operand.type === 'pendingNorm') throw this.unsquaredNorm(operand);
    return operand;
  }

  private unsquaredNorm(norm: PendingNorm): ChainruleError {
    return parseError('‖v‖ must be squared: write ||v||^2', norm.pos);
  }

  /** What follows `^`: `2`, `T`, `\top`, `⊤`, `\mathsf{T}`, or one of these in braces. */
  private parseSuperscript(caret: Token): 'square' | 'transpose' {
    const exponent = this.next();
    if (exponent.kind === 'endOfEquation') throw parseError(`expected 2 or T after '^', found ${describeToken(exponent)}`, exponent.pos);
    if (exponent.kind !== '{') return this.superscriptKind(exponent, exponent.text);
    const inner = this.next();
    const close = this.peek();
    const kind = this.superscriptKind(inner, `{${inner.text}${close.kind === '}' ? '}' : '…'}`);
    if (close.kind !== '}') {
      throw parseError(`expected '}' to close '^{' opened at column ${caret.pos.column}, found ${describeToken(close)}`, close.pos);
    }
    this.next();
    return kind;
  }

  private superscriptKind(token: ParserToken, written: string): 'square' | 'transpose' {
    if (token.kind === 'number' && token.text === '2') return 'square';
    if (token.kind === 'top' || (token.kind === 'name' && token.name.text === 'T')) return 'transpose';
    throw parseError(`only ^2 and ^T are supported, found ^${written}`, token.pos);
  }

  private parsePrimary(): Ast | PendingNorm {
    const after = this.previous;
    const token = this.next();
    switch (token.kind) {
      case 'number':
        return { type: 'number', value: token.value, text: token.text, pos: token.pos };
      case 'name':
        if (this.peek().kind === '(') return this.parseCall(token);
        return { type: 'name', name: token.name, pos: token.pos };
      case '(':
        return this.parseGroup(token, 'paren', ')');
      case '{':
        return this.parseGroup(token, 'brace', '}');
      case 'normOpen':
      case 'normBar':
        return this.parseNorm(token);
      case 'frac': {
        const numerator = this.parseFracArgument(token);
        const denominator = this.parseFracArgument(token);
        return { type: 'binary', op: '/', left: numerator, right: denominator, pos: token.pos };
      }
      default: {
        const context = after === undefined ? '' : ` after ${describeToken(after)}`;
        throw parseError(`expected an expression${context}, found ${describeToken(token)}`, token.pos);
      }
    }
  }

  private parseCall(callee: Token & { kind: 'name' }): Ast {
    const open = this.next() as Token;
    this.openBrackets.push('paren');
    const args = [this.parseSum()];
    while (this.peek().kind === ',') {
      this.next();
      args.push(this.parseSum());
    }
    this.expectClosing(open, ')', "')'");
    return { type: 'call', callee: callee.name, args, pos: callee.pos };
  }

  private parseGroup(open: Token, bracket: OpenBracket, closing: ')' | '}'): Ast {
    this.openBrackets.push(bracket);
    const expression = this.parseSum();
    this.expectClosing(open, closing, `'${closing}'`);
    return expression;
  }

  private parseNorm(open: Token): PendingNorm {
    this.openBrackets.push('norm');
    const operand = this.parseSum();
    const expected = open.kind === 'normOpen' ? "'\\right\\|'" : `'${open.text}'`;
    this.expectClosing(open, ['normBar', 'normClose'], expected, 'the norm');
    return { type: 'pendingNorm', operand, pos: open.pos };
  }

  private expectClosing(open: Token, closing: ParserToken['kind'] | readonly ParserToken['kind'][], expected: string, what = `'${open.text}'`): void {
    const token = this.peek();
    const matches = typeof closing === 'string' ? token.kind === closing : closing.includes(token.kind);
    if (!matches) {
      const where = open.pos.line === token.pos.line ? `column ${open.pos.column}` : `line ${open.pos.line}, column ${open.pos.column}`;
      throw parseError(`expected ${expected} to close ${what} opened at ${where}, found ${describeToken(token)}`, token.pos);
    }
    this.next();
    this.openBrackets.pop();
  }

  /**
   * An argument of `\frac`: a group `{…}`, or — as in `\frac12` — a single digit or letter, split off
   * the number or name the lexer read.
   */
  private parseFracArgument(frac: Token): Ast {
    const token = this.peek();
    if (token.kind === '{') {
      this.next();
      return this.parseGroup(token, 'brace', '}');
    }
    if (token.kind === 'name' && !token.plain) {
      this.next();
      return { type: 'name', name: token.name, pos: token.pos };
    }
    if (token.kind === 'name' || (token.kind === 'number' && isAsciiDigit(token.text.charAt(0)))) {
      const first = token.kind === 'number' ? token.text.charAt(0) : (/^.\u0302?/su.exec(token.text)?.[0] ?? '');
      const rest = token.text.slice(first.length);
      const leaf: Ast =
        token.kind === 'number'
          ? { type: 'number', value: Number(first), text: first, pos: token.pos }
          : { type: 'name', name: canonicalName(first), pos: token.pos };
      if (rest === '') {
        this.next();
      } else {
        this.tokens[this.index] = this.relex(token, first, rest);
      }
      return leaf;
    }
    throw parseError(`expected '{' after '${frac.text}', found ${describeToken(token)}`, token.pos);
  }

  /** The one token of `rest`, what remains of `token` after its first character `first`. */
  private relex(token: Token, first: string, rest: string): Token {
    const column = token.pos.column + Array.from(first).length;
    const lexer = new Lexer(new SourceChunk(rest, { line: token.pos.line, column }, false));
    const bracesNeeded = parseError("put the arguments of '\\frac' in braces: \\frac{…}{…}", token.pos);
    try {
      lexer.run();
    } catch {
      throw bracesNeeded;
    }
    const [only, ...more] = lexer.tokens;
    if (only === undefined || more.length > 0) throw bracesNeeded;
    return { ...only, offset: token.offset + first.length + only.offset, end: token.offset + first.length + only.end };
  }
}
