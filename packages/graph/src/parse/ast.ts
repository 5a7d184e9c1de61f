/** A 1-based position in the original source text (for LaTeX input: in the LaTeX as typed). */
export interface Position {
  line: number;
  column: number;
}

/**
 * A variable name as written, with its canonical key. Different spellings of one name share a key:
 * `W3`, `W_3`, `W₃`, `W_{3}`, `\boldsymbol{W}_3` → `W3`; `yhat`, `y_hat`, `ŷ`, `\hat{y}` → `yhat`.
 */
export interface Name {
  /** Canonical key used to match names across spellings. */
  key: string;
  /** The spelling as it appears at this place in the source (LaTeX markup stripped). */
  text: string;
}

/** An expression as parsed, before names are resolved. */
export type Ast =
  | { type: 'number'; value: number; text: string; pos: Position }
  | { type: 'name'; name: Name; pos: Position }
  /** `*` and `⊙` are the element-wise product; juxtaposition, `·` and `@` the matrix product. */
  | { type: 'binary'; op: '+' | '-' | '*' | '/' | 'matmul'; left: Ast; right: Ast; pos: Position }
  | { type: 'negate'; operand: Ast; pos: Position }
  /** `name(arg)`: a function application, or a product `W (x + b)` — the graph builder decides by what `name` is bound to. */
  | { type: 'call'; callee: Name; args: Ast[]; pos: Position }
  /** `||v||^2`, `‖v‖²`, `\left\| v \right\|^2`. */
  | { type: 'squaredNorm'; operand: Ast; pos: Position }
  /** `e^2` or `e²` on anything but a norm: the element-wise square. */
  | { type: 'square'; operand: Ast; pos: Position }
  /** `W^T`, `Wᵀ`, `W^\top`. */
  | { type: 'transpose'; operand: Ast; pos: Position };

/** One line `target = expression`. */
export interface Equation {
  target: Name;
  expression: Ast;
  /** Position of the target name. */
  pos: Position;
  /** The equation as written (one line of the source, trimmed), for messages and worked solutions. */
  source: string;
}
