/**
 * CPU time from a Chromium trace (`browser.startTracing`, category `devtools.timeline`): on a
 * shared, loaded machine a task's wall time is mostly the time its thread waited for a core, while
 * its thread time (`tdur`) is what it costs — what it would take on a free core.
 */

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/** The trace categories these readings need. */
export const TRACE_CATEGORIES = ['devtools.timeline', 'blink.user_timing', 'disabled-by-default-devtools.timeline'];

const TASK = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);

function parse(trace: Buffer): TraceEvent[] {
  return (JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
}

/** The thread a performance mark was set on (`pid:tid`), e.g. the drawing worker's by `draw:start`. */
function threadOfMark(events: readonly TraceEvent[], mark: string): string | undefined {
  const event = events.find((e) => e.name === mark);
  return event && `${event.pid}:${event.tid}`;
}

/**
 * The costliest task (in CPU time) of the main thread of the page that set the performance mark
 * `mark` while the trace ran: its CPU time and its wall time, ms.
 *
 * @example const { cpuMs } = longestMainTask(await browser.stopTracing(), 'bench:typing')
 */
export function longestMainTask(trace: Buffer, mark: string): { wallMs: number; cpuMs: number } {
  const events = parse(trace);
  const main = threadOfMark(events, mark);
  if (main === undefined) throw new Error(`the trace has no mark '${mark}': cannot tell the page's main thread`);
  let longest = { wallMs: 0, cpuMs: 0 };
  for (const e of events) {
    if (e.ph !== 'X' || !TASK.has(e.name) || `${e.pid}:${e.tid}` !== main) continue;
    const cpuMs = (e.tdur ?? 0) / 1000;
    if (cpuMs > longest.cpuMs) longest = { wallMs: (e.dur ?? 0) / 1000, cpuMs };
  }
  return longest;
}

/**
 * CPU time each of the page's threads spent in tasks until the mark `until`: the main thread and
 * the two workers (told apart by their start marks), ms.
 *
 * @example cpuUntil(trace, 'chainrule:drawn') // { page: 210, drawing: 140, engine: 320 }
 */
export function cpuUntil(trace: Buffer, until: string): Record<'page' | 'drawing' | 'engine', number> {
  const events = parse(trace);
  const end = events.find((e) => e.name === until)?.ts ?? Number.POSITIVE_INFINITY;
  const threads = { page: threadOfMark(events, 'chainrule:main'), drawing: threadOfMark(events, 'draw:start'), engine: threadOfMark(events, 'engine:start') };
  const sums = { page: 0, drawing: 0, engine: 0 };
  for (const e of events) {
    if (e.ph !== 'X' || !TASK.has(e.name) || e.ts > end) continue;
    const thread = `${e.pid}:${e.tid}`;
    for (const key of ['page', 'drawing', 'engine'] as const) if (threads[key] === thread) sums[key] += (e.tdur ?? 0) / 1000;
  }
  return sums;
}
