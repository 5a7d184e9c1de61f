/**
 * The problem's numbers and roles: each leaf's value as an editable matrix (or all of them as
 * JSON), the binding of each function name, which names are parameters and which node is
 * differentiated.
 */
import type { Analysis, LeafRole, Numbers, ProblemState } from '../model.ts';
import { readAnswer } from '../engine/answers.ts';
import { mathSpan } from './math.ts';

/** Above this many leaves the value editors off screen are not rendered (`content-visibility`, a long network). */
const LAZY_LEAVES = 40;

/** The panel's handle. */
export interface ValuesPanel {
  /** Redraws the controls for the analysis (only what changed, so focus stays where the user types). */
  show(problem: ProblemState, analysis: Analysis): void;
}

const ROLES: LeafRole[] = ['input', 'parameter', 'target'];

function cellsOf(value: Numbers | undefined): { rows: number; cols: number; at: (i: number, j: number) => number } | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return { rows: 1, cols: 1, at: () => value };
  if (value.length > 0 && Array.isArray(value[0])) {
    const m = value as number[][];
    return { rows: m.length, cols: m[0]!.length, at: (i, j) => m[i]![j]! };
  }
  const v = value as number[];
  // a vector is a column, as the sheet writes it
  return { rows: v.length, cols: 1, at: (i) => v[i]! };
}

function setCell(value: Numbers, i: number, j: number, entry: number): Numbers {
  if (typeof value === 'number') return entry;
  if (value.length > 0 && Array.isArray(value[0])) return (value as number[][]).map((row, r) => (r === i ? row.map((c, k) => (k === j ? entry : c)) : [...row]));
  return (value as number[]).map((c, r) => (r === i ? entry : c));
}

