/**
 * The steps panel: the worked solution, forward then backward, each step's formula, substitution
 * and value in KaTeX (exact, or rounded at every step) — or, in practice mode, the formula and a
 * field for the student's number with the grader's verdict. Formulas are typeset when a step
 * scrolls into view, so a network of hundreds of steps stays quick.
 */
import type { PracticeReport, StepView } from '../model.ts';
import { renderMath, renderMathNow } from './math.ts';

/** The panel's handle. */
export interface StepsPanel {
  show(steps: readonly StepView[], options: { round: number | null; mode: 'solution' | 'practice'; answers: Record<string, string> }): void;
  /** Opens (scrolls to, marks) the step of a node; false when the node has no step. */
  open(id: string | undefined): boolean;
  grade(report: PracticeReport | undefined, error?: string): void;
}

/** Up to this many steps a solution is typeset whole, not only near the screen. */
const WHOLE_SOLUTION_STEPS = 60;

const shapeText = (shape: readonly number[]) => (shape.length === 0 ? 'a number' : shape.length === 1 ? `${shape[0]} numbers` : `${shape[0]}×${shape[1]}: rows separated by ;`);

/** Wires the panel. @example createStepsPanel(list, summary, { onSelect, onAnswer }) */
export function createStepsPanel(
  list: HTMLOListElement,
  summary: HTMLElement,
  handlers: { onSelect: (id: string) => void; onAnswer: (id: string, text: string) => void },
): StepsPanel {
  let items = new Map<string, HTMLLIElement>();
  /** Formulas typeset when their step comes near the screen. */
  let pending = new Map<Element, () => void>();
  let current: readonly StepView[] = [];
  /** What each shown item was made from, so an edit that changes a few steps redraws only those. */
  let made = new Map<string, string>();
  let madeOrder = '';
  /** A short solution is typeset whole (in slices, in order); a long one as its steps come near the screen. */
  let wholeSolution = true;
  const observer =
    typeof IntersectionObserver === 'function'
      ? new IntersectionObserver(
          (entries) => {
            for (const entry of entries) {
              if (!entry.isIntersecting) continue;
              pending.get(entry.target)?.();
              pending.delete(entry.target);
              observer?.unobserve(entry.target);
            }
          },
          { rootMargin: '600px' },
        )
      : undefined;
  const later = (element: HTMLElement, latex: string) => {
    const render = () => renderMath(element, latex, true);
    element.textContent = latex;
    element.classList.add('typesetting');
    if (!observer || wholeSolution) return render();
    pending.set(element, render);
    observer.observe(element);
  };
  /** The open step's formulas, typeset at once. */
  const renderNow = (element: Element | undefined) => {
    if (!element) return;
    for (const target of [element, ...element.querySelectorAll<HTMLElement>('.math')]) {
      pending.get(target)?.();
      pending.delete(target);
      observer?.unobserve(target);
      if (target instanceof HTMLElement) renderMathNow(target);
    }
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
    later(body, `\\begin{aligned}${lines.join(' \\\\ ')}\\end{aligned}`);
    item.append(head, body);
    if (step.chainLatex && mode === 'solution') {
      const chain = document.createElement('div');
      chain.className = 'math chain';
      chain.setAttribute('aria-label', 'the chain rule along the paths from the loss');
      later(chain, step.chainLatex);
      item.append(chain);
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
        if (event.key === 'Enter') {
          handlers.onAnswer(step.id, input.value);
          const inputs = [...list.querySelectorAll<HTMLInputElement>('.answer input')];
          inputs[inputs.indexOf(input) + 1]?.focus();
        }
      });
      field.append(label, input, verdict);
      item.append(field);
    }
    return item;
  }

  return {
    show(steps, { round, mode, answers }) {
      const order = JSON.stringify([mode, round, steps.map((s) => s.id)]);
      const recipes = new Map(steps.map((step) => [step.id, JSON.stringify(step)]));
      if (order === madeOrder && mode === 'solution') {
        // Same steps in the same order: replace only the items whose content changed.
        const changed = steps.filter((step) => made.get(step.id) !== recipes.get(step.id));
        const fresh = build(changed, steps);
        for (const step of changed) {
          const old = items.get(step.id)!;
          for (const target of [old, ...old.querySelectorAll('.math')]) {
            pending.delete(target);
            observer?.unobserve(target);
          }
          const item = fresh.get(step.id)!;
          if (old.classList.contains('open')) item.classList.add('open');
          old.replaceWith(item);
          items.set(step.id, item);
        }
        made = recipes;
        current = steps;
        return;
      }
      observer?.disconnect();
      pending = new Map();
      items = new Map();
      current = steps;
      made = recipes;
      madeOrder = order;
      wholeSolution = steps.length <= WHOLE_SOLUTION_STEPS;
      const built = build(steps, steps);
      const children: HTMLElement[] = [];
      let phase: string | undefined;
      for (const step of steps) {
        if (step.phase !== phase) {
          phase = step.phase;
          const heading = document.createElement('li');
          heading.className = 'phase';
          heading.textContent = phase === 'forward' ? 'Forward pass' : 'Backward pass — from ∂L/∂L = 1, the chain rule node by node';
          children.push(heading);
        }
        const item = built.get(step.id)!;
        items.set(step.id, item);
        children.push(item);
      }
      list.replaceChildren(...children);
      summary.hidden = mode !== 'practice';

      function build(some: readonly StepView[], all: readonly StepView[]): Map<string, HTMLLIElement> {
        const out = new Map<string, HTMLLIElement>();
        const indexOf = new Map(all.map((s, i) => [s.id, i]));
        for (const step of some) out.set(step.id, makeItem(step, indexOf.get(step.id)!, round, mode, answers));
        return out;
      }
    },
    open(id) {
      for (const item of items.values()) item.classList.remove('open');
      if (id === undefined) return false;
      const item = items.get(id);
      if (!item) return false;
      item.classList.add('open');
      renderNow(item);
      item.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      return true;
    },
    grade(report, error) {
      summary.replaceChildren();
      if (error) {
        summary.textContent = error;
        summary.className = 'practice-summary bad';
        return;
      }
      if (!report) return;
      summary.className = 'practice-summary';
      const points = document.createElement('strong');
      points.className = 'points';
      points.textContent = report.points ? `${report.points.earned} / ${report.points.total} points` : '';
      const first = document.createElement('span');
      first.className = 'first-wrong';
      first.textContent = report.firstWrong ? `first wrong step: ${firstWrongText(report.firstWrong)}` : report.counts.wrong === 0 && report.counts.missing === 0 ? 'every step right' : 'no wrong step so far';
      const counts = document.createElement('span');
      counts.className = 'counts';
      counts.textContent = `${report.counts.correct} correct · ${report.counts.carried} carried forward · ${report.counts.wrong} wrong · ${report.counts.missing} to go`;
      const note = document.createElement('span');
      note.className = 'hint';
      note.textContent = `${report.pointsNote}. ${report.tolerance}`;
      summary.append(points, first, counts, note);
      function firstWrongText(wrong: NonNullable<PracticeReport['firstWrong']>): string {
        const index = current.findIndex((step) => step.id === wrong.id);
        const line = index < 0 ? undefined : current[index]!.line;
        return `${wrong.display}${index < 0 ? '' : ` (step ${index + 1}${line === undefined ? '' : `, line ${line}`})`}`;
      }
      for (const step of current) {
        const item = items.get(step.id);
        const verdict = item?.querySelector<HTMLElement>('.verdict');
        if (!item || !verdict) continue;
        const unreadable = report.unreadable[step.id];
        const result = report.items[step.id];
        const status = unreadable ? 'unreadable' : (result?.status ?? 'missing');
        item.dataset.status = status;
        item.classList.toggle('first', report.firstWrong?.id === step.id);
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
    },
  };
}
