import type { Name, Position } from './ast.ts';

/** The written operators: `*` and `⊙` element-wise, `·`, `@` and juxtaposition the matrix product. */
export type OperatorKind = '+' | '-' | '*' | '/' | 'matmul';

export type PunctuationKind =
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
  | 'align'
  /** `;` between equations on one line. */
  | ';';

interface TokenBase {
  /** The token as typed. */
  text: string;
  /** UTF-16 offsets of the token in its chunk. */
  offset: number;
  end: number;
  pos: Position;
}

/** One token of the source, with the position of its first character as typed. */
export type Token = TokenBase &
  (
    | { kind: 'number'; value: number }
    /** `½`: a fraction of two numbers in one character. */
    | { kind: 'fraction'; numerator: number; denominator: number }
    /** `_2`, `₂`, `_F` standing alone: the index of a norm, `‖v‖₂`. */
    | { kind: 'normIndex'; index: string }
    /** `plain`: typed as letters (`W_3`), not made by a LaTeX command (`\boldsymbol{W}_3`). */
    | { kind: 'name'; name: Name; plain: boolean }
    | { kind: 'beginEnvironment' | 'endEnvironment'; environment: string }
    | { kind: OperatorKind | PunctuationKind }
  );

/** Stands after the last token of an equation: the end of the line, or the `\\` that ended the row. */
export interface EndToken {
  kind: 'endOfEquation';
  text: string;
  pos: Position;
}

export type ParserToken = Token | EndToken;

/** A token as messages quote it: `'+'`, or `end of line`. */
export function describeToken(token: ParserToken): string {
  if (token.kind === 'endOfEquation') return token.text === '' ? 'end of line' : `'${token.text}'`;
  return `'${token.text}'`;
}
