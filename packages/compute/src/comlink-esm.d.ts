// comlink ships its ESM build as .mjs beside .d.ts files, which NodeNext resolution does not pair;
// these point the ESM paths at comlink's own declarations.
declare module 'comlink/dist/esm/comlink.mjs' {
  export * from 'comlink';
}
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  /** A worker_threads `Worker` or `MessagePort`. */
  export interface NodeEndpoint {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    on(type: string, listener: (...args: never[]) => void): void;
    off(type: string, listener: (...args: never[]) => void): void;
    start?: () => void;
  }
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
