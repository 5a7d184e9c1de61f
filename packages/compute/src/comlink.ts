/// <reference path="./comlink-esm.d.ts" />
/**
 * The only module of this package that imports comlink. Comlink keeps its transfer list in a
 * module-level WeakMap: a second copy of the library (say the UMD `main` next to this ESM build)
 * would not see what `transfer()` marked here, and would silently copy instead of transferring.
 * Everything else imports from this file.
 */
import { ChainruleError, type ErrorCode, type ErrorLocation } from '@chainrule/tensor';
import { type Endpoint, type Remote, type TransferHandler, expose, transfer, transferHandlers, wrap } from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';

export { type Endpoint, type Remote, expose, nodeEndpoint, transfer, wrap };

/** What `nodeEndpoint` accepts: a `Worker` or a `MessagePort` of worker_threads. */
export type NodeEndpointLike = Parameters<typeof nodeEndpoint>[0];

interface SerializedThrow {
  isError: boolean;
  value: unknown;
  chainrule?: { code: ErrorCode; status: number; location: ErrorLocation };
}

// Comlink marks a thrown value with a private symbol; only its built-in handler can recognise it.
const builtinThrow = transferHandlers.get('throw')!;

/**
 * Comlink's own handler keeps only `message`, `name` and `stack` of a thrown error; this one also
 * keeps `code`, `status` and `location` of a ChainruleError, so a fault found inside a worker
 * reaches the caller as the same kind of error as one found inline.
 */
const throwHandler: TransferHandler<{ value: unknown }, SerializedThrow> = {
  canHandle: (value): value is { value: unknown } => builtinThrow.canHandle(value),
  serialize({ value }) {
    const basic = (error: Error) => ({ message: error.message, name: error.name, stack: error.stack });
    if (value instanceof ChainruleError) {
      return [{ isError: true, value: basic(value), chainrule: { code: value.code, status: value.status, location: value.location } }, []];
    }
    return [value instanceof Error ? { isError: true, value: basic(value) } : { isError: false, value }, []];
  },
  deserialize(serialized) {
    if (!serialized.isError) throw serialized.value;
    const { message, stack } = serialized.value as { message: string; stack?: string };
    if (serialized.chainrule) {
      const { code, status, location } = serialized.chainrule;
      const error = new ChainruleError(code, message, location, { status });
      if (stack !== undefined) error.stack = stack;
      throw error;
    }
    throw Object.assign(new Error(message), serialized.value);
  },
};
transferHandlers.set('throw', throwHandler as TransferHandler<unknown, unknown>);
