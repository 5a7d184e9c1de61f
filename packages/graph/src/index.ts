export { type ErrorCode, type ErrorLocation, ChainruleError, formatJsonPath } from './errors.ts';
export { type ConstExpr, type Expr, type OpExpr, type RefExpr, algebra, apply, constant, ref, referencedIds, sameExpr } from './expr.ts';
export { type FunctionName, type GradientInput, type OpDefinition, type OpName, FUNCTIONS, OPS, opDefinition } from './ops.ts';
export { type Edge, type GraphNode, type NodeKind, Graph } from './graph.ts';
export { type BuildOptions, type LeafRole, buildGraph, graphFromEquations } from './build.ts';
export { type EvaluateOptions, type LeafValue, evaluate, evaluateExpr } from './evaluate.ts';
export { type GradientOptions, gradientGraph, gradientId } from './gradient.ts';
export { type FormulaStyle, formatExpr, nodeLabel } from './print.ts';
export { type GraphView, type ViewNode, type ViewOptions, graphView } from './view.ts';
export { type Ast, type Equation, type Name, type Position, canonicalName, latexName, parseEquations, prettyName } from './parse/index.ts';
export {
  type Problem,
  type ProblemInput,
  type ProblemResult,
  type SolvedProblem,
  parseProblem,
  problemFromText,
  problemGraph,
  problemSchema,
  solveProblem,
  valueSchema,
} from './problem.ts';
export {
  type ExportFormat,
  type ExportOptions,
  type Exporter,
  type GraphJson,
  EXPORTERS,
  EXPORT_FORMATS,
  TIKZ_LIBRARIES,
  exportGraph,
  latexText,
  graphJsonSchema,
  validateDot,
} from './export/index.ts';
export { parseJson } from './json.ts';
export { fromZodError } from './validation.ts';
