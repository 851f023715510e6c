/**
 * Logstash field references: `name`, `[name]`, `[a][b]`, `[a][0]`, `[a][-1]`, `[@metadata][x]`.
 * A reference is parsed once (at start-up) into a path of keys; the event walks the path.
 * Integer-looking segments index arrays (negative counts from the end) and are plain keys on hashes,
 * as in Logstash.
 */
export type FieldPath = readonly string[];

export class FieldReferenceError extends Error {
  constructor(readonly reference: string, reason: string) {
    super(`Invalid FieldReference: \`${reference}\`${reason ? ` (${reason})` : ''}`);
  }
}

const cache = new Map<string, FieldPath>();

/** Parse a field reference; results are cached because configs repeat the same references. */
export function parseFieldRef(ref: string): FieldPath {
  let path = cache.get(ref);
  if (path === undefined) {
    path = Object.freeze(parseUncached(ref));
    if (cache.size < 10_000) cache.set(ref, path);
  }
  return path;
}

function parseUncached(ref: string): string[] {
  if (!ref.startsWith('[') ) {
    // A bare word is one top-level key, but embedded brackets are ambiguous: Logstash rejects them.
    if (ref.includes('[') || ref.includes(']')) throw new FieldReferenceError(ref, 'brackets inside a bare name');
    return [ref];
  }
  const out: string[] = [];
  let i = 0;
  while (i < ref.length) {
    if (ref[i] !== '[') throw new FieldReferenceError(ref, `expected '[' at offset ${i}`);
    const close = ref.indexOf(']', i + 1);
    if (close < 0) throw new FieldReferenceError(ref, 'unclosed bracket');
    const key = ref.slice(i + 1, close);
    if (key.includes('[')) throw new FieldReferenceError(ref, 'nested bracket');
    // Logstash tolerates and skips empty segments `[]`.
    if (key !== '') out.push(key);
    i = close + 1;
  }
  if (out.length === 0) throw new FieldReferenceError(ref, 'no field name');
  return out;
}

/** Whether a string is a valid field reference (for option validation). */
export function isValidFieldRef(ref: string): boolean {
  try { parseFieldRef(ref); return true; } catch { return false; }
}

const INDEX = /^-?\d+$/;

/** Array index of a segment for an array of the given length, or undefined when out of range / not an index. */
export function arrayIndex(seg: string, length: number): number | undefined {
  if (!INDEX.test(seg)) return undefined;
  let n = Number(seg);
  if (n < 0) n += length;
  return n >= 0 && n < length ? n : undefined;
}

export function isIndexSegment(seg: string): boolean { return INDEX.test(seg); }

/** Canonical `[a][b]` form of a path, for messages and for keys. */
export function formatFieldRef(path: FieldPath): string {
  return path.map((p) => `[${p}]`).join('');
}
