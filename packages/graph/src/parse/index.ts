export { parseEquations } from './parser.ts';
export { canonicalName, prettyName, latexName } from './names.ts';
export type { Ast, Equation, Name, Position } from './ast.ts';
