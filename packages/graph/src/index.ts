/**
 * @chainrule/graph — the graph core: parse textbook equations (ASCII, Unicode, LaTeX), build the
 * computational graph, differentiate it symbol-to-symbol, evaluate and print it. Everything about
 * a primitive is in its entry of the op table (`defineOp`). Depends on the tensor core only.
 */
export { type ErrorCode, type ErrorLocation, ChainruleError, formatJsonPath } from '@chainrule/tensor';
export { type ConstExpr, type Expr, type OpExpr, type RefExpr, algebra, apply, constant, ref, referencedIds, sameExpr } from './expr.ts';
export {
  type DerivativeSpec,
  type DerivedOpDefinition,
  type ExactForward,
  type ExplanationPart,
  type GradientInput,
  type GradientRule,
  type Notation,
  type OpDefinition,
  type OpName,
  type OpRecord,
  type Printed,
  type Printer,
  type Substitution,
  FUNCTIONS,
  PRECEDENCE,
  activationNames,
  defineDerivedOp,
  defineOp,
  derivativeName,
  expandOp,
  isOp,
  lookThrough,
  mapForward,
  opRecord,
} from './ops/index.ts';
export { type Edge, type GraphNode, type NodeKind, Graph, gradientId } from './graph.ts';
export { type BuildOptions, type LeafRole, EXPRESSION_DEPTH_LIMIT, buildGraph, graphFromEquations } from './build.ts';
export { closestFunctionName, functionOp } from './function-names.ts';
export { type EvaluateOptions, type LeafValue, evaluate, evaluateExpr } from './evaluate.ts';
export { type ExactEvaluation, type InexactNode, EXACT_BITS_LIMIT, EXACT_ENTRY_LIMIT, EXACT_OPERATION_LIMIT, evaluateExact } from './exact.ts';
export { type GradientOptions, gradientGraph } from './gradient.ts';
export { postOrder } from './walk.ts';
export { type FormulaStyle, formatExpr, nodeLabel } from './print.ts';
export { type Ast, type Equation, type Name, type Position, canonicalName, latexName, parseEquations, prettyName } from './parse/index.ts';

/** A function name accepted in equations and in a problem's `functions` (a key of {@link FUNCTIONS}). */
export type FunctionName = string;
