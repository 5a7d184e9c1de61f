import { type Plugin, defaultClientConditions, defineConfig } from 'vite';
import { earlyStart } from './build/early-start.ts';
import { graphvizWasmFile } from './build/graphviz-wasm.ts';

/**
 * The graph core registers its built-in ops by importing `ops/builtin` for its side effects,
 * while its package.json says `"sideEffects": false`; a bundler that believes the flag drops
 * the registrations (every function name then fails to validate). Keep that module's effects.
 */
function keepOpRegistrations(): Plugin {
  const graphModule = /[\\/](?:packages[\\/]graph[\\/]src|@chainrule[\\/]graph[\\/]dist)[\\/].*\.[jt]s$/;
  return {
    name: 'chainrule:keep-op-registrations',
    enforce: 'pre',
    // Every module of the graph package is kept (its statements are still tree-shaken): a barrel
    // that only re-exports would otherwise be skipped together with its side-effect import.
    transform(code, id) {
      return graphModule.test(id) ? { code, map: null, moduleSideEffects: true } : null;
    },
  };
}

/**
 * The drawing worker is one file: its first fetch brings Graphviz's JavaScript with it (the export package imports
 * Graphviz dynamically; a chunk of its own would be a second round trip before the first layout can start). The
 * engine worker keeps its chunks: what only practice and new numbers need is fetched when they are first used.
 */
function drawingWorkerInOneFile(): Plugin {
  let drawing = false;
  return {
    name: 'chainrule:drawing-worker-in-one-file',
    options(input) {
      const entries = typeof input.input === 'string' ? [input.input] : Array.isArray(input.input) ? input.input : Object.values(input.input ?? {});
      drawing = entries.some((entry) => /[\\/]draw-worker\.ts$/.test(entry));
      return null;
    },
    outputOptions: (output) => (drawing ? { ...output, codeSplitting: false } : null),
  };
}

// Graphviz's JavaScript gets its own name (its WASM is a file of its own: build/graphviz-wasm.ts).
const chunkFileNames = (chunk: { moduleIds: readonly string[] }) =>
  chunk.moduleIds.some((id) => id.includes('@hpcc-js')) ? 'assets/graphviz-[hash].js' : 'assets/[name]-[hash].js';

/**
 * Static files with relative URLs (`base: './'`), so the page works from any folder of a course
 * website, from the API at `/`, and offline. The engine runs in a module worker; Graphviz comes in
 * its own chunk, and its WASM as a file the drawing worker fetches as it starts.
 */
export default defineConfig({
  base: './',
  // '@chainrule/source': the workspace packages' export condition pointing at their TypeScript sources.
  resolve: {
    conditions: ['@chainrule/source', ...defaultClientConditions],
  },
  plugins: [keepOpRegistrations(), graphvizWasmFile(), earlyStart()],
  worker: {
    format: 'es',
    plugins: () => [keepOpRegistrations(), graphvizWasmFile(), drawingWorkerInOneFile()],
    rolldownOptions: { output: { chunkFileNames } },
  },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 2000,
    // Fonts as files, never data: URLs: the API serves the page with font-src 'self'.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
    rolldownOptions: { output: { chunkFileNames } },
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
