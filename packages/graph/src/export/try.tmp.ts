import { writeFileSync } from 'node:fs';
import { buildGraph, gradientGraph } from '../index.ts';
import { exportGraph } from './index.ts';
const eq = ['L  = 1/2 ‖y − ŷ‖²', 'y  = u3 + z2', 'u3 = W3 z1', 'z2 = f(u2)', 'u2 = W2 x', 'z1 = f(u1)', 'u1 = W1 x', 'f = relu'];
const g = gradientGraph(buildGraph(eq, { wrt: ['W1', 'W2', 'W3'] }), ['W1', 'W2', 'W3']);
writeFileSync('/tmp/real.svg', await exportGraph(g, 'svg', { simplify: true, title: 'Assignment 9, Question 2 (b)' }));
writeFileSync('/tmp/real.mmd', await exportGraph(g, 'mermaid', { simplify: true, title: 'Assignment 9, Question 2 (b)' }));
