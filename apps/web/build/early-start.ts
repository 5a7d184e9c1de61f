/**
 * The page's first script: starts both workers and the compile of Graphviz's WASM while the HTML
 * is still being read.
 *
 * The page's own module script runs only once the stylesheet is in and the page has been laid
 * out and painted (Chromium holds module scripts, `async` ones too, until the first paint): on a
 * loaded 2-core machine 200-300 ms after the HTML arrived, and every step to the first graph
 * (starting a worker, loading Graphviz, building the DOT) waited for it. A classic script in the
 * head, before the stylesheet, runs as soon as it has arrived. It cannot be inline (the API serves
 * the page with `script-src 'self'`) and it must name the workers' hashed files, so the build
 * writes it: this plugin emits `assets/start-[hash].js` naming the files of this build and puts it
 * first in the head. It only starts things; the page (`src/early-start.ts`) takes them over, and
 * does everything itself when the script is missing (the dev server, a failed compile).
 */
import type { Plugin, Rolldown } from 'vite';
import { EARLY_START_GLOBAL, type EarlyStartFiles } from '../src/early-start.ts';

/** The worker entries of the page, by the file name of their bundle (`assets/<name>-<hash>.js`). */
const WORKERS = { drawing: 'draw-worker', engine: 'worker' } as const;

/** The one file in the bundle whose name is `assets/<name>-<hash>.<ext>`, or an error naming what is missing. */
function bundleFile(bundle: Rolldown.OutputBundle, name: string, ext: string): string {
  const pattern = new RegExp(`^assets/${name}-[\\w-]+\\.${ext}$`);
  const found = Object.values(bundle)
    .map((file) => file.fileName)
    .filter((fileName) => pattern.test(fileName));
  if (found.length !== 1) throw new Error(`chainrule:early-start: expected one assets/${name}-<hash>.${ext} in the build, found ${found.length} (${found.join(', ')})`);
  return found[0]!;
}

/** The classic script that starts the workers and the WASM compile, naming this build's files (relative to the page). */
export function earlyStartScript(files: EarlyStartFiles): string {
  const json = (value: string) => JSON.stringify(value);
  return `"use strict";
// Written by apps/web/build/early-start.ts: starts the page's workers and Graphviz's WASM compile before the page's module runs.
(function () {
  var start = (self[${json(EARLY_START_GLOBAL)}] = { errors: [] });
  function worker(file, name) {
    var started = new Worker(new URL(file, document.baseURI), { type: "module", name: name });
    started.addEventListener("error", function (event) { start.errors.push(event.message || "a worker failed to start"); });
    return started;
  }
  start.drawing = worker(${json(`./${files.drawing}`)}, "chainrule-drawing");
  start.engine = worker(${json(`./${files.engine}`)}, "chainrule-engine");
  if (typeof WebAssembly === "object" && typeof WebAssembly.compileStreaming === "function") {
    start.graphviz = WebAssembly.compileStreaming(fetch(new URL(${json(`./${files.wasm}`)}, document.baseURI)));
    start.graphviz.catch(function () {}); // the page compiles the file itself then
  }
})();
`;
}

/** The plugin (client build only: the dev server has no hashed files, and the page starts its workers itself). @example plugins: [earlyStart()] */
export function earlyStart(): Plugin {
  let scriptFile: string | undefined;
  return {
    name: 'chainrule:early-start',
    apply: 'build',
    // No `enforce`: this runs before Vite's HTML plugin writes index.html (which calls transformIndexHtml below),
    // and after the workers' bundles and the WASM are in the bundle.
    generateBundle(_options, bundle) {
      const files: EarlyStartFiles = { drawing: bundleFile(bundle, WORKERS.drawing, 'js'), engine: bundleFile(bundle, WORKERS.engine, 'js'), wasm: bundleFile(bundle, 'graphviz', 'wasm') };
      const reference = this.emitFile({ type: 'asset', name: 'start.js', source: earlyStartScript(files) });
      scriptFile = this.getFileName(reference);
    },
    transformIndexHtml: {
      order: 'post',
      handler() {
        if (!scriptFile) return [];
        // First in the head, before the stylesheet: a classic script after a stylesheet would wait for it.
        return [{ tag: 'script', attrs: { src: `./${scriptFile}` }, injectTo: 'head-prepend' }];
      },
    },
  };
}
