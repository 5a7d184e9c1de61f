#!/usr/bin/env node
// Runs several bench scripts one after the other (each in its own process, so one's JIT and heap
// do not disturb the next), passes the flags (arguments starting with `--`, e.g. --json) to each,
// and exits non-zero if any of them did: a missed target in the first bench must not hide the others.
//   run-each bench/a.bench.ts bench/b.bench.ts --json
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2).filter((arg) => arg !== '--');
const files = args.filter((arg) => !arg.startsWith('--'));
const flags = args.filter((arg) => arg.startsWith('--'));
if (files.length === 0) {
  console.error('run-each: name at least one bench script');
  process.exit(2);
}
let failed = 0;
for (const file of files) {
  const run = spawnSync('tsx', [file, ...flags], { stdio: 'inherit', shell: false });
  if (run.error) {
    console.error(`run-each: could not start tsx for ${file}: ${run.error.message}`);
    failed++;
  } else if (run.status !== 0) failed++;
}
if (failed > 0) console.error(`run-each: ${failed} of ${files.length} benches missed a target or failed`);
process.exit(failed > 0 ? 1 : 0);
