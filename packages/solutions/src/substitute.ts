import { type Expr, type Graph, type OpExpr, evaluateExpr, formatExpr, lookThrough, opRecord } from '@chainrule/graph';
import { type ExactTensor, type Tensor, layoutEntries, matmulShape } from '@chainrule/tensor';
import { entryText, exactValueOf } from './value-text.ts';

/** A formula in both forms a solution shows: Unicode text and LaTeX. */
export interface MathText {
  unicode: string;
  latex: string;
}

/** How numbers are written inside substitutions. */
export interface NumberStyle {
  /** Places of float64 numbers (σ, tanh, … and what follows them). */
  decimals: number;
  /** The exact values of nodes, by id: a number is written exactly (`4.32825`, `1/3`) wherever its exact value is known. */
  exact?: ReadonlyMap<string, ExactTensor>;
}

const MAX_ENTRIES = 64;

const layout = (entries: string[], shape: readonly number[], latex: boolean): string => layoutEntries(entries, shape, latex ? 'latex' : 'inline');

/**
 * The numbers substituted into a node's formula, entry by entry, as a student writes them:
 * `W1 x` becomes `[0.4·1 + 0.5·2 + 0.25·3 + 0.1·4, …]`, an outer product `(∂L/∂u3) z1ᵀ` becomes
 * the matrix of products, `f(u1)` becomes `[max(0, 2.55), …]`. Numbers are exact where `style.exact`
 * knows them (`9.011·1`, `4.32825·2`), float64 ones to `style.decimals` places. Returns undefined
 * where a substitution would not help (a plain copy, or too many entries).
 *
 * @example
 * substitution(graph.node('u1').expression!, graph, values, { decimals: 4 })?.unicode;
 * // '[0.4·1 + 0.5·2 + 0.25·3 + 0.1·4, 0.2·1 + 0.25·2 + 0.4·3 + 0.5·4, 0.1·1 + 0.75·2 + 0.3·3 + 0·4]'
 */
export function substitution(expression: Expr, graph: Graph, values: ReadonlyMap<string, Tensor>, style: NumberStyle): MathText | undefined {
  // One evaluation of the subexpressions for both forms.
  const memos: Memos = { values: new Map(), exact: new Map() };
  const unicode = substitute(expression, graph, values, style, false, memos);
  const latex = unicode === undefined ? undefined : substitute(expression, graph, values, style, true, memos);
  return unicode === undefined || latex === undefined ? undefined : { unicode, latex };
}

interface Memos {
  readonly values: Map<Expr, Tensor>;
  readonly exact: Map<Expr, ExactTensor | null>;
}

