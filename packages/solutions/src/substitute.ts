import { type Expr, type Graph, type OpExpr, evaluateExpr, formatExpr } from '@chainrule/graph';
import { type Tensor, formatNumber } from '@chainrule/tensor';

/** A formula in both forms a solution shows: Unicode text and LaTeX. */
export interface MathText {
  unicode: string;
  latex: string;
}

/** How numbers are written inside substitutions. */
export interface NumberStyle {
  decimals: number;
}

const MAX_ENTRIES = 64;

const lookThrough = (e: Expr): Expr => {
  let current = e;
  while (current.kind === 'op' && (current.op === 'unbroadcast' || current.op === 'expand')) current = current.args[0]!;
  return current;
};

/** Writes a number for a substitution; negative numbers get parentheses where they follow an operator. */
function numberText(v: number, style: NumberStyle, latex: boolean, wrapNegative = false): string {
  const text = formatNumber(v, { decimals: style.decimals, trimZeros: true });
  const signed = text.startsWith('-') ? (latex ? text : `−${text.slice(1)}`) : text;
  return wrapNegative && text.startsWith('-') ? (latex ? `\\left(${signed}\\right)` : `(${signed})`) : signed;
}

/** Lays out per-entry strings in the shape of `shape`: a vector as a list (LaTeX: a column), a matrix as rows. */
function layout(entries: string[], shape: readonly number[], latex: boolean): string {
  if (shape.length < 2) {
    if (shape.length === 0) return entries[0]!;
    return latex ? `\\begin{bmatrix} ${entries.join(' \\\\ ')} \\end{bmatrix}` : `[${entries.join(', ')}]`;
  }
  const [rows, cols] = shape as [number, number];
  const lines = Array.from({ length: rows }, (_, i) => entries.slice(i * cols, (i + 1) * cols));
  return latex
    ? `\\begin{bmatrix} ${lines.map((l) => l.join(' & ')).join(' \\\\ ')} \\end{bmatrix}`
    : `[${lines.map((l) => `[${l.join(', ')}]`).join(', ')}]`;
}

/**
 * The numbers substituted into a node's formula, entry by entry, as a student writes them:
 * `W1 x` becomes `[0.4·1 + 0.5·2 + 0.25·3 + 0.1·4, …]`, an outer product `(∂L/∂u3) z1ᵀ` becomes
 * the matrix of products, `f(u1)` becomes `[max(0, 2.55), …]`. Returns undefined where a
 * substitution would not help (a plain copy, or too many entries).
 *
 * @example
 * substitution(graph.node('u1').expression!, graph, values, { decimals: 4 })?.unicode;
 * // '[0.4·1 + 0.5·2 + 0.25·3 + 0.1·4, 0.2·1 + 0.25·2 + 0.4·3 + 0.5·4, 0.1·1 + 0.75·2 + 0.3·3 + 0·4]'
 */
export function substitution(expression: Expr, graph: Graph, values: ReadonlyMap<string, Tensor>, style: NumberStyle): MathText | undefined {
  const unicode = substitute(expression, graph, values, style, false);
  const latex = substitute(expression, graph, values, style, true);
  return unicode === undefined || latex === undefined ? undefined : { unicode, latex };
}

function substitute(expression: Expr, graph: Graph, values: ReadonlyMap<string, Tensor>, style: NumberStyle, latex: boolean): string | undefined {
  const e = lookThrough(expression);
  if (e.kind !== 'op') return undefined;
  const memo = new Map<Expr, Tensor>();
  const valueOf = (arg: Expr) => evaluateExpr(arg, values, memo);
  const num = (v: number, wrap = false) => numberText(v, style, latex, wrap);
  const times = latex ? ' \\cdot ' : '·';
  const out = valueOf(e);
  if (out.size > MAX_ENTRIES) return undefined;
  /** Entry by entry, the sums of products of a matrix product (`0.4·1 + 0.5·2 + …`). */
  const productTerms = (product: OpExpr): string[] => {
    const left = valueOf(product.args[0]!);
    const right = valueOf(product.args[1]!);
    const k = left.rank === 2 ? left.shape[1]! : 1;
    const m = left.rank === 2 ? left.shape[0]! : left.size;
    const n = right.rank === 2 ? right.shape[1]! : 1;
    const entries: string[] = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const terms: string[] = [];
        for (let p = 0; p < k; p++) terms.push(`${num(left.data[i * k + p]!, true)}${times}${num(right.data[p * n + j]!, true)}`);
        entries.push(terms.join(' + '));
      }
    }
    return entries;
  };

  switch (e.op) {
    case 'matmul':
      return layout(productTerms(e), out.shape, latex);
    case 'add':
    case 'mul': {
      const [a, b] = e.args as [Expr, Expr];
      const norm = lookThrough(b);
      if (e.op === 'mul' && a.kind === 'const' && norm.kind === 'op' && norm.op === 'squaredNorm') {
        const inner = substitute(norm, graph, values, style, latex);
        const factor = a.text ? formatExpr(a, graph, latex ? 'latex' : 'unicode') : num(a.value);
        return inner === undefined ? undefined : latex ? `${factor} \\left(${inner}\\right)` : `${factor} (${inner})`;
      }
      const subtracts = e.op === 'add' && b.kind === 'op' && b.op === 'neg';
      const second = subtracts ? (b as OpExpr).args[0]! : b;
      const left = valueOf(a);
      const right = valueOf(second);
      if (left.size !== out.size && left.size !== 1) return undefined;
      if (right.size !== out.size && right.size !== 1) return undefined;
      const symbol = e.op === 'mul' ? times : subtracts ? (latex ? ' - ' : ' − ') : ' + ';
      const at = (t: Tensor, i: number) => t.data[t.size === 1 ? 0 : i]!;
      // In a sum, a matrix product shows its products too: `W1 x + b1` → `0.15·0.05 + 0.2·0.1 + 0.35`.
      const inner = lookThrough(a);
      const leftTerms = e.op === 'add' && inner.kind === 'op' && inner.op === 'matmul' && left.size === out.size ? productTerms(inner) : undefined;
      const entries = Array.from({ length: out.size }, (_, i) => `${leftTerms?.[i] ?? num(at(left, i))}${symbol}${num(at(right, i), true)}`);
      return layout(entries, out.shape, latex);
    }
    case 'neg': {
      const inner = valueOf(e.args[0]!);
      const entries = Array.from(inner.data, (v) => `${latex ? '-' : '−'}${num(v, true)}`);
      return layout(entries, out.shape, latex);
    }
    case 'squaredNorm': {
      const inner = valueOf(e.args[0]!);
      const squares = Array.from(inner.data, (v) => `${num(v, true)}${latex ? '^{2}' : '²'}`);
      return squares.join(' + ');
    }
    case 'relu':
    case 'sigmoid':
    case 'tanh':
    case 'exp':
    case 'log':
    case 'reluStep':
    case 'sigmoidDerivative':
    case 'tanhDerivative': {
      const inner = valueOf(e.args[0]!);
      const name = e.op === 'relu' ? null : formatExpr({ ...e, args: [{ kind: 'const', value: 0, text: '§' }] }, graph, latex ? 'latex' : 'unicode');
      const entries = Array.from(inner.data, (v) => {
        if (name === null) return latex ? `\\max(0, ${num(v)})` : `max(0, ${num(v)})`;
        return name.replace('§', num(v));
      });
      return layout(entries, out.shape, latex);
    }
    default:
      return undefined;
  }
}
