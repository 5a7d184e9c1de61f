/** The drawing worker: Graphviz lays the graph out here, apart from the engine, so a slow layout never holds up the numbers. */
import { validateDot } from '@chainrule/export';
import { draw } from './engine/draw.ts';
import { preset } from './engine/presets.ts';
import type { DrawApi } from './model.ts';
import { exposeWorker } from './rpc.ts';

const drawing: DrawApi = {
  draw,
  warm: async () => {
    await validateDot('digraph { a }');
  },
  drawPreset: (question, view) => draw(preset(question), view, false),
};

exposeWorker(drawing);
