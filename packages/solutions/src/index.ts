export { type Block, type Inline, type QuestionSolution, type SolutionDocument, math } from './document.ts';
export { type SolutionOptions, problemSolution, question1, question2, question3 } from './questions.ts';
export { type SheetOptions, solutionSheet } from './sheet.ts';
export { type MathText, type NumberStyle, substitution } from './substitute.ts';
export { type WorkedOptions, type WorkedStep, workedSteps } from './worked.ts';
export { MAX_EXACT_DIGITS, type ValueLayout, type ValueTextOptions, entryText, exactValueOf, valueText } from './value-text.ts';
export { isInnerProduct } from './substitute.ts';
export {
  RENDERERS,
  type RenderOptions,
  type Renderer,
  SOLUTION_FORMATS,
  type SolutionFormat,
  latexTensor,
  renderSolution,
} from './render/index.ts';
