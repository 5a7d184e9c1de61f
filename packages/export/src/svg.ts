import type { Graphviz } from '@hpcc-js/wasm-graphviz';
import { ChainruleError } from '@chainrule/tensor';
import { renderDot } from './dot.ts';
import type { Exporter } from './exporter.ts';

let loading: Promise<Graphviz> | undefined;

/**
 * The Graphviz WASM instance, compiled once per process (the first call takes ~100 ms).
 *
 * @example
 * const graphviz = await loadGraphviz();
 * graphviz.layout('digraph { a -> b }', 'svg', 'dot');
 */
export function loadGraphviz(): Promise<Graphviz> {
  // Imported on first use: the 800 KB WASM bundle would otherwise load with every import of the graph package (workers included).
  loading ??= import('@hpcc-js/wasm-graphviz').then(({ Graphviz }) => Graphviz.load()).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * The error Graphviz recorded during the last layout. Graphviz recovers from a malformed HTML-like
 * label by dropping it and only records the error, so a layout that returns output may still have
 * failed; the package does not expose the record publicly, hence the guarded reach inside.
 */
function lastGraphvizError(graphviz: Graphviz): string {
  const module = (graphviz as unknown as { _module?: { CGraphviz?: { lastError?: () => string } } })._module;
  return module?.CGraphviz?.lastError?.()?.trim() ?? '';
}

/**
 * Lays `dot` out with Graphviz, throwing a {@link ChainruleError} (`internal`) naming Graphviz's
 * complaint if it rejects the source, including labels it had to drop.
 *
 * @example
 * const svg = await layoutDot('digraph { a -> b }', 'svg');
 */
export async function layoutDot(dot: string, format: 'svg' | 'json' | 'plain'): Promise<string> {
  const graphviz = await loadGraphviz();
  let output: string;
  try {
    output = graphviz.layout(dot, format, 'dot');
  } catch (error) {
    if (error instanceof RangeError) {
      // Graphviz's WASM stack is fixed; a very deep graph (hundreds of layers) overflows it.
      throw new ChainruleError('limit', 'the graph is too deep for Graphviz to lay out; export it as json, dot or mermaid instead', {}, { cause: error });
    }
    throw new ChainruleError('internal', `Graphviz rejected the DOT: ${error instanceof Error ? error.message.trim() : String(error)}`, {}, { cause: error });
  }
  const complaint = lastGraphvizError(graphviz);
  if (complaint !== '' || output === '') throw new ChainruleError('internal', `Graphviz rejected the DOT: ${complaint || 'no output'}`);
  return output;
}

/**
 * Resolves if Graphviz accepts `dot` (parses it and lays it out without an error); otherwise
 * throws an Error whose message starts `Graphviz rejected the DOT:` and quotes Graphviz.
 *
 * @example
 * await validateDot(renderDot(view));      // resolves
 * await validateDot('digraph { a -> }');   // throws: Graphviz rejected the DOT: syntax error in line 1 near '}'
 */
export async function validateDot(dot: string): Promise<void> {
  await layoutDot(dot, 'json');
}

/**
 * SVG (`image/svg+xml`): the DOT output laid out by Graphviz compiled to WebAssembly, so no
 * Graphviz install is needed.
 *
 * @example
 * const svg = await svgExporter.render(graphView(graph), { title: 'Question 2 (b)' });
 * svg.startsWith('<?xml'); // true
 */
export const svgExporter: Exporter = {
  format: 'svg',
  mediaType: 'image/svg+xml',
  extension: 'svg',
  render: (view, options) => layoutDot(renderDot(view, options), 'svg'),
};
