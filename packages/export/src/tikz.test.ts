import { describe, expect, it } from 'vitest';
import { readLayout, tikzNames, writeTikz } from './tikz.ts';
import type { GraphView, ViewNode } from './view.ts';

const node = (id: string, kind: ViewNode['kind'], latexLabel: string, added = false): ViewNode => ({ id, label: id, kind, op: null, added, latexLabel });

// x and W into y twice (y = W x + W): two routes from n1 to n2, the second a straight line.
const VIEW: GraphView = {
  nodes: [node('x', 'input', 'x'), node('W', 'parameter', 'W'), node('y', 'intermediate', ''), node('g', 'gradient', '\\frac{\\partial L}{\\partial W}', true)],
  edges: [
    { from: 'x', to: 'y' },
    { from: 'W', to: 'y' },
    { from: 'W', to: 'y' },
    { from: 'y', to: 'g' },
  ],
  hidden: [],
};
const PLAIN = [
  'graph 1 3 2',
  'node n0 0.5 1 0.5 0.3 x solid ellipse black lightgrey',
  'node n1 0.5 -0.25 0.5 0.3 W solid box black lightgrey',
  'node n2 2 0.5 0.5 0.3 y solid ellipse black lightgrey',
  'edge n0 n2 4 0.75 1 1 1 1.5 0.75 1.75 0.5 solid black',
  'edge n1 n2 4 0.75 0 1 0 1.5 0.25 1.75 0.5 solid black',
  'edge n1 n2 1 1 1 solid black',
  'stop',
].join('\n');

describe('readLayout', () => {
  it('reads node centres and every route of an edge in order, as numbers', () => {
    const layout = readLayout(PLAIN);
    expect([...layout.nodes].map(([id, at]) => [id, layout.coordinates.slice(at, at + 2)])).toEqual([
      ['n0', [0.5, 1]],
      ['n1', [0.5, -0.25]],
      ['n2', [2, 0.5]],
    ]);
    const [taken, first, count, second, secondCount] = layout.edges.get('n1->n2')!;
    expect([taken, count, secondCount]).toEqual([0, 4, 1]);
    expect(layout.coordinates.slice(first, first! + 8)).toEqual([0.75, 0, 1, 0, 1.5, 0.25, 1.75, 0.5]);
    expect(layout.coordinates.slice(second, second! + 2)).toEqual([1, 1]);
  });
});

describe('writeTikz', () => {
  it('places the nodes and routes the k-th edge of a pair along its k-th route (by hand, scale 2)', () => {
    const tikz = writeTikz(VIEW, tikzNames(VIEW), readLayout(PLAIN), { scale: 2 });
    const body = tikz.split('\n').filter((line) => line.startsWith('  \\') || line.startsWith('  %'));
    expect(body).toEqual([
      '  % n0: x (input)',
      '  \\node[cr input] (n0) at (1.00,2.00) {$x$};',
      '  % n1: W (parameter)',
      '  \\node[cr parameter] (n1) at (1.00,-0.50) {$W$};',
      '  % n2: y (intermediate)',
      '  \\node[cr intermediate] (n2) at (4.00,1.00) {y};',
      '  % n3: g (gradient, added)',
      '  \\node[cr added] (n3) at (0.00,0.00) {$\\partial L/\\partial W$};',
      '  \\draw[cr edge] (n0) .. controls (2.00,2.00) and (3.00,1.50) .. (n2);',
      '  \\draw[cr edge] (n1) .. controls (2.00,0.00) and (3.00,0.50) .. (n2);',
      '  \\draw[cr edge] (n1) -- (n2);',
      '  \\draw[cr backprop] (n2) -- (n3);',
    ]);
    expect(tikz.endsWith('\\end{tikzpicture}\n')).toBe(true);
  });
});
