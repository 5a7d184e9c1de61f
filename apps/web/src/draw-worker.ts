/** The drawing worker: Graphviz lays the graph out here, apart from the engine, so a slow layout never holds up the numbers. */
import { validateDot } from '@chainrule/export';
import { draw } from './engine/draw.ts';
import { preset } from './engine/presets.ts';
import type { DrawApi } from './model.ts';
import { exposeWorker } from './rpc.ts';
import { markOnce } from './marks.ts';
import { provideGraphvizWasm } from './graphviz-wasm.ts';

markOnce('draw:start');

const drawing: DrawApi = {
  draw,
  warm: async (wasm) => {
    if (wasm) provideGraphvizWasm(wasm);
    await validateDot('digraph { a }');
    markOnce('draw:graphviz-ready');
  },
  drawPreset: (question, view) => draw(preset(question), view, false),
};

exposeWorker(drawing);
