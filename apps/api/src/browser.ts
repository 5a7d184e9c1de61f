/**
 * What browsers need from the API: CORS for course web pages (hono/cors), security headers on
 * every response (hono/secure-headers; HTML pages get their own Content-Security-Policy), and
 * request bodies in UTF-8 only (RFC 8259 §8.1), so a body is never decoded in the wrong charset.
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { decodeUtf8 } from '@chainrule/problem';
import { ChainruleError } from '@chainrule/graph';
import { apiError } from './problem.ts';

/** Allowed CORS origins: `'*'` (any page; no credentials — the API has no cookies), or exact origins. */
export type CorsOrigins = '*' | readonly string[];

/** The environment variable `createApp` reads its default CORS origins from. */
export const CORS_ORIGINS_ENV = 'CHAINRULE_CORS_ORIGINS';

/**
 * Parses a list of origins as `CHAINRULE_CORS_ORIGINS` holds it: `*`, or origins separated by
 * commas or spaces (`https://course.example.edu, http://localhost:5173`). Undefined or blank →
 * undefined. Anything that is not an origin (a path, a trailing slash, no scheme) throws, naming it.
 *
 * @example
 * parseCorsOrigins('https://a.example, http://localhost:5173'); // ['https://a.example', 'http://localhost:5173']
 * parseCorsOrigins('*'); // '*'
 */
export function parseCorsOrigins(text: string | undefined, source = CORS_ORIGINS_ENV): CorsOrigins | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const items = text.split(/[\s,]+/).filter((item) => item !== '');
  if (items.length === 1 && items[0] === '*') return '*';
  return items.map((item) => {
    let origin: string | undefined;
    try {
      origin = new URL(item).origin;
    } catch {
      origin = undefined;
    }
    if (origin === undefined || origin === 'null' || origin !== item) {
      throw new Error(`${source}: '${item}' is not an origin; write scheme://host[:port] with no path or trailing slash${item === '*' ? ', or * alone' : ''}${origin && origin !== 'null' ? ` (e.g. ${origin})` : ''}`);
    }
    return origin;
  });
}

/**
 * CORS for every route: preflights (`OPTIONS`) answered 204 by hono/cors, `Retry-After` readable
 * by scripts. On every other request the headers are set on the answer after the handler, as
 * hono/cors sets them — but hono/cors sets them on `c.res` before the handler, which makes Hono
 * build an empty response there and then copy the handler's response into a new one (its body
 * turned into a web stream and read back chunk by chunk): ~40 % of what a `/health` cost.
 *
 * @example
 * app.use('*', corsMiddleware(['https://course.example.edu']));
 */
export function corsMiddleware(origins: CorsOrigins): MiddlewareHandler {
  const preflight = cors({
    origin: origins === '*' ? '*' : [...origins],
    allowMethods: ['GET', 'HEAD', 'POST'],
    exposeHeaders: [...EXPOSED_HEADERS],
    maxAge: 600,
    credentials: false,
  });
  const exposed = EXPOSED_HEADERS.join(',');
  return async (c, next) => {
    if (c.req.method === 'OPTIONS') return preflight(c, next);
    await next();
    const { headers } = c.res;
    const origin = origins === '*' ? '*' : origins.find((allowed) => allowed === c.req.header('origin'));
    if (origin !== undefined) headers.set('Access-Control-Allow-Origin', origin);
    headers.set('Access-Control-Expose-Headers', exposed);
    if (origins !== '*') headers.append('Vary', 'Origin');
    return undefined;
  };
}

/** Response headers a page's script may read. */
const EXPOSED_HEADERS = ['Retry-After', 'Allow'] as const;

/**
 * The Content-Security-Policy of the HTML pages (`/docs`): scripts, styles, images and requests
 * from this server only. Swagger UI sets `style` attributes, hence `'unsafe-inline'` for styles
 * (never for scripts); its icons are `data:` images.
 */
export const HTML_CSP = {
  defaultSrc: ["'none'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

const htmlHeaders = secureHeaders({ contentSecurityPolicy: HTML_CSP, xFrameOptions: 'DENY', crossOriginResourcePolicy: 'same-origin' });
// JSON, SVG, text: nothing in them may run or be framed; other origins may read them (CORS decides).
const dataHeaders = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  xFrameOptions: 'DENY',
  crossOriginResourcePolicy: 'cross-origin',
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  strictTransportSecurity: false,
});

/**
 * `X-Content-Type-Options: nosniff`, frame protection (`X-Frame-Options: DENY`,
 * `frame-ancestors 'none'`) and a Content-Security-Policy on every response: {@link HTML_CSP} on
 * HTML pages, `default-src 'none'` on everything else.
 *
 * @example
 * app.use('*', securityHeaders());
 */
export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    // Decided after the handler, by what it answered: an error page of /docs is not HTML.
    await next();
    const html = /^text\/html\b/i.test(c.res.headers.get('content-type') ?? '');
    await (html ? htmlHeaders : dataHeaders)(c, async () => {});
  };
}

const UTF8 = /^(utf-?8)$/i;
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * Request bodies are UTF-8 (RFC 8259 §8.1). A `charset` other than UTF-8 in `Content-Type`
 * (`application/json; charset=iso-8859-1`) is refused with 415 before the body is read; a JSON
 * body that is not valid UTF-8 (Latin-1 bytes sent as UTF-8, say) is refused with 400 naming the
 * byte, its line and column — decoding either as UTF-8 regardless would silently change every non-ASCII
 * character, names included. The decoded text is left in the request's body cache, so it is
 * decoded once. Mount it after the body limit and the deadline, which must cover the reading.
 *
 * @example
 * app.use('/v1/*', utf8Bodies());
 */
export function utf8Bodies(): MiddlewareHandler {
  return async (c, next) => {
    const contentType = c.req.header('content-type');
    if (contentType === undefined) return next();
    const charset = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
    if (charset) {
      const name = charset[1] ?? charset[2] ?? '';
      if (!UTF8.test(name)) {
        throw apiError('problem', `the body must be UTF-8 (charset=utf-8), not charset=${name === '' ? '(empty)' : name}`, {
          status: 415,
          problemType: 'unsupported-media-type',
          extensions: { charset: name },
        });
      }
    }
    // The method, not `c.req.raw.body`: asking for the body stream makes node-server build a full Request.
    if (JSON_MEDIA_TYPE.test(contentType.split(';')[0]!.trim()) && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      let text: string;
      try {
        text = decodeUtf8(new Uint8Array(await c.req.arrayBuffer()), 'the request body');
      } catch (error) {
        if (!(error instanceof ChainruleError)) throw error;
        throw apiError('problem', error.message, { status: 400, problemType: 'malformed-json', location: error.location });
      }
      // Hono types the cache as `Partial<Body>`, but keeps promises of bodies in it.
      (c.req.bodyCache as Record<string, Promise<unknown>>).text = Promise.resolve(text);
    }
    await next();
  };
}
