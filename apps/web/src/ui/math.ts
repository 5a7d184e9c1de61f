/**
 * KaTeX, rendered into an element; a formula KaTeX cannot typeset shows as its source instead of
 * breaking the page. KaTeX is loaded after the page starts (it is not needed to draw the graph),
 * and formulas asked for before it arrives are typeset when it does.
 */
import 'katex/dist/katex.min.css';

type Katex = typeof import('katex').default;
let katex: Katex | undefined;
const waiting: (() => void)[] = [];
void import('katex').then((module) => {
  katex = module.default;
  for (const render of waiting.splice(0)) render();
});

/** Renders LaTeX into `element` (now, or as soon as KaTeX is loaded). @example renderMath(span, '\\frac{\\partial L}{\\partial y}') */
export function renderMath(element: HTMLElement, latex: string, displayMode = false): HTMLElement {
  const render = () => katex!.render(latex, element, { displayMode, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml' });
  if (katex) render();
  else {
    element.textContent = latex;
    waiting.push(render);
  }
  return element;
}

/** A new span with the formula. @example list.append(mathSpan('W_{1}')) */
export function mathSpan(latex: string, displayMode = false): HTMLElement {
  return renderMath(document.createElement(displayMode ? 'div' : 'span'), latex, displayMode);
}
