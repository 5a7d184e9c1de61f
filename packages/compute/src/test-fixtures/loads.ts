// A task module whose task reports which fixture modules its worker has imported, in order.
const loads = ((globalThis as { chainruleFixtureLoads?: string[] }).chainruleFixtureLoads ??= []);
loads.push('loads');
export const TASKS = { loaded: () => [...loads] };