/** Wires the panel; `change` is called with the new problem after every edit. @example createValuesPanel(elements, (p) => update(p)) */
export function createValuesPanel(
  elements: { values: HTMLElement; json: HTMLTextAreaElement; jsonSwitch: HTMLInputElement; functions: HTMLElement; wrt: HTMLElement; loss: HTMLSelectElement; error: HTMLElement },
  change: (update: (problem: ProblemState) => ProblemState) => void,
): ValuesPanel {
  let signature = '';
  let current: ProblemState | undefined;

  const showJson = () => {
    const on = elements.jsonSwitch.checked;
    elements.json.hidden = !on;
    elements.values.hidden = on;
    if (on && current) elements.json.value = JSON.stringify(current.values, null, 1).replace(/\n\s+(?=[\d\-\]])/g, ' ').replace(/\[\s+\[/g, '[[');
  };
  elements.jsonSwitch.addEventListener('change', showJson);
  elements.json.addEventListener('input', () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(elements.json.value);
    } catch (error) {
      elements.json.setAttribute('aria-invalid', 'true');
      elements.error.hidden = false;
      elements.error.textContent = `values JSON: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      elements.error.hidden = false;
      elements.error.textContent = 'values JSON: an object of names, e.g. {"x": [1, 2]}';
      return;
    }
    elements.json.removeAttribute('aria-invalid');
    change((p) => ({ ...p, values: parsed as Record<string, Numbers> }));
  });
  elements.loss.addEventListener('change', () => {
    const loss = elements.loss.value;
    change((p) => {
      const next = { ...p };
      if (loss === '') delete next.loss;
      else next.loss = loss;
      return next;
    });
  });

  const leafEditor = (problem: ProblemState, leaf: Analysis['leaves'][number]): HTMLElement => {
    const box = document.createElement('div');
    box.className = `leaf ${leaf.kind}`;
    const head = document.createElement('div');
    head.className = 'leaf-head';
    const name = mathSpan(leaf.latex);
    name.classList.add('leaf-name');
    const roleLabel = document.createElement('label');
    const role = document.createElement('select');
    role.setAttribute('aria-label', `role of ${leaf.display}`);
    for (const r of ROLES) role.append(new Option(r, r, r === leaf.kind, r === leaf.kind));
    role.addEventListener('change', () =>
      change((p) => {
        const wrt = p.wrt.filter((w) => w !== leaf.name && w !== leaf.label);
        if (role.value === 'parameter') wrt.push(leaf.name);
        const roles = { ...(p.roles ?? {}), [leaf.name]: role.value as LeafRole };
        return { ...p, wrt, roles };
      }),
    );
    roleLabel.append(role);
    head.append(name, roleLabel);
    box.append(head);
    const value = problem.values[leaf.name];
    const cells = cellsOf(value);
    if (!cells || value === undefined) {
      const input = document.createElement('input');
      input.type = 'text';
      input.placeholder = 'a value: 1 2 3, or 1 2; 3 4 for a matrix';
      input.setAttribute('aria-label', `value of ${leaf.display}`);
      input.addEventListener('change', () => {
        const read = readAnswer(input.value, []);
        if (typeof read === 'string') {
          input.setAttribute('aria-invalid', 'true');
          return;
        }
        change((p) => ({ ...p, values: { ...p.values, [leaf.name]: read } }));
      });
      const missing = document.createElement('p');
      missing.className = 'hint';
      missing.textContent = 'no value yet';
      box.append(missing, input);
      return box;
    }
    const grid = document.createElement('div');
    grid.className = 'matrix';
    grid.setAttribute('role', 'group');
    grid.setAttribute('aria-label', `${leaf.display}: ${cells.rows}×${cells.cols}`);
    grid.style.gridTemplateColumns = `repeat(${cells.cols}, minmax(3.2em, 4.5em))`;
    for (let i = 0; i < cells.rows; i++) {
      for (let j = 0; j < cells.cols; j++) {
        const input = document.createElement('input');
        input.type = 'text';
        input.inputMode = 'decimal';
        input.value = String(cells.at(i, j));
        input.dataset.leaf = leaf.name;
        input.dataset.row = String(i);
        input.dataset.col = String(j);
        input.setAttribute('aria-label', cells.cols === 1 && cells.rows === 1 ? leaf.display : cells.cols === 1 ? `${leaf.display} entry ${i + 1}` : `${leaf.display} row ${i + 1} column ${j + 1}`);
        input.addEventListener('input', () => {
          const entry = Number(input.value.trim().replace('−', '-'));
          const ok = input.value.trim() !== '' && Number.isFinite(entry);
          input.toggleAttribute('aria-invalid', !ok);
          if (ok) change((p) => ({ ...p, values: { ...p.values, [leaf.name]: setCell(p.values[leaf.name] ?? value, i, j, entry) } }));
        });
        grid.append(input);
      }
    }
    box.append(grid);
    return box;
  };

  /** New numbers of the same shapes (new numbers, a loaded file) written into the cells, except the one being typed in. */
  const showNumbers = (problem: ProblemState) => {
    for (const input of elements.values.querySelectorAll<HTMLInputElement>('input[data-leaf]')) {
      if (input === document.activeElement) continue;
      const value = cellsOf(problem.values[input.dataset.leaf!])?.at(Number(input.dataset.row), Number(input.dataset.col));
      if (value !== undefined && Number(input.value) !== value) {
        input.value = String(value);
        input.removeAttribute('aria-invalid');
      }
    }
    if (elements.jsonSwitch.checked && document.activeElement !== elements.json) showJson();
  };

  return {
    show(problem, analysis) {
      current = problem;
      const shapes = Object.fromEntries(Object.entries(problem.values).map(([k, v]) => [k, cellsOf(v) ? [cellsOf(v)!.rows, cellsOf(v)!.cols] : null]));
      const next = JSON.stringify([analysis.leaves, shapes, analysis.functionNames, problem.functions, analysis.computed, problem.wrt, problem.loss, elements.jsonSwitch.checked]);
      const editingJson = document.activeElement === elements.json;
      if (next === signature) {
        showNumbers(problem);
        return;
      }
      const focusedLeaf = (document.activeElement as HTMLElement | null)?.dataset?.leaf;
      signature = next;
      if (!editingJson) showJson();
      // A value typed into a cell is already in the state; redraw only when the shapes or names change.
      if (focusedLeaf === undefined || !analysis.leaves.some((l) => l.name === focusedLeaf)) {
        elements.values.replaceChildren(...analysis.leaves.map((leaf) => leafEditor(problem, leaf)));
      }
      // Only a long network leaves its off-screen value editors unrendered (content-visibility), as the steps do.
      elements.values.classList.toggle('long', analysis.leaves.length > LAZY_LEAVES);

      elements.functions.replaceChildren(
        ...analysis.functionNames.map((name) => {
          const label = document.createElement('label');
          label.className = 'binding';
          const select = document.createElement('select');
          select.append(new Option('— not bound —', '', false, !problem.functions[name]));
          for (const op of analysis.functionChoices) select.append(new Option(op, op, false, problem.functions[name] === op));
          select.addEventListener('change', () => change((p) => ({ ...p, functions: { ...p.functions, [name]: select.value } })));
          label.append(`${name} = `, select);
          return label;
        }),
      );

      elements.loss.replaceChildren(new Option(analysis.loss && !problem.loss ? `the loss (${analysis.computed.find((c) => c.id === analysis.loss)?.display ?? analysis.loss})` : 'the loss (the node nothing uses)', '', false, !problem.loss));
      for (const node of analysis.computed) elements.loss.append(new Option(node.display, node.name, false, problem.loss === node.name));

      const wrtNames = new Set(problem.wrt);
      const candidates = [...analysis.leaves.map((l) => ({ name: l.name, label: l.label, display: l.display })), ...analysis.computed.filter((c) => c.id !== analysis.loss).map((c) => ({ name: c.name, label: c.label, display: c.display }))];
      elements.wrt.replaceChildren(
        ...candidates.map(({ name, label, display }) => {
          const box = document.createElement('label');
          box.className = 'chip';
          const input = document.createElement('input');
          input.type = 'checkbox';
          input.checked = wrtNames.has(name) || wrtNames.has(label);
          input.addEventListener('change', () =>
            change((p) => ({ ...p, wrt: input.checked ? [...p.wrt.filter((w) => w !== name), name] : p.wrt.filter((w) => w !== name && w !== label) })),
          );
          box.append(input, ` ${display}`);
          return box;
        }),
      );
    },
  };
}
