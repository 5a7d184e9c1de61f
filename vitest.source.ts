import type { ViteUserConfig } from 'vitest/config';

/**
 * The workspace runs from `src/`: every package exports its TypeScript under this condition (and
 * its built `dist/` to everybody else), so tests need no build step.
 */
export const SOURCE_CONDITION = '@chainrule/source';

/**
 * A package's vitest config that resolves workspace packages to their sources: Vite resolves with
 * the condition in both environments (beside the defaults vitest uses: Node's for `ssr`, the
 * browser's for `client`), and the processes tests start (the CLI, the API server, worker
 * fixtures) inherit it through `NODE_OPTIONS`.
 *
 * @example
 * export default defineConfig(fromSource({ test: { include: ['src/**\/*.test.ts'] } }));
 */
export function fromSource(config: ViteUserConfig): ViteUserConfig {
  return {
    ...config,
    resolve: { ...config.resolve, conditions: [SOURCE_CONDITION, 'module', 'browser', 'development|production'] },
    ssr: { ...config.ssr, resolve: { ...config.ssr?.resolve, conditions: [SOURCE_CONDITION, 'node', 'development|production'] } },
    // Timeouts only detect hangs: generous, because the machines that run the tests are shared and loaded.
    test: {
      hookTimeout: 600_000,
      ...config.test,
      env: { ...config.test?.env, NODE_OPTIONS: withSourceCondition(process.env.NODE_OPTIONS) },
    },
  };
}

/** `NODE_OPTIONS` with `--conditions=@chainrule/source` added once. */
export function withSourceCondition(nodeOptions = ''): string {
  const flag = `--conditions=${SOURCE_CONDITION}`;
  return nodeOptions.split(/\s+/).includes(flag) ? nodeOptions : `${nodeOptions} ${flag}`.trim();
}