function substitute(expression: Expr, graph: Graph, values: ReadonlyMap<string, Tensor>, style: NumberStyle, latex: boolean, memos: Memos): string | undefined {
  const e = lookThrough(expression);
  if (e.kind !== 'op') return undefined;
  const { values: memo, exact: exactMemo } = memos;
  const valueOf = (arg: Expr) => evaluateExpr(arg, values, memo);
  /** Entry `i` of an argument, exact where its exact value is known. */
  const num = (arg: Expr, i: number, wrap = false) => {
    const value = valueOf(arg);
    const at = value.size === 1 ? 0 : i;
    const exact = style.exact ? exactValueOf(arg, style.exact, exactMemo) : undefined;
    return entryText(value.data[at]!, exact?.data[at], { decimals: style.decimals, latex, wrap });
  };
  const times = latex ? ' \\cdot ' : '·';
  const out = valueOf(e);
  if (out.size > MAX_ENTRIES) return undefined;
  // A row times a column, (y − ŷ)ᵀ(y − ŷ), is a number: written without brackets.
  const shape = out.size === 1 && isInnerProduct(e, values) ? [] : out.shape;
  /** Entry by entry, the sums of products of a matrix product (`0.4·1 + 0.5·2 + …`). */
  const productTerms = (product: OpExpr): string[] => {
    const [leftArg, rightArg] = product.args as [Expr, Expr];
    const { m, n, k } = matmulShape(valueOf(leftArg).shape, valueOf(rightArg).shape);
    const entries: string[] = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const terms: string[] = [];
        for (let p = 0; p < k; p++) terms.push(`${num(leftArg, i * k + p, true)}${times}${num(rightArg, p * n + j, true)}`);
        entries.push(terms.join(' + '));
      }
    }
    return entries;
  };

  const how = opRecord(e.op).substitution;
  switch (how) {
    case undefined:
      return undefined;
    case 'products':
      return layout(productTerms(e), shape, latex);
    case 'sum':
    case 'product': {
      const [a, b] = e.args as [Expr, Expr];
      const norm = lookThrough(b);
      if (how === 'product' && a.kind === 'const' && norm.kind === 'op' && opRecord(norm.op).substitution === 'sumOfSquares') {
        const inner = substitute(norm, graph, values, style, latex, memos);
        const factor = a.text ? formatExpr(a, graph, latex ? 'latex' : 'unicode') : num(a, 0);
        return inner === undefined ? undefined : latex ? `${factor} \\left(${inner}\\right)` : `${factor} (${inner})`;
      }
      // ½ (y − ŷ)ᵀ(y − ŷ): the factor, then the inner product's terms.
      if (how === 'product' && a.kind === 'const' && shape.length === 0 && norm.kind === 'op' && opRecord(norm.op).substitution === 'products') {
        const factor = a.text ? formatExpr(a, graph, latex ? 'latex' : 'unicode') : num(a, 0);
        const [terms] = productTerms(norm);
        return latex ? `${factor} \\left(${terms}\\right)` : `${factor} (${terms})`;
      }
      const subtracts = how === 'sum' && b.kind === 'op' && opRecord(b.op).substitution === 'negation';
      const second = subtracts ? (b as OpExpr).args[0]! : b;
      const left = valueOf(a);
      const right = valueOf(second);
      if (left.size !== out.size && left.size !== 1) return undefined;
      if (right.size !== out.size && right.size !== 1) return undefined;
      const symbol = how === 'product' ? times : subtracts ? (latex ? ' - ' : ' − ') : ' + ';
      // In a sum, a matrix product shows its products too: `W1 x + b1` → `0.15·0.05 + 0.2·0.1 + 0.35`.
      const inner = lookThrough(a);
      const leftTerms =
        how === 'sum' && inner.kind === 'op' && opRecord(inner.op).substitution === 'products' && left.size === out.size ? productTerms(inner) : undefined;
      const entries = Array.from({ length: out.size }, (_, i) => `${leftTerms?.[i] ?? num(a, i)}${symbol}${num(second, i, true)}`);
      return layout(entries, shape, latex);
    }
    case 'negation': {
      const inner = valueOf(e.args[0]!);
      const entries = Array.from(inner.data, (_, i) => `${latex ? '-' : '−'}${num(e.args[0]!, i, true)}`);
      return layout(entries, shape, latex);
    }
    case 'sumOfSquares': {
      const inner = valueOf(e.args[0]!);
      const squares = Array.from(inner.data, (_, i) => `${num(e.args[0]!, i, true)}${latex ? '^{2}' : '²'}`);
      return squares.join(' + ');
    }
    case 'call': {
      // The op printed around a placeholder, e.g. `σ(§)` or `f'(§)`, filled in with each entry.
      const inner = valueOf(e.args[0]!);
      const template = formatExpr({ ...e, args: [{ kind: 'const', value: 0, text: '§' }] }, graph, latex ? 'latex' : 'unicode');
      return layout(Array.from(inner.data, (_, i) => template.replace('§', num(e.args[0]!, i))), shape, latex);
    }
    default: {
      const inner = valueOf(e.args[0]!);
      return layout(Array.from(inner.data, (_, i) => how.entry(num(e.args[0]!, i), latex)), shape, latex);
    }
  }
}

/**
 * Whether an expression is, through constant factors, the product of a transposed vector and a
 * vector — the quadratic form `(y − ŷ)ᵀ(y − ŷ)`, `½ vᵀw` — whose one entry is a number.
 *
 * @example
 * isInnerProduct(graph.node('L').expression!, values); // true for L = 1/2 (y − ŷ)ᵀ(y − ŷ)
 */
export function isInnerProduct(expression: Expr, values: ReadonlyMap<string, Tensor>): boolean {
  let e = lookThrough(expression);
  while (e.kind === 'op' && opRecord(e.op).substitution === 'product') {
    const [a, b] = e.args.map(lookThrough) as [Expr, Expr];
    if (a.kind === 'const') e = b;
    else if (b.kind === 'const') e = a;
    else break;
  }
  if (e.kind !== 'op' || opRecord(e.op).substitution !== 'products') return false;
  // The left factor a transposed vector vᵀ (a row matrix W stays a matrix: W x is a vector, even of one entry).
  const left = lookThrough(e.args[0]!);
  if (left.kind !== 'op' || left.op !== 'transpose') return false;
  const memo = new Map<Expr, Tensor>();
  const right = evaluateExpr(e.args[1]!, values, memo);
  return evaluateExpr(left.args[0]!, values, memo).rank === 1 && right.rank === 1;
}
