/**
 * The whole page in the URL's hash: the state as JSON, deflated and base64url-encoded
 * (`#z=…`), so a link can be shared and nothing is stored on a server.
 */
import type { AppState } from './model.ts';

const toBase64Url = (bytes: Uint8Array): string => {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
};
const fromBase64Url = (text: string): Uint8Array => {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/** The hash for a state. @example location.hash = await encodeState(state) */
export async function encodeState(state: AppState): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(state));
  if (typeof CompressionStream === 'function') return `#z=${toBase64Url(await pipe(json, new CompressionStream('deflate-raw')))}`;
  return `#s=${toBase64Url(json)}`;
}

/** The state in a hash, or a message saying why it cannot be read; undefined for a hash without state. @example await decodeState(location.hash) */
export async function decodeState(hash: string): Promise<AppState | string | undefined> {
  const match = /^#([zs])=(.+)$/.exec(hash);
  if (!match) return undefined;
  try {
    let bytes = fromBase64Url(match[2]!);
    if (match[1] === 'z') bytes = await pipe(bytes, new DecompressionStream('deflate-raw'));
    const state: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return isAppState(state) ? state : 'the link holds no chainrule page (its state is not in the expected shape)';
  } catch {
    return 'the link is damaged: its state cannot be read';
  }
}

function isAppState(value: unknown): value is AppState {
  if (value === null || typeof value !== 'object') return false;
  const s = value as Partial<AppState>;
  const p = s.problem as Partial<AppState['problem']> | undefined;
  return (
    p !== undefined &&
    typeof p === 'object' &&
    typeof p.equations === 'string' &&
    typeof p.values === 'object' &&
    p.values !== null &&
    Array.isArray(p.wrt) &&
    typeof p.functions === 'object' &&
    typeof s.view === 'object' &&
    s.view !== null &&
    typeof s.answers === 'object'
  );
}
