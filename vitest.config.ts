import { defineConfig } from 'vitest/config';

// One vitest run over every package: `pnpm vitest` from the root. CI goes through turbo instead
// (`pnpm test`), which runs each package's own `vitest run` and caches the results. The consumer
// tests are left out here: they need the packages built and packed (turbo builds them first).
export default defineConfig({
  test: { projects: ['packages/*', 'apps/*', '!packages/consumer-tests'] },
});
