/**
 * The equations editor: a plain textarea (so every keyboard and screen reader works with it) with
 * a line-number gutter that marks the line of a parse error, and the error text at its line and
 * column below it.
 */
import type { UserError } from '../model.ts';

/** The editor's handle. */
export interface Editor {
  value(): string;
  setValue(text: string): void;
  /** Shows an error at its line and column, or clears it (undefined). */
  showError(error: UserError | undefined): void;
}

/** Wires the editor. @example const editor = createEditor(textarea, gutter, errorLine, (text) => schedule()) */
export function createEditor(area: HTMLTextAreaElement, gutter: HTMLElement, errorLine: HTMLElement, onInput: (text: string) => void): Editor {
  let errorAt: number | undefined;
  let drawn = { lines: -1, errorAt: undefined as number | undefined };
  // Redrawn only when the number of lines or the marked line changes: a keystroke on a long network costs nothing here.
  const renderGutter = () => {
    let lines = 1;
    for (let i = area.value.indexOf('\n'); i !== -1; i = area.value.indexOf('\n', i + 1)) lines++;
    if (drawn.lines === lines && drawn.errorAt === errorAt) return;
    drawn = { lines, errorAt };
    gutter.replaceChildren(
      ...Array.from({ length: Math.max(lines, 1) }, (_, i) => {
        const line = document.createElement('span');
        line.textContent = String(i + 1);
        if (errorAt === i + 1) line.className = 'bad';
        return line;
      }),
    );
    gutter.scrollTop = area.scrollTop;
  };
  area.addEventListener('input', () => {
    renderGutter();
    onInput(area.value);
  });
  area.addEventListener('scroll', () => {
    gutter.scrollTop = area.scrollTop;
  });
  area.addEventListener('keydown', (event) => {
    // Tab moves focus (keyboard users must be able to leave the editor); Ctrl/Cmd+Enter is not needed: input is live.
    if (event.key === 'Escape') area.blur();
  });
  renderGutter();
  return {
    value: () => area.value,
    setValue(text) {
      area.value = text;
      renderGutter();
    },
    showError(error) {
      errorAt = error?.line;
      renderGutter();
      if (!error) {
        errorLine.hidden = true;
        errorLine.textContent = '';
        area.removeAttribute('aria-invalid');
        return;
      }
      errorLine.hidden = false;
      errorLine.replaceChildren();
      const where = document.createElement('strong');
      where.textContent = error.line !== undefined ? `line ${error.line}${error.column !== undefined ? `, column ${error.column}` : ''}: ` : '';
      errorLine.append(where, error.message);
      if (error.line !== undefined) {
        const source = area.value.split('\n')[error.line - 1] ?? '';
        const excerpt = document.createElement('pre');
        excerpt.className = 'excerpt';
        excerpt.textContent = `${source}\n${' '.repeat(Math.max((error.column ?? 1) - 1, 0))}^`;
        errorLine.append(excerpt);
      }
      area.setAttribute('aria-invalid', 'true');
    },
  };
}

/** The offset in `text` of a 1-based line and column. @example offsetOf('a\nbc', 2, 2) // 3 */
export function offsetOf(text: string, line: number, column: number): number {
  const lines = text.split('\n');
  let offset = 0;
  for (let i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i]!.length + 1;
  return offset + column - 1;
}
