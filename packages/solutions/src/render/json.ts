import { exportGraph } from '@chainrule/export';
import type { ExactTensor, Tensor } from '@chainrule/tensor';
import type { QuestionSolution } from '../document.ts';
import type { Renderer } from './renderer.ts';

const nested = (t: Tensor) => t.toArray();

/** The exact value as nested strings in the shape of the tensor: `"4.32825"`, `"1/3"` (no JSON number holds them). */
function nestedExact(t: ExactTensor): unknown {
  const text = t.data.map((r) => r.toString());
  if (t.shape.length === 0) return text[0];
  if (t.shape.length === 1) return text;
  const cols = t.shape[1]!;
  return Array.from({ length: t.shape[0]! }, (_, i) => text.slice(i * cols, (i + 1) * cols));
}

/** One question as JSON: the problem result keys (`loss`, `values`, `gradients`) at the top, then the steps and figures. */
async function questionJson(question: QuestionSolution): Promise<Record<string, unknown>> {
  const steps = question.blocks.flatMap((b) => (b.kind === 'steps' ? b.steps : []));
  const figures: Record<string, unknown> = {};
  for (const block of question.blocks) {
    if (block.kind === 'figure') figures[block.id] = JSON.parse(await exportGraph(block.graph, 'json', { simplify: block.simplify }));
  }
  const notices = question.blocks.flatMap((b) => (b.kind === 'notice' ? [b.text] : []));
  return {
    id: question.id,
    title: question.title,
    ...(question.points === undefined ? {} : { points: question.points }),
    ...(notices.length > 0 ? { notices } : {}),
    ...(question.source ? { source: question.source } : {}),
    ...(question.result ?? {}),
    ...(question.roundedResult ? { rounded: question.roundedResult } : {}),
    steps: steps.map((s) => ({
      id: s.id,
      name: s.name.unicode,
      phase: s.phase,
      formula: s.formula.unicode,
      latex: s.formula.latex,
      ...(s.substitution ? { substitution: s.substitution.unicode } : {}),
      value: nested(s.exact),
      ...(s.exactValue ? { exact: nestedExact(s.exactValue) } : {}),
      ...(s.float64
        ? { float64: { reason: s.float64.reason, ops: s.float64.ops.map((o) => o.unicode), ...(s.float64.note ? { note: s.float64.note.unicode } : {}) } }
        : {}),
      ...(s.rounded ? { rounded: nested(s.rounded) } : {}),
      ...(s.deviation ? { maxDeviation: s.deviation.value } : {}),
    })),
    ...(Object.keys(figures).length > 0 ? { figures } : {}),
  };
}

/**
 * JSON for machines. A sheet of one question is that question's object, so `solve q3 --format
 * json` has the problem result keys `loss`, `values`, `gradients` at the top level.
 *
 * @example
 * JSON.parse(await jsonRenderer.render(document)).gradients.W3;
 */
export const jsonRenderer: Renderer = {
  format: 'json',
  extension: 'json',
  mediaType: 'application/json',
  async render(document) {
    const questions = await Promise.all(document.questions.map(questionJson));
    const body = questions.length === 1 ? questions[0] : { title: document.title, questions: Object.fromEntries(questions.map((q) => [q.id, q])) };
    return `${JSON.stringify(body, null, 2)}\n`;
  },
};
