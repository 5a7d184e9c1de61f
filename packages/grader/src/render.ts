import { ChainruleError } from '@chainrule/graph';
import { roundNumber } from '@chainrule/tensor';
import { formatNumbers } from './format.ts';
import type { GradeItem, GradeReport, ItemStatus } from './grade.ts';

/** The output formats of a grade report. @example renderGradeReport(report, 'markdown' satisfies ReportFormat) */
export type ReportFormat = 'text' | 'markdown' | 'json';

/**
 * The JSON form of a report: `firstWrong` is the name of the first wrong step or null (its step
 * and line are in `firstWrongStep`); `items` maps every name to its status, expected and given
 * values (full precision), and points where a scheme applies.
 *
 * @example
 * const json: GradeReportJson = JSON.parse(renderGradeReport(report, 'json'));
 * json.firstWrong; // 'u1'
 * json.items.u1;   // { status: 'wrong', expected: [2.55, 3.9, 2.5], given: [2.55, 4, 2.5], … }
 */
export interface GradeReportJson extends Omit<GradeReport, 'firstWrong'> {
  firstWrong: string | null;
  firstWrongStep: { step: string; line?: number } | null;
}

/**
 * The JSON form of a report (see {@link GradeReportJson}).
 *
 * @example
 * gradeReportJson(gradeSubmission('q3', submission)).firstWrong; // 'u1' or null
 */
export function gradeReportJson(report: GradeReport): GradeReportJson {
  const { firstWrong, ...rest } = report;
  return {
    problem: rest.problem,
    ...(rest.note === undefined ? {} : { note: rest.note }),
    mode: rest.mode,
    tolerance: rest.tolerance,
    firstWrong: firstWrong?.name ?? null,
    firstWrongStep: firstWrong ? { step: firstWrong.step, ...(firstWrong.line === undefined ? {} : { line: firstWrong.line }) } : null,
    items: rest.items,
    order: rest.order,
    counts: rest.counts,
    ...(rest.points ? { points: rest.points } : {}),
  };
}

const SYMBOL: Record<ItemStatus, string> = { correct: '✓', wrong: '✗', carried: '↪', missing: '·' };

/**
 * Renders a grade report as plain text (a terminal), Markdown (a feedback page or issue) or JSON
 * (machines; see {@link gradeReportJson}).
 *
 * @example
 * console.log(renderGradeReport(gradeSubmission('q3', submission), 'text'));
 * // Grade of q3 — rounded to 2 decimals at every step
 * // First wrong: u1 (line 7: u1 = W1 x)
 * // ✗ wrong    u1 = W1 x  …
 */
export function renderGradeReport(report: GradeReport, format: ReportFormat = 'text'): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(gradeReportJson(report), null, 2)}\n`;
    case 'markdown':
      return renderMarkdown(report);
    case 'text':
      return renderText(report);
    default:
      throw new ChainruleError('problem', `unknown report format '${String(format)}': text, markdown or json`, { path: ['format'] });
  }
}

function modeText(report: GradeReport): string {
  const round = report.mode.round;
  return round === null ? 'exact arithmetic' : `rounded to ${round} decimal${round === 1 ? '' : 's'} at every step`;
}

function firstWrongText(report: GradeReport, code: (s: string) => string = (s) => s): string {
  const first = report.firstWrong;
  if (!first) return 'none';
  return `${code(first.name)} (${first.line === undefined ? '' : `line ${first.line}: `}${code(first.step)})`;
}

function countsText(report: GradeReport): string {
  const { correct, carried, wrong, missing } = report.counts;
  return `${correct} correct, ${carried} carried, ${wrong} wrong, ${missing} missing`;
}

const points = (p: number): string => String(roundNumber(p, 2));

function itemPoints(item: GradeItem): string {
  return item.maxPoints === undefined ? '' : `${points(item.points ?? 0)} / ${points(item.maxPoints)}`;
}

function renderText(report: GradeReport): string {
  const lines = [`Grade of ${report.problem} — ${modeText(report)}`];
  if (report.note) lines.push(`Note: ${report.note}`);
  lines.push(`Tolerance: ${report.tolerance}`);
  lines.push(`First wrong: ${firstWrongText(report)}`);
  if (report.points) lines.push(`Points: ${points(report.points.earned)} / ${points(report.points.total)}`);
  lines.push(`Steps: ${countsText(report)}`, '');
  const width = Math.max(0, ...report.order.map((name) => report.items[name]!.step.length));
  for (const name of report.order) {
    const item = report.items[name]!;
    const head = `${SYMBOL[item.status]} ${item.status.padEnd(7)}  ${item.step.padEnd(width)}`;
    const pts = itemPoints(item);
    if (item.status === 'correct' && item.given !== undefined) {
      lines.push(`${head}  ${formatNumbers(item.given)}${pts ? `  [${pts}]` : ''}`);
      continue;
    }
    lines.push(`${head}${pts ? `  [${pts}]` : ''}`);
    if (item.message) lines.push(`    ${item.message}`);
    lines.push(`    expected   ${formatNumbers(item.expected)}`);
    if (item.exact !== undefined) lines.push(`    exact      ${formatNumbers(item.exact)}`);
    if (item.recomputed !== undefined) lines.push(`    from yours ${formatNumbers(item.recomputed)}`);
    if (item.given !== undefined) lines.push(`    given      ${formatNumbers(item.given)}`);
  }
  return `${lines.map((line) => line.trimEnd()).join('\n')}\n`;
}

/** A Markdown table cell: pipes escaped, newlines flattened. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Inline code that survives backticks inside. */
function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${fence.length > 1 ? ' ' : ''}${text}${fence.length > 1 ? ' ' : ''}${fence}`;
}

function renderMarkdown(report: GradeReport): string {
  const lines = [`## Grade of ${report.problem}`, ''];
  if (report.note) lines.push(`> ${report.note.replace(/\r?\n/g, ' ')}`, '');
  lines.push(`**Mode:** ${modeText(report)}  `);
  lines.push(`**Tolerance:** ${report.tolerance}  `);
  lines.push(`**First wrong:** ${firstWrongText(report, code)}  `);
  if (report.points) lines.push(`**Points:** ${points(report.points.earned)} / ${points(report.points.total)}  `);
  lines.push(`**Steps:** ${countsText(report)}`, '');
  const withPoints = report.order.some((name) => report.items[name]!.maxPoints !== undefined);
  lines.push(`| # | Step | Status | Expected | Given |${withPoints ? ' Points |' : ''}`);
  lines.push(`|---|------|--------|----------|-------|${withPoints ? '--------|' : ''}`);
  report.order.forEach((name, index) => {
    const item = report.items[name]!;
    const expected = formatNumbers(item.expected) + (item.recomputed !== undefined ? ` (from yours: ${formatNumbers(item.recomputed)})` : '');
    const given = item.given === undefined ? '—' : formatNumbers(item.given);
    const row = [String(index + 1), code(item.step), `${SYMBOL[item.status]} ${item.status}`, expected, given];
    if (withPoints) row.push(itemPoints(item) || '—');
    lines.push(`| ${row.map(cell).join(' | ')} |`);
  });
  // Carried steps explain themselves in the table ("from yours"); the notes say what is wrong.
  const notes = report.order.map((name) => report.items[name]!).filter((item) => item.status === 'wrong' && item.message);
  if (notes.length > 0) {
    lines.push('', '**What is wrong**', '');
    for (const item of notes) lines.push(`- ${item.message!.replace(/\r?\n/g, ' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
