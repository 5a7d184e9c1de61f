/**
 * Answers kept for requests that repeat: a course's sample problem (Question 3) is posted again
 * and again with the same numbers, and its answer is a function of the request alone (the body,
 * the query, the app's limits). Solving Question 3 is ~340 µs and its validation, estimate and
 * serialisation as much again, where answering from memory costs what `/health` costs. Only 200
 * answers are kept, bounded in number and size; the least recently used goes first.
 */
import type { Context, MiddlewareHandler, TypedResponse } from 'hono';
import type { JSONParsed } from 'hono/utils/types';
import { type AppEnv, isJsonBody } from './context.ts';

/** Options of an {@link AnswerCache}. */
export interface AnswerCacheOptions {
  /** Answers kept (default 256). */
  entries?: number;
  /** Longest request body remembered, in characters (default 16 KiB: a course problem is well under it). */
  maxRequestChars?: number;
  /** Longest answer remembered, in characters (default 64 KiB). */
  maxAnswerChars?: number;
}

/**
 * A bounded, least-recently-used map from a request (query and body text) to the JSON text of its
 * 200 answer.
 *
 * @example
 * const answers = new AnswerCache({ entries: 64 });
 * answers.set('?round=2\n{…}', '{"loss":0.5,…}');
 * answers.get('?round=2\n{…}'); // '{"loss":0.5,…}'
 */
export class AnswerCache {
  readonly entries: number;
  readonly maxRequestChars: number;
  readonly maxAnswerChars: number;
  /** Requests answered from the cache, and those that were not (for tests and `/health`-like reports). */
  hits = 0;
  misses = 0;
  readonly #answers = new Map<string, string>();

  constructor(options: AnswerCacheOptions = {}) {
    this.entries = options.entries ?? 256;
    this.maxRequestChars = options.maxRequestChars ?? 16 * 1024;
    this.maxAnswerChars = options.maxAnswerChars ?? 64 * 1024;
  }

  /** Answers kept now. */
  get size(): number {
    return this.#answers.size;
  }

  get(key: string): string | undefined {
    const answer = this.#answers.get(key);
    if (answer === undefined) return undefined;
    this.#answers.delete(key);
    this.#answers.set(key, answer);
    return answer;
  }

  set(key: string, answer: string): void {
    if (answer.length > this.maxAnswerChars) return;
    this.#answers.delete(key);
    if (this.#answers.size >= this.entries) this.#answers.delete(this.#answers.keys().next().value!);
    this.#answers.set(key, answer);
  }
}

/**
 * For a route whose 200 answer is JSON computed from its query and body alone: answers a request
 * seen before from the cache, before validation and solving; otherwise marks the request so that
 * the handler's {@link answerJson} keeps its answer. Only JSON bodies are looked up (anything
 * else is the route's to refuse); mount after the body limit and `utf8Bodies()`.
 *
 * @example
 * app.use('/v1/backprop', cachedAnswers(deps.answers));
 */
export function cachedAnswers(cache: AnswerCache): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== 'POST' || !isJsonBody(c.req.header('content-type'))) return next();
    const text = await c.req.text();
    if (text.length > cache.maxRequestChars) return next();
    const question = c.req.url.indexOf('?');
    const key = `${question === -1 ? '' : c.req.url.slice(question)}\n${text}`;
    const answer = cache.get(key);
    if (answer !== undefined) {
      cache.hits++;
      return c.body(answer, 200, JSON_HEADERS);
    }
    cache.misses++;
    c.set('answerKey', key);
    await next();
    return undefined;
  };
}

/**
 * A route's 200 answer as JSON, written once: the text is kept for the request
 * {@link cachedAnswers} marked and sent as it is (`c.json` would write it a second time). Typed as
 * `c.json(result, 200)` is, for the typed client.
 *
 * @example
 * return answerJson(deps.answers, c, result);
 */
export function answerJson<T>(cache: AnswerCache, c: Context<AppEnv>, result: T): Response & TypedResponse<JSONParsed<T>, 200, 'json'> {
  const text = JSON.stringify(result);
  const key = c.get('answerKey');
  if (key !== undefined) cache.set(key, text);
  // The body is the JSON text of `result`: what c.json would have sent.
  return c.body(text, 200, JSON_HEADERS) as unknown as Response & TypedResponse<JSONParsed<T>, 200, 'json'>;
}

const JSON_HEADERS = { 'Content-Type': 'application/json' } as const;
