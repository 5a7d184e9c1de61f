/**
 * Practice mode in the worker: reads what the student typed in each step, grades the whole
 * submission with `@chainrule/grader` (error carried forward) and maps the verdicts back to steps.
 */
import { Q3_POINTS, type GradeOptions, type Grader, type PointsScheme, createGrader, questionPoints, spreadPoints } from '@chainrule/grader';
import { parseProblem } from '@chainrule/problem';
import type { AppState, Numbers, PracticeItem, PracticeReport, ProblemState, ViewState } from '../model.ts';
import { analyze, problemInput } from './analyze.ts';
import { readAnswer } from './answers.ts';

const graders = new Map<string, { grader: Grader; pointsNote: string }>();

function pointsFor(preset: AppState['preset'], problem: ReturnType<typeof parseProblem>): { scheme: PointsScheme | null; note: string } {
  if (preset === 'q1') return { scheme: questionPoints('q1'), note: "Question 1's 6 points" };
  if (preset === 'q2' || preset === 'q3') return { scheme: Q3_POINTS, note: "Question 3's 7 points, as the sheet gives them" };
  return { scheme: spreadPoints(problem, { total: 10, forward: 4 }), note: '10 points: 4 spread over the forward pass, 6 over the gradients' };
}

/** A grader for the problem and mode, cached: the references are computed once per problem. */
function graderFor(state: ProblemState, round: number | null, preset: AppState['preset']): { grader: Grader; pointsNote: string } {
  const input = problemInput(state).input;
  const key = JSON.stringify([input, round, preset]);
  let entry = graders.get(key);
  if (!entry) {
    const problem = parseProblem(input);
    let points = pointsFor(preset, problem);
    const options = (scheme: PointsScheme | null): GradeOptions => ({ round, points: scheme });
    let grader: Grader;
    try {
      grader = createGrader(problem, options(points.scheme));
    } catch {
      // The sheet's scheme names the sheet's steps; an edited network falls back to spread points, and a
      // network whose spread the grader rejects (its rounding can leave the last step a negative share) to none.
      try {
        points = { scheme: spreadPoints(problem, { total: 10, forward: 4 }), note: '10 points: 4 spread over the forward pass, 6 over the gradients' };
        grader = createGrader(problem, options(points.scheme));
      } catch {
        points = { scheme: null, note: 'No points for this network' };
        grader = createGrader(problem, options(null));
      }
    }
    entry = { grader, pointsNote: points.note };
    if (graders.size > 8) graders.clear();
    graders.set(key, entry);
  }
  return entry;
}

/** Grades what the student typed. @example await practise(q3, view, 'q3', { u1: '2.55, 4, 2.5' }) */
export async function practise(state: ProblemState, view: ViewState, preset: AppState['preset'], answers: Record<string, string>): Promise<PracticeReport> {
  const analysis = await analyze(state, { ...view, gradients: false });
  const blocking = analysis.errors.find((e) => e.stage !== 'drawing');
  if (blocking) throw new Error(blocking.described);
  const { grader, pointsNote } = graderFor(state, view.round, preset);

  const submission: { values: Record<string, Numbers>; gradients: Record<string, Numbers> } = { values: {}, gradients: {} };
  const unreadable: Record<string, string> = {};
  for (const step of analysis.steps) {
    const text = answers[step.id];
    if (text === undefined || text.trim() === '') continue;
    const read = readAnswer(text, step.shape);
    if (typeof read === 'string') {
      unreadable[step.id] = read;
      continue;
    }
    submission[step.answerKey.part === 'gradients' ? 'gradients' : 'values'][step.answerKey.name] = read;
  }
  const report = grader.grade(submission);
  const byName = new Map(analysis.steps.map((s) => [s.name, s]));
  const items: Record<string, PracticeItem> = {};
  for (const name of report.order) {
    const item = report.items[name]!;
    const step = byName.get(name);
    if (!step) continue;
    const practice: PracticeItem = { id: step.id, name, status: item.status };
    if (item.message !== undefined) practice.message = item.message;
    if (item.status === 'wrong' && item.given !== undefined && item.reason === 'value') {
      practice.offBy = maxDistance(item.recomputed ?? item.expected, item.given);
    }
    if (item.points !== undefined) practice.points = item.points;
    if (item.maxPoints !== undefined) practice.maxPoints = item.maxPoints;
    items[step.id] = practice;
  }
  const first = report.firstWrong ? byName.get(report.firstWrong.name) : undefined;
  const result: PracticeReport = {
    items,
    firstWrong: report.firstWrong && first ? { id: first.id, name: report.firstWrong.name, display: first.display, step: report.firstWrong.step } : null,
    pointsNote,
    tolerance: report.tolerance,
    unreadable,
    counts: report.counts,
  };
  if (report.points) result.points = report.points;
  return result;
}

function maxDistance(a: Numbers, b: Numbers): number {
  const flat = (v: Numbers): number[] => (Array.isArray(v) ? (v as (number | number[])[]).flat() : [v]);
  const x = flat(a);
  const y = flat(b);
  if (x.length !== y.length) return Number.NaN;
  return Math.max(...x.map((v, i) => Math.abs(v - y[i]!)));
}

