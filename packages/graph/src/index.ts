/**
 * @chainrule/graph — the graph core: parse textbook equations (ASCII, Unicode, LaTeX), build the
 * computational graph, differentiate it symbol-to-symbol, evaluate and print it. Depends on the
 * tensor core only.
 */
export { type ErrorCode, type ErrorLocation, ChainruleError, formatJsonPath } from '@chainrule/tensor';
export { type ConstExpr, type Expr, type OpExpr, type RefExpr, algebra, apply, constant, ref, referencedIds, sameExpr } from './expr.ts';
export { type FunctionName, type GradientInput, type OpDefinition, type OpName, FUNCTIONS, OPS, opDefinition } from './ops.ts';
export { type Edge, type GraphNode, type NodeKind, Graph } from './graph.ts';
export { type BuildOptions, type LeafRole, buildGraph, graphFromEquations } from './build.ts';
export { type EvaluateOptions, type LeafValue, evaluate, evaluateExpr } from './evaluate.ts';
export { type GradientOptions, gradientGraph, gradientId } from './gradient.ts';
export { type FormulaStyle, formatExpr, nodeLabel } from './print.ts';
export { type Ast, type Equation, type Name, type Position, canonicalName, latexName, parseEquations, prettyName } from './parse/index.ts';
