/**
 * What a user outside the workspace gets: every public package packed (`pnpm pack`, as
 * `pnpm publish` would) and installed with plain npm into an empty folder.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The workspace root. */
export const WORKSPACE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A workspace package that is published. */
export interface PublicPackage {
  name: string;
  dir: string;
  manifest: Record<string, unknown>;
}

/** The public (non-private) packages under packages/ and apps/. */
export function publicPackages(): PublicPackage[] {
  const found: PublicPackage[] = [];
  for (const group of ['packages', 'apps']) {
    for (const entry of readdirSync(path.join(WORKSPACE, group), { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = path.join(WORKSPACE, group, entry.name);
      let manifest: Record<string, unknown>;
      try {
        manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
      } catch {
        continue;
      }
      if (manifest.private !== true) found.push({ name: String(manifest.name), dir, manifest });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The environment of a process outside the workspace: without the workspace's
 * `--conditions=@chainrule/source` (pnpm puts it into NODE_OPTIONS for every script).
 */
export function outsideEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  const options = (env.NODE_OPTIONS ?? '').split(/\s+/).filter((flag) => flag && !flag.includes('@chainrule/source'));
  if (options.length > 0) env.NODE_OPTIONS = options.join(' ');
  else delete env.NODE_OPTIONS;
  for (const key of Object.keys(env)) if (key.startsWith('npm_') || key.startsWith('PNPM_') || key === 'INIT_CWD') delete env[key];
  return env;
}

/** Packs each package into `destination`; returns the tarball paths by package name. */
export async function packAll(packages: readonly PublicPackage[], destination: string): Promise<Map<string, string>> {
  const tarballs = new Map<string, string>();
  for (const pkg of packages) {
    const { stdout } = await run('pnpm', ['pack', '--pack-destination', destination], { cwd: pkg.dir, env: outsideEnv() });
    const tarball = stdout.trim().split('\n').pop()!.trim();
    tarballs.set(pkg.name, path.isAbsolute(tarball) ? tarball : path.join(destination, tarball));
  }
  return tarballs;
}

const CLOSED_REGISTRY = 'http://127.0.0.1:9/';

/**
 * An empty folder outside the workspace with the tarballs installed by plain npm, plus `extra`
 * from the registry. The packages depend on each other by version; `overrides` point those
 * dependencies at the tarballs, so npm never asks the registry for a `@chainrule` package (the
 * scope points at a closed port, and npm's log is checked for it).
 */
export async function installConsumer(tarballs: ReadonlyMap<string, string>, extra: readonly string[]): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chainrule-consumer-'));
  const local = Object.fromEntries([...tarballs].map(([name, tarball]) => [name, `file:${tarball}`]));
  const manifest = { name: 'course-material', private: true, type: 'module', dependencies: local, overrides: local };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const { stderr } = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=http', '--prefer-offline', '--fetch-retries=0', `--@chainrule:registry=${CLOSED_REGISTRY}`, ...extra],
    { cwd: dir, env: outsideEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  if (stderr.includes(CLOSED_REGISTRY)) throw new Error(`npm asked the registry for a @chainrule package:\n${stderr}`);
  return dir;
}

/** The file list of a tarball (paths inside `package/`). */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean).map((file) => file.replace(/^package\//, ''));
}

/** The package.json inside a tarball. */
export async function tarballManifest(tarball: string): Promise<Record<string, unknown>> {
  const { stdout } = await run('tar', ['-xzOf', tarball, 'package/package.json'], { maxBuffer: 4 * 1024 * 1024 });
  return JSON.parse(stdout);
}

/** Runs a command in the consumer folder with a clean environment. */
export async function runIn(dir: string, command: string, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
  return run(command, [...args], { cwd: dir, env: outsideEnv(), maxBuffer: 64 * 1024 * 1024 });
}
