/**
 * The hostile corpus against the CLI (`apps/cli/bin/chainrule.mjs`): the same inputs as the API's
 * give exit 1 with a message that says what and where — never a stack trace or exit 70 — or, for
 * a name, exactly what an ordinary name gives.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NAMED_INPUT, NAME, NAMED_INPUT_RESULT, deepBodies, twinName, withName } from './corpus.ts';

/** Hang detection only. */
const HANG_MS = 120_000;

const bin = fileURLToPath(new URL('../../../cli/bin/chainrule.mjs', import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), 'chainrule-hostile-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '', INIT_CWD: scratch }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let files = 0;
function file(text: string | Buffer): string {
  const name = `input-${++files}.json`;
  writeFileSync(path.join(scratch, name), text);
  return name;
}

function expectUserError(result: Run, context: string): void {
  expect({ code: result.code, stackTrace: /\n\s+at .+:\d+:\d+\)?/.test(result.stderr) }, `${context}\n${result.stderr.slice(0, 600)}`).toEqual({ code: 1, stackTrace: false });
  expect(result.stderr.trim(), context).not.toBe('');
}

describe.concurrent('chainrule on JSON of any depth', () => {
  const commands: { label: string; args: (file: string) => string[]; before: string; after: string }[] = [
    { label: 'backprop', args: (f) => ['backprop', f, '--format', 'json'], before: '{"equations": "L = x", "values": {"x": ', after: '}}' },
    { label: 'graph', args: (f) => ['graph', f], before: '{"equations": ', after: '}' },
    { label: 'check (the submission)', args: (f) => ['check', 'q3', f, '--format', 'json'], before: '{"values": {"u1": ', after: '}}' },
    { label: 'solve --network', args: (f) => ['solve', 'q1', '--network', f], before: '{"layers": ', after: '}' },
  ];
  for (const command of commands) {
    // Every case against one command; against the others the two that overflowed the stack.
    const bodies = deepBodies(command.before, command.after);
    for (const body of command.label === 'backprop' ? bodies : bodies.filter((b) => b.status === 400).slice(0, 2)) {
      const id = `${command.label}: ${body.label}`;
      it(
        id,
        async () => {
          const result = await run(command.args(file(body.text)));
          expectUserError(result, id);
          if (body.status === 400) expect(result.stderr).toMatch(/line 1, column \d+: .* is not valid JSON/);
        },
        HANG_MS,
      );
    }
  }
});

describe.concurrent('chainrule with names equal to members of Object.prototype', () => {
  const q3Submission = (values: unknown) => JSON.stringify({ values, gradients: values });
  const sites: { site: string; args: (name: string) => string[] }[] = [
    { site: 'backprop: an input', args: (name) => ['backprop', file(withName(JSON.stringify(NAMED_INPUT), name)), '--format', 'json'] },
    { site: 'backprop: values, not in the equations', args: (name) => ['backprop', file(withName(JSON.stringify({ equations: ['L = W x'], values: { W: [[1]], x: [1], [NAME]: 1 } }), name))] },
    { site: 'backprop: wrt, not in the equations', args: (name) => ['backprop', file(withName(JSON.stringify({ equations: ['L = W x'], values: { W: [[1]], x: [1] }, wrt: [NAME] }), name))] },
    { site: 'backprop: a function binding', args: (name) => ['backprop', file(withName(JSON.stringify({ equations: ['L = 1/2 ||y - t||^2', `y = ${NAME}(W x)`], functions: { [NAME]: 'relu' }, values: { W: [[1, 2]], x: [1, 1], t: [0] }, wrt: ['W'] }), name)), '--format', 'json'] },
    { site: 'graph: an unbound function', args: (name) => ['graph', file(withName(JSON.stringify({ equations: [`L = ${NAME}(x)`] }), name)), '--format', 'dot'] },
    { site: 'graph: a role, not in the equations', args: (name) => ['graph', file(withName(JSON.stringify({ equations: ['L = W x'], roles: { [NAME]: 'input' } }), name)), '--format', 'json'] },
    { site: 'graph: --wrt', args: (name) => ['graph', file(JSON.stringify({ equations: ['L = W x'] })), '--gradients', '--wrt', name] },
    { site: 'check: a submission', args: (name) => ['check', 'q3', file(withName(q3Submission({ [NAME]: [1], u1: [2.55, 3.9, 2.5] }), name)), '--format', 'json'] },
  ];
  for (const { site, args } of sites) {
    // The API's corpus holds every name; the CLI shares its packages, so two names stand for them.
    for (const name of ['constructor', '__proto__']) {
      const id = `${site}: ${name}`;
      it(
        id,
        async () => {
          const twin = twinName(name);
          const [hostile, ordinary] = await Promise.all([run(args(name)), run(args(twin))]);
          expect(hostile.stderr, id).not.toMatch(/\n\s+at .+:\d+:\d+\)?/);
          expect(hostile.code, `${id}\n${hostile.stderr}`).not.toBe(70);
          const swap = (text: string) => text.split(twin).join(name).replace(/input-\d+\.json/g, 'FILE');
          const asOrdinary = { code: ordinary.code, stdout: swap(ordinary.stdout), stderr: swap(ordinary.stderr) };
          const got = { code: hostile.code, stdout: swap(hostile.stdout), stderr: swap(hostile.stderr) };
          if (JSON.stringify(got) === JSON.stringify(asOrdinary)) return;
          // Otherwise only a refusal that names it.
          expect({ code: hostile.code, namesIt: hostile.stderr.includes(name) }, `${hostile.stderr}\n-- an ordinary name gets --\n${ordinary.code} ${ordinary.stderr}${ordinary.stdout.slice(0, 300)}`).toEqual({ code: 1, namesIt: true });
        },
        HANG_MS,
      );
    }
  }

  it(
    'computes the right numbers for a parameter named constructor',
    async () => {
      const result = await run(['backprop', file(withName(JSON.stringify(NAMED_INPUT), 'constructor')), '--format', 'json']);
      expect(result.code, result.stderr).toBe(0);
      const output = JSON.parse(result.stdout) as { loss: number; gradients: Record<string, unknown> };
      expect(output.loss).toBe(NAMED_INPUT_RESULT.loss);
      expect(output.gradients).toEqual({ W: [[3, 3]], constructor: [3, 6] });
    },
    HANG_MS,
  );
});

describe('chainrule with a file that is not UTF-8', () => {
  // Latin-1 `café`: read as UTF-8 regardless, the name would become `caf\uFFFD`.
  const latin1 = Buffer.from('{"equations": ["L = 1/2 ||y - t||^2", "y = W caf\u00e9"], "values": {"W": [[1]], "caf\u00e9": [1], "t": [0]}}', 'latin1');
  it(
    'says so, with the byte, line and column, and exits 1',
    async () => {
      const result = await run(['backprop', file(latin1)]);
      expectUserError(result, 'latin-1');
      expect(result.stderr).toMatch(/line 1, column 49: .*is not UTF-8: byte 48 \(0xe9\)/);
    },
    HANG_MS,
  );
});
