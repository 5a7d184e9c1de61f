/**
 * The rendered reference solutions of Assignment 9, kept for the life of the app: each (question,
 * format, rounding) is rendered once and then served from memory.
 */
import { QUESTIONS, type Question } from '@chainrule/assignment9';
import { type Rendered, type ServiceOptions, type SolveRequest, solve } from '@chainrule/service';
import { SOLUTION_FORMATS, type SolutionFormat } from '@chainrule/solutions';

/**
 * The rendered reference solutions. A document not yet rendered is rendered on the pool of the
 * options given (once, however many requests wait for it); {@link renderAll} renders the
 * default ones on the calling thread, which a server does before it listens: on a loaded machine
 * the pool's workers (which yield the CPU to the event loop) took longer than the request
 * deadline to start and render Question 1, and its first request was answered 503.
 *
 * @example
 * const documents = new SolutionDocuments();
 * await documents.renderAll();
 * documents.ready('q1', 'json')?.body; // the JSON of Question 1, from memory
 */
export class SolutionDocuments {
  readonly #ready = new Map<string, Rendered>();
  readonly #pending = new Map<string, Promise<Rendered>>();

  /** The document when it is rendered: answered without a promise. */
  ready(question: Question, format: SolutionFormat, round?: number): Rendered | undefined {
    return this.#ready.get(documentKey(question, format, round));
  }

  /** The document, rendered now (with `options.pool`, on it) unless it is rendered or being rendered. */
  render(question: Question, format: SolutionFormat, round: number | undefined, options: ServiceOptions): Promise<Rendered> {
    const key = documentKey(question, format, round);
    const ready = this.#ready.get(key);
    if (ready) return Promise.resolve(ready);
    let pending = this.#pending.get(key);
    if (!pending) {
      // Not under one request's signal: the rendering is shared by every request that waits for it.
      pending = solve({ questions: [question], format, ...(round === undefined ? {} : { round }) } satisfies SolveRequest, options);
      this.#pending.set(key, pending);
      pending.then(
        (document) => {
          this.#ready.set(key, document);
          this.#pending.delete(key);
        },
        () => this.#pending.delete(key),
      );
    }
    return pending;
  }

  /**
   * Renders every question in every format with the default rounding on the calling thread, one
   * after another. A document that fails is left out: its first request renders it again, and
   * answers the failure.
   */
  async renderAll(): Promise<void> {
    for (const question of QUESTIONS) for (const format of SOLUTION_FORMATS) await this.render(question, format, undefined, {}).catch(() => {});
  }
}

const documentKey = (question: Question, format: SolutionFormat, round: number | undefined) => `${question}/${format}/${round ?? ''}`;
