import { ChainruleError } from '@chainrule/tensor';
import type { Ast, Equation, Position } from './ast.ts';
import { PlainNames } from './ascii.ts';
import { type EquationTokens, groupEquations, tokenize } from './grouping.ts';
import { Lexer, MAX_NESTING_DEPTH } from './lexer.ts';
import { canonicalName } from './names.ts';
import { isAsciiDigit } from './notation.ts';
import { SourceChunk, parseError, toChunks } from './source.ts';
import { type EndToken, type ParserToken, type Token, describeToken } from './tokens.ts';

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
  const equations: Equation[] = [];
  const names = new PlainNames();
  if (typeof source !== 'string' && chunks.every(isPlainChunk)) {
    // Each element alone: its tokens are garbage before the next is read, and nothing of one element
    // depends on another when there is no LaTeX (no environment spans elements, no `&` asks whether LaTeX is used).
    for (const chunk of chunks) parsePlainChunk(chunk, equations, names);
  } else {
    parseChunks(chunks, typeof source === 'string', equations, names);
  }
  if (equations.length === 0) throw parseError('no equations found', { line: 1, column: 1 });
  return equations;
}

/** An element that cannot be LaTeX (no backslash) nor hold an alignment `&`. */
function isPlainChunk(chunk: SourceChunk): boolean {
  return !chunk.mayBeLatex;
}

/**
 * One plain element: its tokens are its one equation unless a `;` splits them or the lexer fails
 * (then the grouping stage decides, as for any text). What grouping would do, without its passes.
 */
function parsePlainChunk(chunk: SourceChunk, equations: Equation[], names: PlainNames): void {
  const lexer = new Lexer(chunk, names);
  try {
    lexer.run();
  } catch (error) {
    if (!(error instanceof ChainruleError)) throw error;
    return parseChunks([chunk], false, equations, names);
  }
  const { tokens } = lexer;
  for (let i = 0; i < tokens.length; i++) if (tokens[i]!.kind === ';') return parseChunks([chunk], false, equations, names);
  if (tokens.length > 0) equations.push(new EquationParser({ chunk, tokens, terminator: undefined }).parseEquation());
}

/** Parses the equations of these chunks onto `equations`; throws the first fault in the text. */
function parseChunks(chunks: readonly SourceChunk[], oneEquationPerLine: boolean, equations: Equation[], names: PlainNames): void {
  const lexed = tokenize(chunks, names);
  for (const item of groupEquations(lexed.chunks, { latex: lexed.sawLatex, oneEquationPerLine, lexError: lexed.error })) {
    if (item instanceof ChainruleError) throw item;
    equations.push(new EquationParser(item).parseEquation());
  }
  if (lexed.error) throw lexed.error;
}

