/**
 * The steps panel: the worked solution, forward then backward, each step's formula, substitution
 * and value in KaTeX (exact, or rounded at every step) — or, in practice mode, the formula and a
 * field for the student's number with the grader's verdict. A long solution is built as it is
 * read: every step has its item (its head, and its values as data attributes), but its formulas
 * and answer field are made and typeset only when it comes near the screen (or is opened), so an
 * edit of a network of hundreds of steps never builds hundreds of formulas in one task.
 */
import type { PracticeReport, StepView } from '../model.ts';
import { TYPESET_EVENT, renderMath, renderMathNow } from './math.ts';

/** The panel's handle. */
export interface StepsPanel {
  show(steps: readonly StepView[], options: { round: number | null; mode: 'solution' | 'practice'; answers: Record<string, string> }): void;
  /** Opens (scrolls to, marks) the step of a node; false when the node has no step. */
  open(id: string | undefined): boolean;
  grade(report: PracticeReport | undefined, error?: string): void;
}

/** Up to this many steps a solution is built and typeset whole, not only near the screen. */
const WHOLE_SOLUTION_STEPS = 60;

const shapeText = (shape: readonly number[]) => (shape.length === 0 ? 'a number' : shape.length === 1 ? `${shape[0]} numbers` : `${shape[0]}×${shape[1]}: rows separated by ;`);

