/**
 * KaTeX, rendered into an element; a formula KaTeX cannot typeset shows as its source instead of
 * breaking the page. KaTeX is loaded once the first graph is on screen ({@link loadMath}: the
 * graph does not need it, and on two cores its parsing would hold the graph up), and formulas
 * are typeset in slices of a few milliseconds, so that typesetting hundreds of steps never holds
 * up typing or a drawing arriving from its worker.
 */
import 'katex/dist/katex.min.css';
import { markOnce } from '../marks.ts';

type Katex = typeof import('katex').default;
let katex: Katex | undefined;
let loading: Promise<void> | undefined;

/** At most this long typesetting per task before the page handles input again. */
const SLICE_MS = 12;

interface Job {
  element: HTMLElement;
  latex: string;
  displayMode: boolean;
}
/** Formulas waiting to be typeset, in order; an element asked for again keeps its place with the newest formula. */
const queue = new Map<HTMLElement, Job>();
let scheduled = false;

/** Starts loading KaTeX (once); formulas asked for before it arrives are typeset when it does. @example loadMath() */
export function loadMath(): Promise<void> {
  loading ??= import('katex').then((module) => {
    katex = module.default;
    markOnce('chainrule:katex');
    schedule();
  });
  return loading;
}

/** The event a typeset element sends (it bubbles): a panel that lays formulas out can measure them then. */
export const TYPESET_EVENT = 'chainrule:typeset';

function typeset({ element, latex, displayMode }: Job): void {
  katex!.render(latex, element, { displayMode, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml' });
  element.classList.remove('typesetting');
  element.dispatchEvent(new Event(TYPESET_EVENT, { bubbles: true }));
}

function schedule(): void {
  if (scheduled || !katex || queue.size === 0) return;
  scheduled = true;
  setTimeout(pump, 0);
}

function pump(): void {
  scheduled = false;
  const until = performance.now() + SLICE_MS;
  for (const [element, job] of queue) {
    queue.delete(element);
    if (element.isConnected) typeset(job);
    if (performance.now() >= until) break;
  }
  schedule();
}

/**
 * Typesets LaTeX into `element` soon (in a later slice, after KaTeX has loaded); until then the
 * element shows the LaTeX source, marked `typesetting`. Elements removed meanwhile are skipped.
 *
 * @example renderMath(span, '\\frac{\\partial L}{\\partial y}')
 */
export function renderMath(element: HTMLElement, latex: string, displayMode = false): HTMLElement {
  queue.delete(element);
  queue.set(element, { element, latex, displayMode });
  element.classList.add('typesetting');
  element.textContent = latex;
  schedule();
  return element;
}

/** Typesets a formula asked for with {@link renderMath} at once, if KaTeX is there (a step the student opened). @example renderMathNow(body) */
export function renderMathNow(element: HTMLElement): void {
  const job = queue.get(element);
  if (!job || !katex) return;
  queue.delete(element);
  typeset(job);
}

/** A new span (or div) with the formula, typeset soon. @example list.append(mathSpan('W_{1}')) */
export function mathSpan(latex: string, displayMode = false): HTMLElement {
  return renderMath(document.createElement(displayMode ? 'div' : 'span'), latex, displayMode);
}
