/** The drawing worker: Graphviz lays the graph out here, apart from the engine, so a slow layout never holds up the numbers. */
import { validateDot } from '@chainrule/export';
import { draw } from './engine/draw.ts';
import { preset } from './engine/presets.ts';
import type { DrawApi } from './model.ts';
import { exposeWorker } from './rpc.ts';
import { markOnce } from './marks.ts';
import { expectGraphvizWasmFromPage, provideGraphvizWasm } from './graphviz-wasm.ts';

markOnce('draw:start');
expectGraphvizWasmFromPage();

let loading: Promise<void> | undefined;
/** Loads Graphviz (compiling its WASM in the background) and runs its layout once. */
const loadGraphviz = () =>
  (loading ??= validateDot('digraph { a }').then(
    () => markOnce('draw:graphviz-ready'),
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  ));

const drawing: DrawApi = {
  // Graphviz starts loading before the graph is built, so its WASM compiles meanwhile.
  draw: (problem, view, force) => {
    void loadGraphviz().catch(() => undefined); // a failure is reported by the drawing
    return draw(problem, view, force);
  },
  warm: async (wasm) => {
    provideGraphvizWasm(wasm);
    await loadGraphviz();
  },
  drawPreset: (question, view) => drawing.draw(preset(question), view, false),
};

exposeWorker(drawing);
