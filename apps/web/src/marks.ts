/**
 * Performance marks of the page's start, each set once (`chainrule:…` on the main thread,
 * `draw:…` and `engine:…` in the workers): the bench reads them to say where the time to the
 * first graph goes. A mark costs nothing a student would notice.
 */

/** Sets `name` the first time it is reached in this thread. @example markOnce('draw:laid-out') */
export function markOnce(name: string): void {
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}
