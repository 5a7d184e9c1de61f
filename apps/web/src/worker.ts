/** The Web Worker: every heavy pass of the page runs here, so typing never waits for Graphviz or a solve. */
import type { EngineApi } from './model.ts';
import { analyze } from './engine/analyze.ts';
import { download, readProblemFile, validateDot } from './engine/files.ts';
import { drawingSource } from './engine/draw.ts';
import { preset, presetNote } from './engine/presets.ts';
import { exposeWorker } from './rpc.ts';
import { markOnce } from './marks.ts';

markOnce('engine:start');

const engine: EngineApi = {
  analyze: async (problem, view) => {
    const analysis = await analyze(problem, view);
    markOnce('engine:analyzed');
    return analysis;
  },
  download,
  drawingSource,
  presetDrawingSource: (question, view) => drawingSource(preset(question), view, false),
  // Practice (the grader) and new numbers (variants) are loaded when first used: not on the way to the first graph.
  practise: async (...args) => (await import('./engine/practise.ts')).practise(...args),
  readProblemFile: async (text, name) => readProblemFile(text, name),
  validateDot,
  newNumbers: async (problem, seed) => (await import('./engine/variants.ts')).variantNumbers(problem, seed),
  preset: async (question) => ({ problem: preset(question), note: presetNote(question) }),
};

exposeWorker(engine);
