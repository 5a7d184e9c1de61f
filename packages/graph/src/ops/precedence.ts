/** Binding strengths of printed formulas, loosest first. @example PRECEDENCE.PRODUCT < PRECEDENCE.ATOM // true */
export const PRECEDENCE = { SUM: 1, PRODUCT: 2, UNARY: 3, POSTFIX: 4, ATOM: 5 } as const;
