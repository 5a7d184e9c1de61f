/**
 * The drawing worker: Graphviz lays out the DOT the engine worker made, apart from the engine, so
 * a slow layout never holds up the numbers. It holds nothing but Graphviz (the export package's
 * `layoutDot` from its `./svg` entry: the package's index would bring in the graph core and
 * zod), so it starts in a few milliseconds and begins loading Graphviz at once — while the
 * engine worker is still starting and building the first graph.
 */
import { layoutDot } from '@chainrule/export/svg';
import { toUserError } from './engine/errors.ts';
import type { DrawApi } from './model.ts';
import { exposeWorker } from './rpc.ts';
import { markOnce } from './marks.ts';
import { expectGraphvizWasmFromPage, provideGraphvizWasm } from './graphviz-wasm.ts';

markOnce('draw:start');
expectGraphvizWasmFromPage();

/**
 * A small graph in the export's DOT style (HTML labels with a formula line, the node shapes of
 * each kind, dashed backprop edges, a ranked pair, a cluster like the legend). WebAssembly is
 * compiled function by function as it first runs: laying this out while the engine builds the
 * first graph compiles the functions that graph's layout needs.
 */
const WARM_UP_DOT = `digraph warm {
  graph [rankdir=LR, nodesep=0.3, ranksep=0.45, fontname="Helvetica,Arial,sans-serif"];
  node [fontname="Helvetica,Arial,sans-serif", fontsize=12, margin="0.1,0.05"];
  edge [color="#4b5563", arrowsize=0.7];
  "x" [label=<x>, width=0.75, shape=ellipse, style=filled, fillcolor="#dbeafe", color="#1d4ed8", class="input"];
  "W" [label=<W₁>, width=0.75, shape=box, style=filled, fillcolor="#dcfce7", color="#15803d", class="parameter"];
  "t" [label=<ŷ>, width=0.75, shape=ellipse, style=filled, peripheries=2, fillcolor="#fef3c7", color="#b45309", class="target"];
  "u" [label=<u₁<BR/><FONT POINT-SIZE="10" COLOR="#374151">W₁ x</FONT>>, width=0.75, shape=ellipse, style=filled, fillcolor="#f3f4f6", color="#4b5563", class="intermediate"];
  "L" [label=<L<BR/><FONT POINT-SIZE="10" COLOR="#374151">1/2 ‖u₁ − ŷ‖²</FONT>>, width=0.75, shape=octagon, style=filled, penwidth=2, fillcolor="#fee2e2", color="#b91c1c", class="loss"];
  "g" [label=<∂L/∂u₁<BR/><FONT POINT-SIZE="10" COLOR="#374151">u₁ − ŷ</FONT>>, width=0.75, shape=box, style="rounded,filled,dashed", penwidth=2, fillcolor="#ffedd5", color="#c2410c", class="gradient added"];
  { rank=same; "u"; "t"; }
  "W" -> "u"; "x" -> "u"; "u" -> "L"; "t" -> "L";
  "u" -> "g" [style=dashed, color="#c2410c", penwidth=1.3, class="backprop"];
  subgraph cluster_legend {
    label="Legend"; fontsize=11; style="rounded,dashed"; color="#9ca3af"; margin=8;
    node [fontsize=10, height=0.3];
    "legend:a" [label="input", width=0.75, shape=ellipse, style=filled];
    "legend:b" [label="loss", width=0.75, shape=octagon, style=filled];
    "legend:a" -> "legend:b" [style=invis];
  }
}`;

// Graphviz loads (its JavaScript, then its WASM from the page) and lays the warm-up graph out as the worker starts.
let warming: Promise<unknown> | undefined = layoutDot(WARM_UP_DOT, 'svg').then(
  () => markOnce('draw:graphviz-ready'),
  () => undefined, // a failure to load is reported by the first real layout
);

const drawing: DrawApi = {
  layout: async (dot) => {
    await warming;
    warming = undefined;
    try {
      const svg = await layoutDot(dot, 'svg');
      markOnce('draw:laid-out');
      return { svg };
    } catch (error) {
      return { error: toUserError(error, 'drawing') };
    }
  },
  warm: async (wasm) => {
    provideGraphvizWasm(wasm);
  },
};

exposeWorker(drawing);
