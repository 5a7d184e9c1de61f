import { describe, expect, it } from 'vitest';
import { buildGraph } from './build.ts';
import { evaluate } from './evaluate.ts';
import { EXACT_ENTRY_LIMIT, evaluateExact } from './exact.ts';
import { apply, ref } from './expr.ts';
import { Graph } from './graph.ts';

describe('evaluateExact', () => {
  it('reads the given numbers as decimals: 0.1·1 + 0.2·1 is 0.3, where float64 says 0.30000000000000004', () => {
    const graph = buildGraph('y = W x');
    const values = { W: [[0.1, 0.2]], x: [1, 1] };
    expect(evaluate(graph, values).get('y')!.toArray()).toEqual([0.30000000000000004]);
    const exact = evaluateExact(graph, values);
    expect(exact.values.get('y')!.toArray()).toEqual([0.3]);
    expect(exact.exact.get('y')!.data.map(String)).toEqual(['0.3']);
    expect(exact.inexact).toEqual([]);
  });

  it('derived ops are exact for free: mean and mse over sum, size and a reciprocal', () => {
    const graph = buildGraph(['L = mse(y, t)', 'm = mean(y)']);
    const { values, exact, inexact } = evaluateExact(graph, { y: [0.1, 0.2, 0.3], t: [0, 0, 0.6] });
    expect(values.get('m')!.item()).toBe(0.2);
    // (0.1² + 0.2² + 0.3²) / 3 = 0.14 / 3 = 7/150, a decimal that does not end
    expect(exact.get('L')!.data[0]!.toString()).toBe('7/150');
    expect(values.get('L')!.item()).toBe(7 / 150);
    expect(inexact).toEqual([]);
  });

  it('σ falls back to float64 and says where; what follows it too', () => {
    const graph = buildGraph(['L = sum(h)', 'h = sigmoid(u)', 'u = 0.1 x']);
    const { values, inexact } = evaluateExact(graph, { x: [1, 2] });
    expect(values.get('u')!.toArray()).toEqual([0.1, 0.2]);
    expect(inexact.map((n) => [n.label, n.reason, n.ops])).toEqual([
      ['h', 'op', ['sigmoid']],
      ['L', 'input', []],
    ]);
    expect(values.get('L')!.item()).toBeCloseTo(1 / (1 + Math.exp(-0.1)) + 1 / (1 + Math.exp(-0.2)), 15);
  });

  it('a division by 0 is not exact (float64 gives the error evaluate gives)', () => {
    const graph = buildGraph('y = 1 / x');
    expect(() => evaluateExact(graph, { x: [0] })).toThrow(/division by 0/);
  });

  it('too large for exact arithmetic: every value float64, listed as limit', () => {
    const graph = buildGraph('y = W x');
    const n = Math.ceil(Math.sqrt(EXACT_ENTRY_LIMIT)) + 1;
    const W = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => ((i + j) % 7) / 10));
    const x = Array.from({ length: n }, () => 0.1);
    const result = evaluateExact(graph, { W, x });
    expect(result.inexact).toEqual([{ id: 'y', label: 'y', reason: 'limit', ops: [] }]);
    expect(result.values.get('y')!.toArray()).toEqual(evaluate(graph, { W, x }).get('y')!.toArray());
  });

  it('past the operation budget (a 60×60 by 60×60 product): float64, listed as limit', () => {
    const graph = buildGraph('C = A B');
    const A = Array.from({ length: 60 }, (_, i) => Array.from({ length: 60 }, (_, j) => ((i * j) % 5) / 4));
    const result = evaluateExact(graph, { A, B: A });
    expect(result.inexact.map((n) => n.reason)).toEqual(['limit']);
  });

  it('a product nested 20,000 factors deep (past any parser limit, built directly) is evaluated without overflowing the stack', () => {
    // 3 · (2 · (½ · (2 · (½ · … · 0.1)))): exactly 0.3, where float64 gives 3 · 0.1 = 0.30000000000000004
    let e = apply('mul', [ref('tenth'), ref('one')]);
    for (let i = 0; i < 10_000; i++) e = apply('mul', [ref('two'), apply('mul', [ref('half'), e])]);
    e = apply('mul', [ref('three'), e]);
    const leaves = ['one', 'two', 'half', 'three', 'tenth'].map((id) => ({ id, label: id, kind: 'input' as const, added: false }));
    const graph = new Graph([...leaves, { id: 'y', label: 'y', kind: 'intermediate', expression: e, added: false }]);
    const values = { one: 1, two: 2, half: 0.5, three: 3, tenth: 0.1 };
    expect(evaluate(graph, values).get('y')!.item()).toBe(3 * 0.1);
    const exact = evaluateExact(graph, values);
    expect(exact.exact.get('y')!.data.map(String)).toEqual(['0.3']);
    expect(exact.values.get('y')!.item()).toBe(0.3);
    expect(exact.inexact).toEqual([]);
  });
});
