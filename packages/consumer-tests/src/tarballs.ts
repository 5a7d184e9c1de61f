/**
 * What a user outside the workspace gets: every public package packed (`pnpm pack`, as
 * `pnpm publish` would) and installed with plain npm into an empty folder.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
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

/**
 * Packs every package into `destination` with one `pnpm pack --recursive` (as `pnpm publish`
 * would pack each); returns the tarball paths by package name.
 */
export async function packAll(packages: readonly PublicPackage[], destination: string): Promise<Map<string, string>> {
  const filters = packages.flatMap((pkg) => ['--filter', pkg.name]);
  const { stdout } = await run('pnpm', ['--recursive', ...filters, 'pack', '--pack-destination', destination, '--json', '--workspace-concurrency=4'], {
    cwd: WORKSPACE,
    env: outsideEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
  const packed = JSON.parse(stdout) as { name: string; filename: string }[] | { name: string; filename: string };
  const tarballs = new Map((Array.isArray(packed) ? packed : [packed]).map(({ name, filename }) => [name, path.resolve(destination, filename)] as const));
  const missing = packages.filter((pkg) => !tarballs.has(pkg.name)).map((pkg) => pkg.name);
  if (missing.length > 0) throw new Error(`pnpm pack made no tarball for ${missing.join(', ')}`);
  return tarballs;
}

const CLOSED_REGISTRY = 'http://127.0.0.1:9/';

/**
 * An empty folder outside the workspace with the tarballs installed by plain npm, plus `extra`
 * from the registry. The packages depend on each other by version; `overrides` point those
 * dependencies at the tarballs, so npm never asks the registry for a `@chainrule` package (the
 * scope points at a closed port, and npm's log is checked for it).
 *
 * The installation is kept in `os.tmpdir()/chainrule-consumers/<key>`, the key a hash of the
 * tarballs' contents (see {@link tarballDigest}), `extra` and the Node version: a run whose
 * packages did not change reuses it. Each run gets a fresh folder of its own whose
 * `node_modules` links to the installation, so nothing a run writes reaches the cache.
 */
export async function installConsumer(tarballs: ReadonlyMap<string, string>, extra: readonly string[]): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify({ extra, node: process.version }));
  for (const [name, tarball] of [...tarballs].sort(([a], [b]) => a.localeCompare(b))) hash.update(name).update(await tarballDigest(tarball));
  const cacheRoot = path.join(os.tmpdir(), 'chainrule-consumers');
  const installed = path.join(cacheRoot, hash.digest('hex').slice(0, 24));
  if (!existsSync(path.join(installed, 'node_modules'))) {
    mkdirSync(cacheRoot, { recursive: true });
    pruneCache(cacheRoot);
    const fresh = mkdtempSync(`${installed}.partial-`);
    await npmInstall(fresh, tarballs, extra);
    try {
      renameSync(fresh, installed);
    } catch {
      // Another run installed the same tarballs first: use that one.
      rmSync(fresh, { recursive: true, force: true });
    }
  }
  const now = new Date();
  utimesSync(installed, now, now);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chainrule-consumer-'));
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'course-material', private: true, type: 'module' }, null, 2)}\n`);
  symlinkSync(path.join(installed, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/**
 * A digest of what a tarball holds: every file's path and bytes, the manifest with its keys
 * sorted. Not the tarball's own bytes: `pnpm pack --recursive` writes the dependencies it
 * resolves from `workspace:*` in whatever order they resolve.
 */
async function tarballDigest(tarball: string): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chainrule-unpacked-'));
  try {
    await run('tar', ['-xzf', tarball, '-C', dir]);
    const hash = createHash('sha256');
    const files = (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
      .sort();
    for (const file of files) {
      const bytes = readFileSync(path.join(dir, file));
      hash.update(`${file}\0`).update(file === path.join('package', 'package.json') ? canonicalJson(JSON.parse(bytes.toString('utf8'))) : bytes);
    }
    return hash.digest('hex');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** JSON with every object's keys sorted. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Removes installations (and broken partial ones) not used for a day. */
function pruneCache(cacheRoot: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const entry of readdirSync(cacheRoot)) {
    const dir = path.join(cacheRoot, entry);
    if (statSync(dir).mtimeMs < dayAgo) rmSync(dir, { recursive: true, force: true });
  }
}

async function npmInstall(dir: string, tarballs: ReadonlyMap<string, string>, extra: readonly string[]): Promise<void> {
  // Copied in: the installation outlives the run's packing folder.
  mkdirSync(path.join(dir, 'tarballs'));
  const local = Object.fromEntries(
    [...tarballs].map(([name, tarball]) => {
      const copy = path.join(dir, 'tarballs', path.basename(tarball));
      copyFileSync(tarball, copy);
      return [name, `file:${copy}`];
    }),
  );
  const manifest = { name: 'course-material', private: true, type: 'module', dependencies: local, overrides: local };
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const { stderr } = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=http', '--prefer-offline', '--fetch-retries=0', `--@chainrule:registry=${CLOSED_REGISTRY}`, ...extra],
    { cwd: dir, env: outsideEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  if (stderr.includes(CLOSED_REGISTRY)) throw new Error(`npm asked the registry for a @chainrule package:\n${stderr}`);
}

/** The file list of a tarball (paths inside `package/`). */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { stdout } = await run('tar', ['-tzf', tarball], { maxBuffer: 16 * 1024 * 1024 });
  return stdout.split('\n').filter(Boolean).map((file) => file.replace(/^package\//, ''));
}

/** The text of the JavaScript files inside a tarball, by path (inside `package/`). */
export async function tarballScripts(tarball: string): Promise<Map<string, string>> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'chainrule-unpacked-'));
  try {
    await run('tar', ['-xzf', tarball, '-C', dir]);
    const root = path.join(dir, 'package');
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((file) => /\.[cm]?js$/.test(file));
    return new Map(files.sort().map((file) => [file.split(path.sep).join('/'), readFileSync(path.join(root, file), 'utf8')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