/** Wires the panel. @example createStepsPanel(list, summary, { onSelect, onAnswer }) */
export function createStepsPanel(
  list: HTMLOListElement,
  summary: HTMLElement,
  handlers: { onSelect: (id: string) => void; onAnswer: (id: string, text: string) => void },
): StepsPanel {
  let items = new Map<string, HTMLLIElement>();
  /** Items whose body is made when they come near the screen: the function that makes it. */
  let pending = new Map<Element, () => void>();
  let current: readonly StepView[] = [];
  /** What each shown item was made from, so an edit that changes a few steps redraws only those. */
  let made = new Map<string, string>();
  let madeOrder = '';
  /** A short solution is built whole (typeset in slices, in order); a long one as its steps come near the screen. */
  let wholeSolution = true;
  /** The last grading, for the items made after it. */
  let report: PracticeReport | undefined;
  const observer =
    typeof IntersectionObserver === 'function'
      ? new IntersectionObserver(
          (entries) => {
            for (const entry of entries) if (entry.isIntersecting) fill(entry.target);
          },
          { rootMargin: '600px' },
        )
      : undefined;
  /** Makes an item's body now, if it is still to be made. */
  const fill = (item: Element) => {
    const make = pending.get(item);
    if (!make) return;
    pending.delete(item);
    observer?.unobserve(item);
    make();
  };
  const forget = (item: Element) => {
    pending.delete(item);
    observer?.unobserve(item);
  };
  // A step whose formula is wider than its column (a long substitution) gets the whole row, instead of a
  // formula cut off at the card's edge: measured once per frame for the steps typeset meanwhile.
  const typesetSteps = new Set<HTMLElement>();
  /**
   * New items of changed steps (new numbers, an edited value), hidden beside the items they replace until their
   * formulas are typeset: the card keeps its old formulas meanwhile instead of showing LaTeX source (and jumping in
   * height twice). New item → the item still shown.
   */
  let staged = new Map<HTMLLIElement, HTMLLIElement>();
  const swapWhenTypeset = (item: HTMLLIElement) => {
    const shown = staged.get(item);
    if (!shown || item.querySelector('.typesetting')) return;
    staged.delete(item);
    shown.remove();
    item.hidden = false;
  };
  list.addEventListener(TYPESET_EVENT, (event) => {
    const item = (event.target as HTMLElement).closest<HTMLLIElement>('li.step');
    if (!item) return;
    swapWhenTypeset(item);
    if (typesetSteps.size === 0) requestAnimationFrame(measureWidths);
    typesetSteps.add(item);
  });
  function measureWidths(): void {
    const items = [...typesetSteps].filter((item) => item.isConnected && !item.classList.contains('wide'));
    typesetSteps.clear();
    const wide = items.filter((item) => [...item.querySelectorAll<HTMLElement>('.block')].some((block) => block.scrollWidth > block.clientWidth + 1));
    for (const item of wide) item.classList.add('wide');
  }
  /** The open step's formulas, typeset at once. */
  const renderNow = (item: Element) => {
    fill(item);
    for (const target of item.querySelectorAll<HTMLElement>('.math')) renderMathNow(target);
  };

  function makeItem(step: StepView, index: number, round: number | null, mode: 'solution' | 'practice', answers: Record<string, string>): HTMLLIElement {
    const item = document.createElement('li');
    item.className = `step ${step.phase}`;
    item.id = `step-${index}`;
    item.dataset.node = step.id;
    item.dataset.name = step.name;
    item.dataset.value = JSON.stringify(step.value);
    if (step.rounded !== undefined) item.dataset.rounded = JSON.stringify(step.rounded);
    const head = document.createElement('button');
    head.type = 'button';
    head.className = 'step-head';
    head.setAttribute('aria-description', 'shows this node in the graph');
    const where = document.createElement('span');
    where.className = 'where';
    where.textContent = `step ${index + 1}${step.line !== undefined ? ` · line ${step.line}` : ''}`;
    const name = document.createElement('span');
    name.className = 'name';
    name.textContent = step.display;
    head.append(where, name);
    head.addEventListener('click', () => handlers.onSelect(step.id));
    item.append(head);
    const make = () => {
      item.classList.remove('unmade');
      item.append(...itemBody(step, index, round, mode, answers));
      if (report) showVerdict(step, item, report);
    };
    if (wholeSolution || !observer) make();
    else {
      item.classList.add('unmade');
      pending.set(item, make);
      observer.observe(item);
    }
    return item;
  }

  /** A step's formula (with its substitution and value in solution mode), its chain rule, and in practice mode the answer field. */
  function itemBody(step: StepView, index: number, round: number | null, mode: 'solution' | 'practice', answers: Record<string, string>): HTMLElement[] {
    const body = document.createElement('div');
    body.className = 'math block';
    const lines = [`${step.nameLatex} &= ${step.formulaLatex}`];
    if (mode === 'solution') {
      if (round === null || step.rounded === undefined) {
        if (step.substitutionLatex) lines.push(`&= ${step.substitutionLatex}`);
        lines.push(`&= ${step.valueLatex}`);
      } else {
        const substitution = step.roundedSubstitutionLatex ?? step.substitutionLatex;
        if (substitution) lines.push(`&= ${substitution}`);
        lines.push(`&\\approx ${step.roundedLatex}`);
      }
    }
    renderMath(body, `\\begin{aligned}${lines.join(' \\\\ ')}\\end{aligned}`, true);
    const parts: HTMLElement[] = [body];
    if (step.chainLatex && mode === 'solution') {
      const chain = document.createElement('div');
      chain.className = 'math chain';
      chain.setAttribute('aria-label', 'the chain rule along the paths from the loss');
      renderMath(chain, step.chainLatex, true);
      parts.push(chain);
    }
    if (mode === 'practice') {
      const field = document.createElement('div');
      field.className = 'answer';
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'text';
      input.id = `answer-${index}`;
      input.dataset.node = step.id;
      input.autocomplete = 'off';
      input.spellcheck = false;
      input.value = answers[step.id] ?? '';
      input.placeholder = shapeText(step.shape);
      label.htmlFor = input.id;
      label.textContent = `your ${step.display}`;
      const verdict = document.createElement('span');
      verdict.className = 'verdict';
      verdict.id = `verdict-${index}`;
      verdict.setAttribute('aria-live', 'polite');
      input.setAttribute('aria-describedby', verdict.id);
      input.addEventListener('change', () => handlers.onAnswer(step.id, input.value));
      input.addEventListener('keydown', (event) => {
        if (event.key !== 'Enter') return;
        handlers.onAnswer(step.id, input.value);
        // On to the next step's field (made now if it was not yet).
        const next = current[current.findIndex((s) => s.id === step.id) + 1];
        const nextItem = next && items.get(next.id);
        if (!nextItem) return;
        fill(nextItem);
        nextItem.querySelector<HTMLInputElement>('.answer input')?.focus();
      });
      field.append(label, input, verdict);
      parts.push(field);
    }
    return parts;
  }

  /** One step's verdict from a grading, on its item (its field's text only once the body is made). */
  function showVerdict(step: StepView, item: HTMLLIElement, graded: PracticeReport): void {
    const unreadable = graded.unreadable[step.id];
    const result = graded.items[step.id];
    const status = unreadable ? 'unreadable' : (result?.status ?? 'missing');
    item.dataset.status = status;
    item.classList.toggle('first', graded.firstWrong?.id === step.id);
    const verdict = item.querySelector<HTMLElement>('.verdict');
    if (!verdict) return;
    verdict.textContent =
      status === 'unreadable'
        ? `cannot read this: ${unreadable}`
        : status === 'correct'
          ? '✓ correct'
          : status === 'carried'
            ? `✓ correct from your own earlier values (error carried forward)`
            : status === 'wrong'
              ? `✗ wrong${result?.offBy !== undefined && Number.isFinite(result.offBy) ? ` — off by up to ${Number(result.offBy.toPrecision(3))}` : result?.message ? ` — ${result.message.replace(/expected [^,]*, /, '')}` : ''}`
              : '';
    if (result?.maxPoints !== undefined && status !== 'missing') verdict.textContent += ` (${result.points ?? 0}/${result.maxPoints} pt)`;
  }

  return {
    show(steps, { round, mode, answers }) {
      const order = JSON.stringify([mode, round, steps.map((s) => s.id)]);
      const recipes = new Map(steps.map((step) => [step.id, JSON.stringify(step)]));
      if (order === madeOrder && mode === 'solution') {
        // Same steps in the same order: replace only the items whose content changed — in a short solution once
        // the new item's formulas are typeset (a long one builds items as they come near the screen: replaced at once).
        for (const [index, step] of steps.entries()) {
          if (made.get(step.id) === recipes.get(step.id)) continue;
          const old = items.get(step.id)!;
          forget(old);
          const shown = staged.get(old) ?? old;
          if (shown !== old) {
            staged.delete(old);
            old.remove();
          }
          const item = makeItem(step, index, round, mode, answers);
          if (shown.classList.contains('open')) item.classList.add('open');
          items.set(step.id, item);
          if (wholeSolution) {
            item.hidden = true;
            shown.after(item);
            staged.set(item, shown);
            swapWhenTypeset(item);
          } else shown.replaceWith(item);
        }
        made = recipes;
        current = steps;
        return;
      }
      observer?.disconnect();
      pending = new Map();
      items = new Map();
      staged = new Map();
      report = undefined;
      current = steps;
      made = recipes;
      madeOrder = order;
      wholeSolution = steps.length <= WHOLE_SOLUTION_STEPS;
      // Only a long solution leaves its off-screen steps unrendered (content-visibility): a short one is drawn whole,
      // so a full-page picture (a screenshot, a print) never shows an empty card, and every card's width is measured.
      list.classList.toggle('long', !wholeSolution);
      const children: HTMLElement[] = [];
      let phase: string | undefined;
      for (const [index, step] of steps.entries()) {
        if (step.phase !== phase) {
          phase = step.phase;
          const heading = document.createElement('li');
          heading.className = 'phase';
          heading.textContent = phase === 'forward' ? 'Forward pass' : 'Backward pass — from ∂L/∂L = 1, the chain rule node by node';
          children.push(heading);
        }
        const item = makeItem(step, index, round, mode, answers);
        items.set(step.id, item);
        children.push(item);
      }
      list.replaceChildren(...children);
      summary.hidden = mode !== 'practice';
    },
    open(id) {
      for (const item of [...items.values(), ...staged.values()]) item.classList.remove('open');
      if (id === undefined) return false;
      const item = items.get(id);
      if (!item) return false;
      item.classList.add('open');
      renderNow(item);
      // Still typesetting (KaTeX not loaded yet): the card shown stands for it until then.
      const shown = staged.get(item) ?? item;
      shown.classList.add('open');
      shown.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      return true;
    },
    grade(graded, error) {
      summary.replaceChildren();
      if (error) {
        summary.textContent = error;
        summary.className = 'practice-summary bad';
        return;
      }
      if (!graded) return;
      report = graded;
      summary.className = 'practice-summary';
      const points = document.createElement('strong');
      points.className = 'points';
      points.textContent = graded.points ? `${graded.points.earned} / ${graded.points.total} points` : '';
      const first = document.createElement('span');
      first.className = 'first-wrong';
      first.textContent = graded.firstWrong ? `first wrong step: ${firstWrongText(graded.firstWrong)}` : graded.counts.wrong === 0 && graded.counts.missing === 0 ? 'every step right' : 'no wrong step so far';
      const counts = document.createElement('span');
      counts.className = 'counts';
      counts.textContent = `${graded.counts.correct} correct · ${graded.counts.carried} carried forward · ${graded.counts.wrong} wrong · ${graded.counts.missing} to go`;
      const note = document.createElement('span');
      note.className = 'hint';
      note.textContent = `${graded.pointsNote}. ${graded.tolerance.charAt(0).toUpperCase()}${graded.tolerance.slice(1)}`;
      summary.append(points, first, counts, note);
      for (const step of current) {
        const item = items.get(step.id);
        if (item) showVerdict(step, item, graded);
      }
    },
  };

  /** The first wrong step as a student finds it: its name in the sheet's notation, its number and line. */
  function firstWrongText(wrong: NonNullable<PracticeReport['firstWrong']>): string {
    const index = current.findIndex((step) => step.id === wrong.id);
    const line = index < 0 ? undefined : current[index]!.line;
    return `${wrong.display}${index < 0 ? '' : ` (step ${index + 1}${line === undefined ? '' : `, line ${line}`})`}`;
  }
}
