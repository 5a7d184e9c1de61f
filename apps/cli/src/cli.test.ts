import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { q3ByHand, q3Submission } from '@chainrule/test-support';
import { describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/chainrule.mjs', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'chainrule-cli-'));

function run(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', INIT_CWD: scratch, ...env },
    timeout: 300_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, content: string): string {
  writeFileSync(path.join(scratch, name), content);
  return name;
}

const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);

describe('chainrule solve', () => {
  it('prints Q3 as JSON on stdout with the problem-result keys', () => {
    const { code, stdout, stderr } = run(['solve', 'q3', '--format', 'json']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const result = JSON.parse(stdout);
    expect(result.loss).toBeCloseTo(48.1977625, 10);
    expect(result.gradients.W3[0][0]).toBeCloseTo(7.825 * 2.55, 10);
    expect(result.values.u1).toEqual([2.55, expect.closeTo(3.9, 12), 2.5]);
  });

  it('says in every Q1 output that the network is a stand-in, and takes the lecture network from a file', () => {
    expect(run(['solve', 'q1']).stdout).toMatch(/STAND-IN NETWORK/);
    const network = file('slides.json', JSON.stringify({ input: [1, 2], target: [0, 1], layers: [{ W: [[0.1, 0.2], [0.3, 0.4]], b: [0, 0], activation: 'tanh' }] }));
    const { code, stdout } = run(['solve', 'q1', '--network', network, '--format', 'json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.source).toBe('slides.json');
    expect(result.notices).toBeUndefined();
    expect(Object.keys(result.gradients).sort()).toEqual(['W1', 'b1']);
  });

  it('writes a whole solution sheet with --out', () => {
    const { code, stderr } = run(['solve', 'all', '--out', 'sheet']);
    expect(code).toBe(0);
    expect(stderr).toMatch(/wrote solution\.md, solution\.tex, solution\.json, q2a\.svg/);
    const directory = path.join(scratch, 'sheet');
    expect(readFileSync(path.join(directory, 'q2b.svg'), 'utf8')).toMatch(/<svg/);
    expect(readFileSync(path.join(directory, 'solution.md'), 'utf8')).toMatch(/!\[Question 2a: the computational graph\]\(q2a\.svg\)/);
    // In CI (CI set) a missing pdflatex fails the test instead of skipping the check.
    if (process.env.CI || spawnSync('pdflatex', ['--version']).status === 0) expect(existsSync(path.join(directory, 'solution.pdf'))).toBe(true);
  });

  it('rejects an unknown question with a usage error on stderr (exit code 2)', () => {
    const { code, stdout, stderr } = run(['solve', 'q9']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/'q9' is invalid.*q1, q2, q3, all/);
  });

  it('uses no colour when stdout is not a terminal', () => {
    expect(run(['solve', 'q3']).stdout).not.toMatch(/\x1b\[/);
  });
});

describe('chainrule graph and backprop', () => {
  const problem = file(
    'problem.json',
    JSON.stringify({
      equations: ['L = 1/2 ||y - yhat||^2', 'y = W2 h + b2', 'h = sigmoid(W1 x)'],
      values: { x: [1, -1], yhat: [0.5], W1: [[0.1, 0.2], [0.3, -0.4]], W2: [[0.5, -0.5]], b2: [0.1] },
      wrt: ['W1', 'W2', 'b2'],
    }),
  );

  it('exports the gradient graph as DOT with added nodes styled apart', () => {
    const { code, stdout } = run(['graph', problem, '--gradients', '--format', 'dot']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^digraph/);
    expect(stdout).toContain('dL/dW1');
  });

  it('reads bare LaTeX equations', () => {
    const tex = file('q2.tex', String.raw`\begin{aligned} \mathcal{L} &= \frac{1}{2}\left\|\boldsymbol{y}-\hat{\boldsymbol{y}}\right\|^2 \\ \boldsymbol{y} &= \boldsymbol{W}_1 \boldsymbol{x} \end{aligned}`);
    const { code, stdout } = run(['graph', tex, '--format', 'json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).edges).toEqual(expect.arrayContaining([{ from: 'W1', to: 'y' }, { from: 'yhat', to: 'L' }]));
  });

  it('prints the result keys of a problem as JSON', () => {
    const { code, stdout } = run(['backprop', problem, '--format', 'json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(Object.keys(result.gradients).sort()).toEqual(['W1', 'W2', 'b2']);
    expect(typeof result.loss).toBe('number');
  });

  it.each([
    ['a missing file', ['backprop', 'nope.json'], /cannot read nope\.json: no such file/],
    ['malformed JSON', ['backprop', file('bad.json', '{\n  "equations": ["y = W x"],\n}')], /line 3, column 1: bad\.json is not valid JSON/],
    ['a schema error', ['backprop', file('schema.json', '{"equations": "y = W x", "values": {"W": "abc"}}')], /values\.W: /],
    ['an equation error', ['backprop', file('eq.json', '{"equations": ["y = W x", "L = sum(y"]}')], /equations\[1\], column 10: expected '\)'/],
    ['a shape error', ['backprop', file('shape.json', '{"equations": "L = sum(W x)", "values": {"W": [[1, 2]], "x": [1, 2, 3]}, "wrt": ["W"]}')], /matmul: shapes \[1×2\] and \[3\] do not fit/],
  ])('reports %s on stderr with exit code 1 and no stack trace', (_, args, message) => {
    const { code, stdout, stderr } = run(args);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    noStackTrace(stderr);
  });

  it('refuses gradient nodes without parameters, as the API does (exit code 1)', () => {
    const bare = file('bare.json', JSON.stringify({ equations: ['L = 1/2 ||y - yhat||^2', 'y = W x'] }));
    const { code, stdout, stderr } = run(['graph', bare, '--gradients']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/wrt: gradient nodes need the parameters to differentiate for: name them in "wrt"/);
    const withWrt = JSON.parse(run(['graph', bare, '--gradients', '--wrt', 'W', '--format', 'json']).stdout) as { nodes: { id: string }[] };
    expect(withWrt.nodes.map((n) => n.id)).toContain('dL/dW');
  });

  it('has --help on every command', () => {
    for (const command of ['solve', 'graph', 'backprop']) {
      const { code, stdout } = run([command, '--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`Usage: chainrule ${command}`));
    }
  });
});

describe('chainrule check', () => {
  // Question 3 by hand, rounded to two decimals at every step as the sheet allows.
  const submission = q3Submission(q3ByHand({ round: 2 }));

  it('grades one submission: exit 0 when every step is right, 3 with the first wrong step named', () => {
    const right = run(['check', 'q3', file('alice.json', JSON.stringify(submission)), '--format', 'json']);
    expect(right.code).toBe(0);
    expect(JSON.parse(right.stdout)).toMatchObject({ problem: 'q3', firstWrong: null });
    const slipped = q3Submission(q3ByHand({ round: 2, tweak: { u1: (v) => [v[0]!, 4, v[2]!] } }));
    const wrong = run(['check', 'q3', file('bob.json', JSON.stringify(slipped))]);
    expect(wrong.code).toBe(3);
    expect(wrong.stdout).toMatch(/First wrong: u1/);
  });

  it('locates a fault of the submission in the submission file, and grades a folder', () => {
    const bad = run(['check', 'q3', file('carol.json', JSON.stringify({ values: { v9: [1] } }))]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: values\.v9: 'v9' is not a name in the equations/);
    const folder = path.join(scratch, 'class');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'a.json'), JSON.stringify(submission));
    writeFileSync(path.join(folder, 'b.json'), '{');
    const graded = run(['check', 'q3', 'class', '--format', 'json']);
    expect(graded.code).toBe(3);
    const { summary } = JSON.parse(graded.stdout) as { summary: { id: string; points: number | null; error: string | null }[] };
    expect(summary.map((row) => [row.id, row.points])).toEqual([['a', 7], ['b', null]]);
    expect(summary[1]!.error).toMatch(/not valid JSON/);
  });
});

describe('what a newcomer trips on', () => {
  const examples = fileURLToPath(new URL('../../../examples/', import.meta.url));

  it('names the file and the layered format when a network file is wrong (exit 1)', () => {
    const { code, stderr } = run(['solve', 'q1', '--network', file('not-a-network.json', '{"layers": 3}')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^error: not-a-network\.json: input: /);
    expect(stderr).toMatch(/a layered network is \{"input"/);
    noStackTrace(stderr);
  });

  it('refuses --out naming an existing file with exit 1, not an internal error', () => {
    const { code, stderr } = run(['solve', 'all', '--out', file('a-file.txt', 'x')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--out .*a-file\.txt: is a file, not a directory/);
  });

  it("runs graph --help's own example on the shipped examples/q2.tex (the sheet's LaTeX)", () => {
    expect(run(['graph', '--help']).stdout).toMatch(/chainrule graph examples\/q2\.tex --functions f=relu --gradients/);
    const { code, stdout } = run(['graph', path.join(examples, 'q2.tex'), '--functions', 'f=relu', '--gradients', '--wrt', 'W1', 'W2', 'W3', '--format', 'json']);
    expect(code).toBe(0);
    const ids = (JSON.parse(stdout) as { nodes: { id: string }[] }).nodes.map((n) => n.id);
    // Nodes of the forward graph (2a) and gradient nodes of 2b, as the sheet names them.
    expect(ids).toEqual(expect.arrayContaining(['x', 'W1', 'u1', 'z1', 'u3', 'y', 'L', 'dL/dW1', 'dL/dW2', 'dL/dW3']));
    expect(run(['graph', path.join(examples, 'q2.tex'), '--functions', 'frelu']).code).toBe(2);
  });

  it('accepts md and markdown in solve and in check alike', () => {
    expect(run(['solve', 'q3', '--format', 'markdown']).stdout).toMatch(/^# /);
    const check = run(['check', 'q3', path.join(examples, 'alice.json'), '--format', 'md']);
    expect(check.stdout).toMatch(/^## Grade of q3/);
    expect(run(['solve', 'q3', '--format', 'mdx']).code).toBe(2);
  });
});
