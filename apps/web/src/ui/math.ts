/** KaTeX, rendered into an element; a formula KaTeX cannot typeset shows as its source instead of breaking the page. */
import katex from 'katex';
import 'katex/dist/katex.min.css';

/** Renders LaTeX into `element`. @example renderMath(span, '\\frac{\\partial L}{\\partial y}') */
export function renderMath(element: HTMLElement, latex: string, displayMode = false): HTMLElement {
  katex.render(latex, element, { displayMode, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml' });
  return element;
}

/** A new span with the formula. @example list.append(mathSpan('W_{1}')) */
export function mathSpan(latex: string, displayMode = false): HTMLElement {
  return renderMath(document.createElement(displayMode ? 'div' : 'span'), latex, displayMode);
}