/** A number as written: `2`, `1/2`, `½`. */
function isNumberLiteral(ast: Ast): boolean {
  return ast.type === 'number' || (ast.type === 'binary' && ast.op === '/' && ast.left.type === 'number' && ast.right.type === 'number');
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
    // The parser's own array: grouping made it for this equation (parseFracArgument may replace a token in it).
    this.tokens = equation.tokens;
    const last = equation.tokens.at(-1);
    const terminator = equation.terminator;
    this.endToken =
      terminator !== undefined
        ? { kind: 'endOfEquation', text: terminator.text, pos: terminator.pos }
        : { kind: 'endOfEquation', text: '', pos: equation.chunk.position(last?.end ?? 0) };
  }

  private peek(): ParserToken {
    return this.index < this.tokens.length ? this.tokens[this.index]! : this.endToken;
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
    const written = this.equation.chunk.text.slice(first?.offset ?? 0, last?.end ?? 0);
    const source = (this.equation.chunk.hasLineBreak && (written.includes('\n') || written.includes('\r')) ? written.replace(/\s*(?:\r\n|\r|\n)\s*/g, ' ') : written).trim();
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
      case 'normIndex':
        return `unexpected subscript '${token.text}': an index belongs to a name (W_2) or a norm (‖v‖₂²)`;
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
    const first = this.parseFactor();
    const next = this.peek();
    // A leading number scales the whole product: `½ (y − ŷ)ᵀ(y − ŷ)` is ½ · ((y − ŷ)ᵀ(y − ŷ)).
    if (isNumberLiteral(first) && this.canStartPrimary(next)) {
      return { type: 'binary', op: 'matmul', left: first, right: this.parseProductChain(this.parseFactor()), pos: next.pos };
    }
    return this.parseProductChain(first);
  }

  /** `a b c` after its first factor: left-associative, `(a b) c`. */
  private parseProductChain(first: Ast): Ast {
    let left = first;
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
      case 'fraction':
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
    /** `‖v‖₂²` and `‖v‖²₂`: one index on a norm, before or after its square. */
    let normIndexed = false;
    for (;;) {
      const token = this.peek();
      let kind: 'square' | 'transpose';
      if (token.kind === 'postfixSquare') {
        this.next();
        kind = 'square';
      } else if (token.kind === 'postfixTranspose') {
        this.next();
        kind = 'transpose';
      } else if (token.kind === '^' && operand.type === 'name' && operand.name.key === 'e' && this.startsExponent(this.index + 1)) {
        this.next();
        operand = this.parseExponential(operand);
        continue;
      } else if (token.kind === '^') {
        this.next();
        kind = this.parseSuperscript(token);
      } else if (token.kind === 'normIndex' && (operand.type === 'pendingNorm' || (operand.type === 'squaredNorm' && !normIndexed))) {
        this.next();
        if (token.index !== '2' && token.index !== 'F') {
          throw parseError(`only the Euclidean norm ‖v‖₂ (and ‖W‖_F) is supported, found the index ${token.index}`, token.pos);
        }
        normIndexed = true;
        continue;
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

  /**
   * Whether the superscript at `index` makes `e^…` the exponential: `e^{-u}`, `e^{W x}`, `e^u` do;
   * `e^2`, `e^{2}`, `e^T` stay the square and transpose of a vector e.
   */
  private startsExponent(index: number): boolean {
    const first = this.tokens[index];
    if (first?.kind === 'name') return first.name.text !== 'T';
    if (first?.kind !== '{') return false;
    const inner = this.tokens[index + 1];
    const close = this.tokens[index + 2];
    const squareOrTranspose = (inner?.kind === 'number' && inner.text === '2') || inner?.kind === 'top' || (inner?.kind === 'name' && inner.name.text === 'T');
    return !(squareOrTranspose && close?.kind === '}');
  }

  /** `e^{…}` or `e^u` after its `^`: exp(…), as sigmoid's 1/(1 + e^{-u}) is written. */
  private parseExponential(base: Ast & { type: 'name' }): Ast {
    const open = this.next() as Token;
    const exponent: Ast = open.kind === '{' ? this.parseGroup(open, 'brace', '}') : { type: 'name', name: (open as Token & { kind: 'name' }).name, pos: open.pos };
    return { type: 'call', callee: canonicalName('exp'), args: [exponent], pos: base.pos };
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
      case 'fraction': {
        // `½` is `1/2`, as the sheet's ASCII writes it.
        const numerator: Ast = { type: 'number', value: token.numerator, text: String(token.numerator), pos: token.pos };
        const denominator: Ast = { type: 'number', value: token.denominator, text: String(token.denominator), pos: token.pos };
        return { type: 'binary', op: '/', left: numerator, right: denominator, pos: token.pos };
      }
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
    this.expectClosing(open, ')');
    if (callee.name.key.length === 3 && callee.name.key.toLowerCase() === 'max') return this.maxAsRelu(callee, args);
    return { type: 'call', callee: callee.name, args, pos: callee.pos };
  }

  /** `max(0, u)` and `max(u, 0)`, as sheets write the ReLU, are relu(u); any other max is refused. */
  private maxAsRelu(callee: Token & { kind: 'name' }, args: Ast[]): Ast {
    const isZero = (arg: Ast | undefined) => arg?.type === 'number' && arg.value === 0;
    const [first, second] = args;
    const operand = args.length !== 2 ? undefined : isZero(first) ? second : isZero(second) ? first : undefined;
    if (operand === undefined) {
      throw parseError(`${callee.text}(…) is supported only as ${callee.text}(0, u) or ${callee.text}(u, 0), the ReLU: write relu(u)`, callee.pos);
    }
    return { type: 'call', callee: canonicalName('relu'), args: [operand], pos: callee.pos };
  }

  private parseGroup(open: Token, bracket: OpenBracket, closing: ')' | '}'): Ast {
    this.openBrackets.push(bracket);
    const expression = this.parseSum();
    this.expectClosing(open, closing);
    return expression;
  }

  private parseNorm(open: Token): PendingNorm {
    this.openBrackets.push('norm');
    const operand = this.parseSum();
    this.expectClosing(open, 'norm');
    return { type: 'pendingNorm', operand, pos: open.pos };
  }

  /** The token closing `open`: `)`, `}`, or a norm's closing bar (the messages are made only for a fault). */
  private expectClosing(open: Token, closing: ')' | '}' | 'norm'): void {
    const token = this.peek();
    const matches = closing === 'norm' ? token.kind === 'normBar' || token.kind === 'normClose' : token.kind === closing;
    if (!matches) {
      const expected = closing !== 'norm' ? `'${closing}'` : open.kind === 'normOpen' ? "'\\right\\|'" : `'${open.text}'`;
      const what = closing === 'norm' ? 'the norm' : `'${open.text}'`;
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
