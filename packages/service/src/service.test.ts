import { type TaskPool, createPool } from '@chainrule/compute';
import { parseProblem } from '@chainrule/problem';
import { Q3_LOSS, Q3_W3_GRADIENT, q3ByHand, q3Problem, q3Submission } from '@chainrule/test-support';
import { useWarmPool } from '@chainrule/test-support/pool';
import { describe, expect, it } from 'vitest';
import { backprop, check, checkClass, gradcheck, graph, solve, workedSolution } from './service.ts';

/** L = ½‖W x − ŷ‖² with W = [1 2], x = [1 1], ŷ = 0: y = 3, L = 4.5, ∂L/∂W = y xᵀ = [3 3] (by hand). */
const tiny = () => parseProblem({ equations: ['L = 1/2 ||y - yhat||^2', 'y = W x'], values: { W: [[1, 2]], x: [1, 1], yhat: [0] }, wrt: ['W'] });
const q3 = () => parseProblem(q3Problem());

/** A pool that records what goes to it and runs it on a real pool of one worker. */
// Warmed with the service's task module: loading it through tsx on a loaded machine can take longer than a task's deadline.
const real = useWarmPool(createPool({ size: 1 }), { modules: [new URL('./tasks.ts', import.meta.url)] });
function recording(): TaskPool & { names: string[] } {
  const names: string[] = [];
  return {
    names,
    size: real.size,
    split: (total) => real.split(total),
    task: (module, name, input, options) => (names.push(name), real.task(module, name, input, options)),
    tasks: (module, name, inputs, options) => (names.push(name), real.tasks(module, name, inputs, options)),
  };
}

describe('backprop', () => {
  it('answers the loss, values and gradients of a problem worked by hand, inline when light', async () => {
    const pool = recording();
    expect(await backprop({ problem: tiny() }, { pool })).toEqual({ loss: 4.5, values: { y: [3], L: 4.5 }, gradients: { W: [[3, 3]] } });
    expect(pool.names).toEqual([]);
  });

  it('sends heavy work and worked steps to the pool, with the same answer', async () => {
    const pool = recording();
    const inline = await backprop({ problem: q3(), round: 2 });
    expect(await backprop({ problem: q3(), round: 2 }, { pool, limits: { inlineWorkLimit: 1 } })).toEqual(inline);
    const withSteps = await backprop({ problem: q3(), steps: 'md' }, { pool });
    expect(withSteps.steps?.text).toMatch(/Forward pass/i);
    expect(withSteps.loss).toBeCloseTo(Q3_LOSS, 10);
    expect(pool.names).toEqual(['backprop', 'backprop']);
  });

  it('refuses a problem over a limit before any work, with the path and shape of the value', async () => {
    const big = parseProblem({ equations: 'L = sum(W x)', values: { W: Array.from({ length: 300 }, () => new Array(300).fill(0)), x: new Array(300).fill(1) } });
    await expect(backprop({ problem: big })).rejects.toMatchObject({ code: 'limit', status: 413, location: { path: ['values', 'W'] }, extensions: { shape: [300, 300], entries: 90_000 } });
    await expect(workedSolution({ problem: big, title: 'x', format: 'text' })).rejects.toMatchObject({ code: 'limit' });
  });
});

describe('graph', () => {
  it('refuses gradient nodes without parameters, for every caller alike', async () => {
    const problem = parseProblem({ equations: ['L = 1/2 ||y - yhat||^2', 'y = W x'] });
    await expect(graph({ problem, format: 'json', gradients: true })).rejects.toMatchObject({
      code: 'problem',
      message: 'gradient nodes need the parameters to differentiate for: name them in "wrt"',
      location: { path: ['wrt'] },
    });
    const withWrt = JSON.parse((await graph({ problem, format: 'json', gradients: true, wrt: ['W'] })).body) as { nodes: { id: string; added: boolean }[] };
    expect(withWrt.nodes.filter((n) => n.added).map((n) => n.id)).toEqual(expect.arrayContaining(['dL/dW', 'dL/dy']));
  });

  it('lays out SVG on the pool', async () => {
    const pool = recording();
    const svg = await graph({ problem: tiny(), format: 'svg', gradients: true }, { pool });
    expect(svg).toMatchObject({ mediaType: 'image/svg+xml', body: expect.stringContaining('<svg') });
    expect(pool.names).toEqual(['graph']);
  });
});

