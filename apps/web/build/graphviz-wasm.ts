/**
 * Graphviz's WebAssembly as a file of its own instead of text inside JavaScript.
 *
 * `@hpcc-js/wasm-graphviz` carries its 1.6 MB WASM inside its JavaScript, compressed and encoded
 * as a 730 kB string: every worker that draws first parses that string, decodes it and inflates
 * it in JavaScript — over a second of a loaded 2-core machine before the first graph. This plugin
 * takes the binary out at build time (with the package's own decoder, so it is exactly the
 * package's WASM), writes it to `src/generated/graphviz.wasm` (a hashed asset, compiled through
 * `src/graphviz-wasm.ts`), and rewrites the package's loader to instantiate the module that
 * module gives — compiled by the page as it opens, while the drawing worker starts (the
 * package's Emscripten build has no `locateFile`/`instantiateWasm` hook to hand it a URL or a
 * compiled module instead: its call of `WebAssembly.instantiate(bytes, imports)` is replaced). The
 * string is dropped from the bundle, and `index.html` gets a preload of the file. If the
 * package's loader no longer has the expected shape, the build stops and says so.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plugin } from 'vite';

const WEB_ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the extracted binary goes (git-ignored; remade when the package changes). */
export const GRAPHVIZ_WASM_FILE = path.join(WEB_ROOT, 'src/generated/graphviz.wasm');
/** The module the rewritten loader takes the bytes from. */
const URL_MODULE = path.join(WEB_ROOT, 'src/graphviz-wasm.ts');
const URL_ID = 'virtual:chainrule/graphviz-wasm';
const PACKAGE_FILE = /[\\/]@hpcc-js[\\/]wasm-graphviz[\\/]dist[\\/]index\.js$/;

/** The package's loader, minified: `function kt(){return Lr??=Ct(ro(to)),St({wasmBinary:Lr,locateFile:()=>""})}`. */
const LOADER = /function (\w+)\(\)\{return (\w+)\?\?=(\w+)\((\w+)\((\w+)\)\),(\w+)\(\{wasmBinary:\2,locateFile:\(\)=>""\}\)\}/;
/** Emscripten's instantiation from bytes, minified: `n=await WebAssembly.instantiate(t,r)` (bytes, imports). */
const INSTANTIATE = /await WebAssembly\.instantiate\((\w+),(\w+)\)/g;

interface Loader {
  source: string;
  name: string;
  cache: string;
  inflate: string;
  decode: string;
  text: string;
  instantiate: string;
  /** Where the encoded string's quotes are. */
  textStart: number;
  textEnd: number;
}

function findLoader(code: string, id: string): Loader {
  const match = LOADER.exec(code);
  const fail = (what: string) => new Error(`chainrule:graphviz-wasm: ${what} in ${id}; @hpcc-js/wasm-graphviz changed its loader — update apps/web/build/graphviz-wasm.ts`);
  if (!match) throw fail('no loader of the shape function f(){return b??=inflate(decode(text)),instantiate({wasmBinary:b,…})}');
  const [source, name, cache, inflate, decode, text, instantiate] = match as unknown as [string, string, string, string, string, string, string];
  const definition = new RegExp(`[,;\\s]${text}='`).exec(code);
  if (!definition) throw fail(`no string definition of ${text}`);
  const textStart = definition.index + definition[0].length - 1;
  const textEnd = code.indexOf("'", textStart + 1);
  if (textEnd < 0 || textEnd - textStart < 100_000) throw fail(`the string ${text} is not the encoded WASM`);
  return { source, name, cache, inflate, decode, text, instantiate, textStart, textEnd };
}

/** Runs the package's own decoder on its own string (in a copy of the module) and returns the WASM. */
async function extractWasm(file: string): Promise<Uint8Array> {
  const code = readFileSync(file, 'utf8');
  const loader = findLoader(code, file);
  const folder = await mkdtemp(path.join(tmpdir(), 'chainrule-graphviz-'));
  try {
    const copy = path.join(folder, 'graphviz.mjs');
    await writeFile(copy, `${code}\nexport const chainruleWasm = ${loader.inflate}(${loader.decode}(${loader.text}));\n`);
    const { chainruleWasm } = (await import(pathToFileURL(copy).href)) as { chainruleWasm: Uint8Array };
    const magic = [0x00, 0x61, 0x73, 0x6d];
    if (!magic.every((byte, i) => chainruleWasm[i] === byte)) throw new Error(`chainrule:graphviz-wasm: what ${file} decodes to is not WebAssembly`);
    return chainruleWasm;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The plugin: for the page's build and its workers' builds alike. @example plugins: [graphvizWasmFile()] */
export function graphvizWasmFile(): Plugin {
  let packageFile: string | undefined;
  return {
    name: 'chainrule:graphviz-wasm',
    enforce: 'pre',
    async buildStart() {
      const resolved = await this.resolve('@hpcc-js/wasm-graphviz', path.join(WEB_ROOT, '../../packages/export/src/svg.ts'));
      if (!resolved) this.error('chainrule:graphviz-wasm: cannot resolve @hpcc-js/wasm-graphviz from @chainrule/export');
      packageFile = resolved.id.split('?')[0]!;
      const stale = (() => {
        try {
          return statSync(GRAPHVIZ_WASM_FILE).mtimeMs < statSync(packageFile).mtimeMs;
        } catch {
          return true;
        }
      })();
      if (stale) {
        mkdirSync(path.dirname(GRAPHVIZ_WASM_FILE), { recursive: true });
        writeFileSync(GRAPHVIZ_WASM_FILE, await extractWasm(packageFile));
      }
    },
    resolveId: (id) => (id === URL_ID ? URL_MODULE : null),
    transform(code, id) {
      if (!PACKAGE_FILE.test(id.split('?')[0]!)) return null;
      const loader = findLoader(code, id);
      const instantiations = [...code.matchAll(INSTANTIATE)];
      if (instantiations.length !== 1) {
        this.error(`chainrule:graphviz-wasm: expected one 'await WebAssembly.instantiate(bytes,imports)' in ${id}, found ${instantiations.length}; @hpcc-js/wasm-graphviz changed its loader — update apps/web/build/graphviz-wasm.ts`);
      }
      // An empty wasmBinary keeps Emscripten off its own fetch; the module compiled ahead is instantiated instead of the bytes.
      const replacement = `function ${loader.name}(){return ${loader.instantiate}({wasmBinary:new Uint8Array(0),locateFile:()=>""})}`;
      const withoutText = `${code.slice(0, loader.textStart)}''${code.slice(loader.textEnd + 1)}`
        .replace(loader.source, replacement)
        .replace(INSTANTIATE, (_call, _bytes: string, imports: string) => `await __chainruleInstantiateGraphviz(${imports})`);
      return { code: `import { instantiateGraphviz as __chainruleInstantiateGraphviz } from '${URL_ID}';\n${withoutText}`, map: null };
    },
    // The download starts while the HTML is read, before any script runs.
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const wasm = Object.values(context.bundle ?? {}).find((file) => file.fileName.endsWith('.wasm'));
        if (!wasm) return [];
        return [{ tag: 'link', attrs: { rel: 'preload', href: `./${wasm.fileName}`, as: 'fetch', type: 'application/wasm', crossorigin: 'anonymous' }, injectTo: 'head' }];
      },
    },
  };
}
