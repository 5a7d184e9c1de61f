/**
 * The app: middleware, error handling and the routes of `routes/*`, with its dependencies (the
 * compute pool, the task pool, the limits) injected so tests can use small pools and tiny limits.
 */
import { getDefaultPool } from '@chainrule/compute';
import { AnswerCache } from './answers.ts';
import { OpenAPIHono } from '@hono/zod-openapi';
import { type CorsOrigins, CORS_ORIGINS_ENV, corsMiddleware, parseCorsOrigins, securityHeaders, utf8Bodies } from './browser.ts';
import { type AppEnv, type ComputeLike, type Deps, type TasksLike, admissionGate, deadline, requestBodyLimit } from './context.ts';
import { type ApiLimits, DEFAULT_LIMITS, Semaphore, heavyAdmission } from './limits.ts';
import { poolTasks } from './offload/pool.ts';
import { apiError, problemResponse, toProblem, validationProblem } from './problem.ts';
import { backpropRoutes } from './routes/backprop/index.ts';
import { checkRoutes } from './routes/check/index.ts';
import { addDocs } from './routes/docs/index.ts';
import { gradcheckRoutes } from './routes/gradcheck/index.ts';
import { graphRoutes } from './routes/graph/index.ts';
import { healthRoutes } from './routes/health/index.ts';
import type { SolutionDocuments } from './routes/solutions/documents.ts';
import { solutionsRoutes } from './routes/solutions/index.ts';
import { variantsRoutes } from './routes/variants/index.ts';
import { webRoutes } from './routes/web/index.ts';

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The compute pool for gradient checks (default: the shared pool of `@chainrule/compute`). */
  pool?: ComputeLike;
  /** Runs large backprops, SVG and rendering (default: on the shared compute pool). */
  tasks?: TasksLike;
  /** Overrides of {@link DEFAULT_LIMITS}. */
  limits?: Partial<ApiLimits>;
  /** Where 5xx errors and worker failures are logged (default `console.error`). */
  log?: (message: string, error?: unknown) => void;
  /** Origins allowed by CORS (default: `CHAINRULE_CORS_ORIGINS`, else `'*'`, without credentials). */
  corsOrigins?: CorsOrigins;
  /** Where answers of repeated backprop requests are kept (default: a new cache of 256). */
  answers?: AnswerCache;
  /** The rendered reference solutions (default: none yet; each is rendered on the task pool at its first request). */
  solutions?: SolutionDocuments;
}

/**
 * Creates the chainrule API. Close the pools you pass when you are done; the default ones are
 * closed when the process exits.
 *
 * @example
 * const app = createApp({ pool: createPool({ size: 1 }), limits: { bodyLimitBytes: 1024 } });
 * const res = await app.request('/v1/solutions/q3?format=md');
 */
export function createApp(options: AppOptions = {}) {
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const log = options.log ?? ((message: string, error?: unknown) => console.error(`[chainrule-api] ${message}`, error ?? ''));
  const tasks = options.tasks ?? poolTasks(getDefaultPool());
  const deps: Deps = {
    pool: options.pool ?? getDefaultPool(),
    tasks,
    limits,
    heavy: new Semaphore(heavyAdmission(limits, tasks.size)),
    answers: options.answers ?? new AnswerCache(),
    log,
  };

  const app = new OpenAPIHono<AppEnv>({
    // zod failures → 422 problem+json with every fault's JSON path.
    defaultHook: (result, c) => {
      if (!result.success) return problemResponse(validationProblem(result.error, result.target, c.req.path));
      return undefined;
    },
  });

  app.onError((error, c) => {
    const answer = toProblem(error, c.req.path);
    if (answer.log !== undefined) log(`${c.req.method} ${c.req.path} failed`, answer.log);
    return problemResponse(answer);
  });

  app.notFound((c) => {
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length > 0) {
      const error = apiError('problem', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(' or ')}`, {
        status: 405,
        problemType: 'method-not-allowed',
        headers: { Allow: allowed.join(', ') },
      });
      return problemResponse(toProblem(error, c.req.path));
    }
    const error = apiError('problem', `no route ${c.req.path}; see /docs for the routes`, { status: 404, problemType: 'not-found' });
    return problemResponse(toProblem(error, c.req.path));
  });

  app.route('/', webRoutes()); // the web page at /, with its own CSP: before the API's security headers
  app.use('*', securityHeaders(), corsMiddleware(options.corsOrigins ?? parseCorsOrigins(process.env[CORS_ORIGINS_ENV]) ?? '*'));
  app.use(
    '/v1/*',
    requestBodyLimit(limits.bodyLimitBytes, () => {
      throw apiError('limit', `the request body is larger than ${limits.bodyLimitBytes} bytes`, {
        status: 413,
        problemType: 'body-too-large',
        extensions: { limit: limits.bodyLimitBytes },
      });
    }),
  );
  // Every gradient check and variants request is heavy: refused before its body is read when full.
  for (const path of ['/v1/gradcheck', '/v1/variants']) app.use(path, admissionGate(deps));
  app.use('/v1/*', deadline(limits.requestTimeoutMs));
  // After the body limit and the deadline: it reads the body.
  app.use('/v1/*', utf8Bodies());

  const routes = app
    .route('/', healthRoutes(deps))
    .route('/', graphRoutes(deps))
    .route('/', backpropRoutes(deps))
    .route('/', solutionsRoutes(deps, options.solutions))
    .route('/', gradcheckRoutes(deps))
    .route('/', checkRoutes(deps))
    .route('/', variantsRoutes(deps));
  return addDocs(routes);
}

/** The type of the app, for the typed client (`hc<AppType>`). */
export type AppType = ReturnType<typeof createApp>;

/** `/v1/solutions/:question` → a regular expression matching its paths. */
function routePattern(path: string): RegExp {
  const escaped = path.replace(/[.+?^$|()[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\/:[^/]+/g, '/[^/]+')}/?$`);
}

/** The methods of the routes whose path matches, for 405 and `Allow`. */
function allowedMethods(app: OpenAPIHono<AppEnv, any, any>, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === 'ALL') continue;
    if (routePattern(route.path).test(path)) methods.add(route.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods];
}
