import type { Expr, OpExpr } from './expr.ts';
import type { Graph } from './graph.ts';
import { PRECEDENCE, type Printed, type Printer, opRecord } from './ops/index.ts';
import { displayName, latexLabel } from './parse/names.ts';

/**
 * How to render formulas: Unicode text (`W₃ᵀ ⊙ …` as a terminal shows it), LaTeX math, or
 * `written` — Unicode with every name as the equations write it (`W_3`, `W3`): the one naming of messages.
 */
export type FormulaStyle = 'unicode' | 'latex' | 'written';

const { UNARY, PRODUCT, POSTFIX, ATOM } = PRECEDENCE;
const SUBSCRIPT_DIGITS = '₀₁₂₃₄₅₆₇₈₉';

/**
 * The display label of a node in the given style, as a typeset sheet writes it: the name as written
 * with its subscripts as Unicode subscripts (`W_3`, `W3` → `W₃`; `ŷ`, `a⁽¹⁾`), or its LaTeX (`W_{3}`,
 * `\hat{y}`, `a^{(1)}`); gradient nodes as `∂L/∂W₃` or `\frac{\partial L}{\partial W_{3}}`.
 *
 * @example
 * nodeLabel(graph, 'dL/dW3', 'latex'); // '\\frac{\\partial L}{\\partial W_{3}}'
 */
export function nodeLabel(graph: Graph, id: string, style: FormulaStyle = 'unicode'): string {
  if (style === 'written') return graph.node(id).label;
  // Remembered per graph (graphs and their nodes never change): every formula asks for the label of each name it reads.
  let labels = (style === 'unicode' ? unicodeLabels : latexLabels).get(graph);
  if (!labels) (style === 'unicode' ? unicodeLabels : latexLabels).set(graph, (labels = new Map()));
  let label = labels.get(id);
  if (label === undefined) labels.set(id, (label = styledLabel(graph, id, style)));
  return label;
}
const unicodeLabels = new WeakMap<Graph, Map<string, string>>();
const latexLabels = new WeakMap<Graph, Map<string, string>>();

function styledLabel(graph: Graph, id: string, style: 'unicode' | 'latex'): string {
  const node = graph.node(id);
  if (node.gradient) {
    const of = nodeLabel(graph, node.gradient.of, style);
    const wrt = nodeLabel(graph, node.gradient.wrt, style);
    return style === 'unicode' ? `∂${of}/∂${wrt}` : `\\frac{\\partial ${of}}{\\partial ${wrt}}`;
  }
  if (node.part) {
    const whole = nodeLabel(graph, node.part.of, style);
    const index = String(node.part.index);
    return style === 'unicode' ? `${whole.includes('/') ? `(${whole})` : whole}₍${Array.from(index, (d) => SUBSCRIPT_DIGITS[Number(d)]).join('')}₎` : `{${whole}}_{(${index})}`;
  }
  return style === 'unicode' ? displayName(node.label) : latexLabel(node.label, node.id);
}

/**
 * Renders an expression as a textbook formula: juxtaposition for the matrix product, `⊙` for the
 * element-wise one, `ᵀ`, `‖·‖²`, `f'(u)` for derivatives of a bound function. How each op is
 * written is in its entry of the op table.
 *
 * @example
 * formatExpr(graph.node('u1').expression!, graph);           // 'W1 x'
 * formatExpr(graph.node('L').expression!, graph, 'latex');   // '\\frac{1}{2}\\,\\left\\| y - \\hat{y} \\right\\|^{2}'
 */
export function formatExpr(expression: Expr, graph: Graph, style: FormulaStyle = 'unicode'): string {
  const latex = style === 'latex';
  const refs = new Map<string, Printed>();
  const printed = new Map<Expr, Printed>();
  const printer: Printer = {
    latex,
    minus: latex ? '-' : '−',
    wrap: (p, min) => (p.precedence < min ? (latex ? `\\left(${p.text}\\right)` : `(${p.text})`) : p.text),
    constant: (value, text) => printConstant(value, text, latex),
    call: (name, inner) => ({ text: latex ? `${name}\\left(${inner}\\right)` : `${name}(${inner})`, precedence: ATOM }),
    functionName: (op, alias) => {
      if (alias !== undefined) return latex && alias.length > 1 ? `\\operatorname{${alias}}` : alias;
      const notation = opRecord(op).notation;
      return latex ? notation.latex : notation.unicode;
    },
    print: (e) => {
      if (e.kind === 'op') return printed.get(e)!;
      if (e.kind === 'const') return printConstant(e.value, e.text, latex);
      let label = refs.get(e.id);
      if (label === undefined) {
        const text = nodeLabel(graph, e.id, style);
        // `∂L/∂u3 z1ᵀ` would read ambiguously; a LaTeX \frac is an atom already.
        refs.set(e.id, (label = { text, precedence: !latex && text.includes('/') ? PRODUCT - 0.5 : ATOM }));
      }
      return label;
    },
  };
  // Post-order, each op printed once and remembered: its printer then finds its arguments ready (no
  // recursion as deep as the expression), and a subexpression the gradient graph shares is printed
  // once, not once per path to it. Leaves are not remembered by object (a gradient expression has
  // thousands of references, each cheap to print): a reference's text is kept once per name.
  if (expression.kind !== 'op') return printer.print(expression).text;
  // Two parallel stacks, not a pair per entry: an expression and whether its arguments are printed.
  const stack: Expr[] = [expression];
  const argsDone: boolean[] = [false];
  while (stack.length > 0) {
    const e = stack.pop() as OpExpr;
    if (argsDone.pop()) {
      printed.set(e, opRecord(e.op).print(e, printer));
      continue;
    }
    if (printed.has(e)) continue;
    stack.push(e);
    argsDone.push(true);
    for (const arg of e.args) {
      if (arg.kind === 'op' && !printed.has(arg)) {
        stack.push(arg);
        argsDone.push(false);
      }
    }
  }
  return printed.get(expression)!.text;
}

function printConstant(value: number, text: string | undefined, latex: boolean): Printed {
  const shown = text ?? String(value);
  const fraction = /^(−?)(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(shown);
  if (latex) {
    if (fraction) return { text: `${fraction[1] ? '-' : ''}\\frac{${fraction[2]}}{${fraction[3]}}`, precedence: fraction[1] ? UNARY : ATOM };
    return { text: shown.replace(/−/g, '-').replace(/·/g, '\\cdot '), precedence: value < 0 ? UNARY : ATOM };
  }
  return { text: shown.replace(/^-/, '−'), precedence: value < 0 ? UNARY : fraction ? POSTFIX : ATOM };
}
