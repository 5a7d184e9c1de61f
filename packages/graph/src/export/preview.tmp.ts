import { writeFileSync } from 'node:fs';
import type { GraphView, ViewNode } from '../view.ts';
import type { NodeKind } from '../graph.ts';
import { EXPORTERS, TIKZ_LIBRARIES } from './index.ts';

const node = (id: string, label: string, kind: NodeKind, latexLabel: string, formula?: [string, string], op: string | null = null, added = false): ViewNode => ({
  id, label, kind, op, added, latexLabel,
  ...(formula ? { formula: `${label} = ${formula[0]}`, latexFormula: `${latexLabel} = ${formula[1]}` } : {}),
});
const g = (of: string, wrt: string, wrtLatex: string, formula: [string, string], op: string) =>
  node(`d${of}/d${wrt}`, `∂${of}/∂${wrt}`, 'gradient', `\\frac{\\partial ${of}}{\\partial ${wrtLatex}}`, formula, op, true);
const nodes: ViewNode[] = [
  node('x', 'x', 'input', 'x'), node('W1', 'W1', 'parameter', 'W_{1}'), node('W2', 'W2', 'parameter', 'W_{2}'), node('W3', 'W3', 'parameter', 'W_{3}'),
  node('yhat', 'ŷ', 'target', '\\hat{y}'),
  node('u1', 'u1', 'intermediate', 'u_{1}', ['W1 x', 'W_{1} x'], 'matmul'),
  node('z1', 'z1', 'intermediate', 'z_{1}', ['f(u1)', 'f(u_{1})'], 'relu'),
  node('u2', 'u2', 'intermediate', 'u_{2}', ['W2 x', 'W_{2} x'], 'matmul'),
  node('z2', 'z2', 'intermediate', 'z_{2}', ['f(u2)', 'f(u_{2})'], 'relu'),
  node('u3', 'u3', 'intermediate', 'u_{3}', ['W3 z1', 'W_{3} z_{1}'], 'matmul'),
  node('y', 'y', 'intermediate', 'y', ['u3 + z2', 'u_{3} + z_{2}'], 'add'),
  node('L', 'L', 'loss', 'L', ['1/2 ‖y − ŷ‖²', '\\frac{1}{2} \\left\\| y - \\hat{y} \\right\\|^{2}'], 'mul'),
  g('L', 'y', 'y', ['y − ŷ', 'y - \\hat{y}'], 'add'),
  g('L', 'u3', 'u_{3}', ['∂L/∂y', '\\frac{\\partial L}{\\partial y}'], 'identity'),
  g('L', 'z2', 'z_{2}', ['∂L/∂y', '\\frac{\\partial L}{\\partial y}'], 'identity'),
  g('L', 'W3', 'W_{3}', ['(∂L/∂u3) z1ᵀ', '\\frac{\\partial L}{\\partial u_{3}} z_{1}^{\\top}'], 'matmul'),
  g('L', 'z1', 'z_{1}', ['W3ᵀ (∂L/∂u3)', 'W_{3}^{\\top} \\frac{\\partial L}{\\partial u_{3}}'], 'matmul'),
  g('L', 'u1', 'u_{1}', ["f'(u1) ⊙ ∂L/∂z1", "f'(u_{1}) \\odot \\frac{\\partial L}{\\partial z_{1}}"], 'mul'),
  g('L', 'W1', 'W_{1}', ['(∂L/∂u1) xᵀ', '\\frac{\\partial L}{\\partial u_{1}} x^{\\top}'], 'matmul'),
  g('L', 'u2', 'u_{2}', ["f'(u2) ⊙ ∂L/∂z2", "f'(u_{2}) \\odot \\frac{\\partial L}{\\partial z_{2}}"], 'mul'),
  g('L', 'W2', 'W_{2}', ['(∂L/∂u2) xᵀ', '\\frac{\\partial L}{\\partial u_{2}} x^{\\top}'], 'matmul'),
];
const e = (from: string, to: string) => ({ from, to });
const edges = [e('W1','u1'), e('x','u1'), e('u1','z1'), e('W2','u2'), e('x','u2'), e('u2','z2'), e('W3','u3'), e('z1','u3'), e('u3','y'), e('z2','y'), e('y','L'), e('yhat','L'),
  e('y','dL/dy'), e('yhat','dL/dy'), e('dL/dy','dL/du3'), e('dL/dy','dL/dz2'), e('dL/du3','dL/dW3'), e('z1','dL/dW3'), e('W3','dL/dz1'), e('dL/du3','dL/dz1'),
  e('u1','dL/du1'), e('dL/dz1','dL/du1'), e('dL/du1','dL/dW1'), e('x','dL/dW1'), e('u2','dL/du2'), e('dL/dz2','dL/du2'), e('dL/du2','dL/dW2'), e('x','dL/dW2')];
const full: GraphView = { nodes, edges, hidden: [] };
const forward: GraphView = { nodes: nodes.filter(n => !n.added), edges: edges.filter(x => !x.to.startsWith('d')), hidden: [] };
const mode = process.argv[2] ?? 'full';
const view = mode === 'full' ? full : forward;
writeFileSync(`/tmp/q2-${mode}.dot`, await EXPORTERS.dot.render(view, { title: 'Question 2' }));
writeFileSync(`/tmp/q2-${mode}.svg`, await EXPORTERS.svg.render(view, { title: 'Question 2' }));
writeFileSync(`/tmp/q2-${mode}.mmd`, await EXPORTERS.mermaid.render(view, { title: 'Question 2' }));
writeFileSync(`/tmp/q2-${mode}.json`, await EXPORTERS.json.render(view, {}));
const tikz = await EXPORTERS.tikz.render(view, { title: 'Question 2' });
writeFileSync(`/tmp/q2-${mode}.tex`, `\\documentclass{article}\n\\usepackage{amsmath}\n\\usepackage{tikz}\n${TIKZ_LIBRARIES}\n\\pagestyle{empty}\n\\begin{document}\n${tikz}\\end{document}\n`);
