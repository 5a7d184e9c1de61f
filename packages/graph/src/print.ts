import type { Expr } from './expr.ts';
import type { Graph } from './graph.ts';
import { latexName } from './parse/index.ts';

/** How to render formulas: Unicode text (`W₃ᵀ ⊙ …` as a terminal shows it) or LaTeX math. */
export type FormulaStyle = 'unicode' | 'latex';

const SUM = 1;
const PRODUCT = 2;
const UNARY = 3;
const POSTFIX = 4;
const ATOM = 5;

interface Printed {
  text: string;
  precedence: number;
}

const FUNCTION_LATEX: Record<string, string> = {
  relu: '\\operatorname{relu}',
  sigmoid: '\\sigma',
  tanh: '\\tanh',
  softmax: '\\operatorname{softmax}',
  exp: '\\exp',
  log: '\\log',
  sum: '\\operatorname{sum}',
};
const DERIVATIVE_OF: Record<string, string> = { reluStep: 'relu', sigmoidDerivative: 'sigmoid', tanhDerivative: 'tanh' };
const FUNCTION_TEXT: Record<string, string> = { sigmoid: 'σ' };

/**
 * The display label of a node in the given style: the name as written (`ŷ`) or its LaTeX
 * (`\hat{y}`); gradient nodes as `∂L/∂W3` or `\frac{\partial L}{\partial W_{3}}`.
 *
 * @example
 * nodeLabel(graph, 'dL/dW3', 'latex'); // '\\frac{\\partial L}{\\partial W_{3}}'
 */
export function nodeLabel(graph: Graph, id: string, style: FormulaStyle = 'unicode'): string {
  const node = graph.node(id);
  if (style === 'unicode') return node.label;
  if (node.gradient) {
    return `\\frac{\\partial ${nodeLabel(graph, node.gradient.of, style)}}{\\partial ${nodeLabel(graph, node.gradient.wrt, style)}}`;
  }
  return latexName(node.id);
}

/**
 * Renders an expression as a textbook formula: juxtaposition for the matrix product, `⊙` for the
 * element-wise one, `ᵀ`, `‖·‖²`, `f'(u)` for derivatives of a bound function.
 *
 * @example
 * formatExpr(graph.node('u1').expression!, graph);           // 'W1 x'
 * formatExpr(graph.node('L').expression!, graph, 'latex');   // '\\frac{1}{2} \\left\\| y - \\hat{y} \\right\\|^{2}'
 */
export function formatExpr(expression: Expr, graph: Graph, style: FormulaStyle = 'unicode'): string {
  const latex = style === 'latex';
  const wrap = (p: Printed, min: number): string => (p.precedence < min ? (latex ? `\\left(${p.text}\\right)` : `(${p.text})`) : p.text);
  const minus = latex ? '-' : '−';

  const print = (e: Expr): Printed => {
    if (e.kind === 'ref') {
      const label = nodeLabel(graph, e.id, style);
      // `∂L/∂u3 z1ᵀ` would read ambiguously; a LaTeX \frac is an atom already.
      return { text: label, precedence: !latex && label.includes('/') ? PRODUCT - 0.5 : ATOM };
    }
    if (e.kind === 'const') return printConstant(e.value, e.text, latex);
    const args = e.args;
    const a = args[0]!;
    switch (e.op) {
      case 'add': {
        const b = args[1]!;
        const left = wrap(print(a), SUM);
        if (b.kind === 'op' && b.op === 'neg') return { text: `${left} ${minus} ${wrap(print(b.args[0]!), PRODUCT)}`, precedence: SUM };
        if (b.kind === 'const' && b.value < 0) return { text: `${left} ${minus} ${printConstant(-b.value, undefined, latex).text}`, precedence: SUM };
        return { text: `${left} + ${wrap(print(b), SUM)}`, precedence: SUM };
      }
      case 'neg':
        return { text: `${minus}${wrap(print(a), UNARY + 1)}`, precedence: UNARY };
      case 'mul': {
        const b = args[1]!;
        if (b.kind === 'op' && b.op === 'recip') {
          if (latex) return { text: `\\frac{${print(a).text}}{${print(b.args[0]!).text}}`, precedence: ATOM };
          return { text: `${wrap(print(a), PRODUCT)} / ${wrap(print(b.args[0]!), POSTFIX)}`, precedence: PRODUCT };
        }
        if (a.kind === 'const') return { text: `${wrap(print(a), POSTFIX)}${latex ? '\\,' : ' '}${wrap(print(b), POSTFIX)}`, precedence: PRODUCT };
        if (b === a) return { text: `${wrap(print(a), ATOM)}${latex ? '^{2}' : '²'}`, precedence: POSTFIX };
        return { text: `${wrap(print(a), PRODUCT)} ${latex ? '\\odot' : '⊙'} ${wrap(print(b), POSTFIX)}`, precedence: PRODUCT };
      }
      case 'recip':
        return latex ? { text: `\\frac{1}{${print(a).text}}`, precedence: ATOM } : { text: `1/${wrap(print(a), ATOM)}`, precedence: PRODUCT };
      case 'matmul':
        return { text: `${wrap(print(a), POSTFIX)}${latex ? '\\,' : ' '}${wrap(print(args[1]!), POSTFIX)}`, precedence: PRODUCT };
      case 'transpose':
        return { text: `${wrap(print(a), ATOM)}${latex ? '^{\\top}' : 'ᵀ'}`, precedence: POSTFIX };
      case 'squaredNorm':
        return latex
          ? { text: `\\left\\| ${print(a).text} \\right\\|^{2}`, precedence: ATOM }
          : { text: `‖${print(a).text}‖²`, precedence: ATOM };
      case 'unbroadcast':
      case 'expand':
        // Summing to (or broadcasting to) the operand's shape is bookkeeping, not part of the textbook formula.
        return print(a);
      case 'reluStep':
      case 'sigmoidDerivative':
      case 'tanhDerivative': {
        const base = DERIVATIVE_OF[e.op]!;
        return { text: `${functionName(base, e.alias, latex)}'${callArgs(print(a).text, latex)}`, precedence: ATOM };
      }
      default:
        return { text: `${functionName(e.op, e.alias, latex)}${callArgs(print(a).text, latex)}`, precedence: ATOM };
    }
  };
  return print(expression).text;
}

function functionName(op: string, alias: string | undefined, latex: boolean): string {
  if (alias !== undefined) return latex && alias.length > 1 ? `\\operatorname{${alias}}` : alias;
  return latex ? (FUNCTION_LATEX[op] ?? `\\operatorname{${op}}`) : (FUNCTION_TEXT[op] ?? op);
}

const callArgs = (inner: string, latex: boolean) => (latex ? `\\left(${inner}\\right)` : `(${inner})`);

function printConstant(value: number, text: string | undefined, latex: boolean): Printed {
  const shown = text ?? String(value);
  const fraction = /^(−?)(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(shown);
  if (latex) {
    if (fraction) return { text: `${fraction[1] ? '-' : ''}\\frac{${fraction[2]}}{${fraction[3]}}`, precedence: fraction[1] ? UNARY : ATOM };
    return { text: shown.replace(/−/g, '-').replace(/·/g, '\\cdot '), precedence: value < 0 ? UNARY : ATOM };
  }
  return { text: shown.replace(/^-/, '−'), precedence: value < 0 ? UNARY : fraction ? POSTFIX : ATOM };
}