describe('check', () => {
  const perfect = q3Submission(q3ByHand({ round: 2 }));

  it('grades a hand-computed Question 3 as correct, and a slip as the first wrong step', async () => {
    expect(await check({ problem: 'q3', submission: perfect, format: 'json' })).toMatchObject({ firstWrong: null, json: { points: { earned: 7, total: 7 } } });
    const slipped = q3Submission(q3ByHand({ round: 2, tweak: { u1: (v) => [v[0]!, 4, v[2]!] } }));
    const text = await check({ problem: 'q3', submission: slipped, format: 'text' });
    expect(text).toMatchObject({ firstWrong: 'u1', mediaType: 'text/plain; charset=utf-8', body: expect.stringMatching(/^Grade of q3/) });
  });

  it('locates faults inside the request by default, or in the files themselves', async () => {
    await expect(check({ problem: 'q3', submission: { values: { v9: [1] } }, format: 'json' })).rejects.toMatchObject({ location: { path: ['submission', 'values', 'v9'] } });
    await expect(check({ problem: 'q3', submission: { values: { v9: [1] } }, format: 'json', paths: { submission: [] } })).rejects.toMatchObject({
      location: { path: ['values', 'v9'] },
    });
    const problem = q3();
    problem.values.W3 = [[1, 0.5], [0.2, 0.3]];
    await expect(check({ problem, submission: {}, format: 'json' })).rejects.toMatchObject({ code: 'shape', location: { path: ['problem', 'equations', 2] } });
  });

  it('grades a class in order, reporting progress chunk by chunk', async () => {
    const submissions = Array.from({ length: 20 }, (_, i) => ({ id: `s${i}`, submission: i === 3 ? { values: 'oops' } : perfect }));
    let progressed = 0;
    const graded = await checkClass({ problem: 'q3', submissions }, { onProgress: (n) => (progressed += n) });
    expect(progressed).toBe(20);
    expect(graded.results.map((r) => r.id)).toEqual(submissions.map((s) => s.id));
    expect(graded.summary[3]).toMatchObject({ points: null, error: expect.stringMatching(/^values: /) });
    expect(graded.summary[0]).toMatchObject({ points: 7, firstWrong: null });
  });
});

describe('gradcheck', () => {
  it("checks Question 3's gradients against central differences, and finds a wrong entry", async () => {
    const ok = await gradcheck({ problem: q3() });
    expect(ok.pass).toBe(true);
    (ok.numeric.W3 as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(Q3_W3_GRADIENT[i]![j]!, 5)));
    const W3 = structuredClone(Q3_W3_GRADIENT);
    W3[1]![2] = 14.9;
    const pool = recording();
    const wrong = await gradcheck({ problem: q3(), gradients: { W3 } }, { pool });
    expect(wrong.ranOn).toBe('pool');
    // The whole check in one worker: nothing of it (preparing, the symbolic gradients, splitting) on the calling thread.
    expect(pool.names).toEqual(['gradcheck']);
    (wrong.numeric.W3 as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(Q3_W3_GRADIENT[i]![j]!, 5)));
    expect(wrong.parameters.find((p) => p.name === 'W3')).toMatchObject({ pass: false, index: [1, 2] });
  });

  it('locates faults of the problem under `problem`, of the gradients under `gradients`, and refuses too many entries', async () => {
    await expect(gradcheck({ problem: q3(), gradients: { W3: [[1, 2]] } })).rejects.toMatchObject({ location: { path: ['gradients', 'W3'] } });
    await expect(gradcheck({ problem: { ...q3(), wrt: ['constructor'] } })).rejects.toMatchObject({ location: { path: ['problem', 'wrt', 0] } });
    // W1 3×4, W2 2×4, W3 2×3: 26 entries.
    await expect(gradcheck({ problem: q3() }, { limits: { maxGradcheckEntries: 25 } })).rejects.toMatchObject({ location: { path: ['problem', 'wrt'] }, extensions: { entries: 26 } });
  });
});

describe('solve', () => {
  it('renders the reference solution of Question 3 with the loss computed by hand', async () => {
    const { body, mediaType } = await solve({ questions: ['q3'], format: 'json' });
    expect(mediaType).toBe('application/json');
    expect((JSON.parse(body) as { id: string; loss: number }).loss).toBeCloseTo(Q3_LOSS, 10);
  });

  it('validates the lecture network of Question 1', async () => {
    await expect(solve({ questions: ['q1'], format: 'text', network: { input: [1], target: [0], layers: [{ W: [[1, 2]] }] } })).rejects.toMatchObject({
      location: { path: ['layers', 0, 'W', 0] },
    });
  });
});
