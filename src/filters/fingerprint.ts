/**
 * fingerprint: a consistent hash of one or more fields, as logstash-filter-fingerprint 3.5 computes it.
 *
 * - SHA1/SHA256/SHA384/SHA512/MD5: hex digest of the value's text (HMAC with `key` when set), base64 with
 *   `base64encode`.
 * - MURMUR3: the 32-bit MurmurHash3 (x86, seed 0) as a number; an Integer is hashed as its 8 little-endian
 *   bytes, anything else as its text (the murmurhash3 gem's int64_hash / str_hash).
 * - MURMUR3_128: the x64 128-bit MurmurHash3 with seed 2, printed as the gem packs its four 32-bit words
 *   (little-endian bytes) in hex or base64; Integers are hashed as 4 bytes in 32-bit range, else 8.
 * - IPV4_NETWORK: the address masked to `key` bits (`1.2.3.4` with key 16 → `1.2.0.0`).
 * - PUNCTUATION: the value with everything but punctuation and symbols removed.
 * - UUID: a random UUID (not a fingerprint).
 *
 * With `concatenate_sources` the sorted source fields are joined as `|name|value|name|value|`, with
 * `concatenate_all_fields` every field of the event (keys sorted, nested hashes sorted) the same way; hashes
 * and arrays inside are written as `k|v|…` and `a|b|…` (the plugin's canonical form, independent of Ruby's
 * inspect). Without them each source field is fingerprinted in turn (an array element by element) and
 * the last present one wins. Timestamps are hashed as their ISO 8601 text with at least milliseconds.
 * The filter always succeeds.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import murmur from 'murmurhash3js-revisited';
import type { Event } from '../event/event.js';
import { toS } from '../event/ruby.js';
import { Timestamp } from '../event/timestamp.js';
import { isHash, LsFloat, formatFloat, type Value } from '../event/values.js';
import { formatRuby, mask, parseRubyAddress } from '../formats/ip.js';
import { rubyToI } from '../formats/grok/ruby.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

const METHODS = ['SHA1', 'SHA256', 'SHA384', 'SHA512', 'MD5', 'MURMUR3', 'MURMUR3_128', 'IPV4_NETWORK', 'UUID', 'PUNCTUATION'] as const;
type Method = (typeof METHODS)[number];

const DIGESTS: Partial<Record<Method, string>> = { SHA1: 'sha1', SHA256: 'sha256', SHA384: 'sha384', SHA512: 'sha512', MD5: 'md5' };
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

export class FingerprintError extends Error {}

/** What the hash functions see: a plain Integer, or text. */
type Canonical = number | bigint | string;

function isInteger(v: Canonical): v is number | bigint {
  return typeof v === 'bigint' || (typeof v === 'number' && Number.isInteger(v));
}

/** Ruby's to_s of a scalar as the plugin's string interpolation prints it. */
function scalarText(v: Value | undefined): string {
  if (v instanceof Timestamp) return v.toString(); // whole seconds get .000, as the plugin's refinement does
  if (v instanceof LsFloat) return formatFloat(v.value);
  return toS(v ?? null);
}

/** The plugin's to_canonical_value: hashes `k|v|…` (sorted), arrays `a|b|…`, scalars unchanged. */
function canonical(v: Value | undefined): Canonical {
  if (Array.isArray(v)) return v.map(canonicalText).join('|');
  if (isHash(v)) return Object.keys(v).sort(byteOrder).map((k) => `${k}|${canonicalText(v[k])}`).join('|');
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return v;
  return scalarText(v);
}

function canonicalText(v: Value | undefined): string {
  const c = canonical(v);
  return typeof c === 'string' ? c : String(c);
}

/** Ruby's String#<=> (byte order), which Hash#sort uses. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function int64Bytes(v: number | bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigInt64LE(BigInt.asIntN(64, BigInt(v)));
  return new Uint8Array(b);
}

function int32Bytes(v: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return new Uint8Array(b);
}

/** The gem's 128-bit result as it packs it: the two 64-bit halves' bytes, little-endian. */
function murmur128Bytes(data: Uint8Array): Buffer {
  const hex = murmur.x64.hash128(data, 2);
  const out = Buffer.alloc(16);
  out.writeBigUInt64LE(BigInt(`0x${hex.slice(0, 16)}`), 0);
  out.writeBigUInt64LE(BigInt(`0x${hex.slice(16)}`), 8);
  return out;
}

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

export default defineFilter({
  name: 'fingerprint',
  doc: 'Stores a consistent hash (SHA1/SHA256/SHA384/SHA512/MD5, HMAC with a key, MURMUR3, MURMUR3_128) of one or more fields, or their IPv4 network, punctuation, or a random UUID.',
  options: {
    source: { type: 'array', default: ['message'], doc: 'Fields whose values are fingerprinted.' },
    target: { type: 'string', doc: 'Field for the fingerprint (default `fingerprint`, `[event][hash]` in ECS mode); overwritten.' },
    key: { type: 'password', doc: 'HMAC key for the digest methods; the prefix length for IPV4_NETWORK.' },
    base64encode: { type: 'boolean', default: false, doc: 'Base64 instead of hex for the digests and MURMUR3_128.' },
    method: { type: 'string', values: METHODS, required: true, default: 'SHA1', doc: 'The fingerprint method.' },
    concatenate_sources: { type: 'boolean', default: false, doc: 'Fingerprint `|name|value|…|` of all the (sorted) source fields instead of each one.' },
    concatenate_all_fields: { type: 'boolean', default: false, doc: 'Fingerprint `|name|value|…|` of every field of the event.' },
  },
  check: 'create',
  create(o, ctx) {
    const method = o.method;
    const target = o.target ?? (ctx.ecs === 'disabled' ? 'fingerprint' : '[event][hash]');
    const key = o.key;
    const sources = o.source.map((s) => toS(s as Value));
    const b64 = o.base64encode;
    if (method === 'IPV4_NETWORK' && key === undefined) {
      throw new PluginConfigError('Key value is empty. please fill in a subnet prefix length', 'key', 'set key to the prefix length, e.g. key => "24"');
    }

    let fingerprint: (v: Canonical) => Value;
    switch (method) {
      case 'MURMUR3':
        fingerprint = (v) => murmur.x86.hash32(isInteger(v) ? int64Bytes(v) : utf8(String(v)), 0);
        break;
      case 'MURMUR3_128':
        fingerprint = (v) => {
          const data = isInteger(v)
            ? (typeof v === 'number' && v >= INT32_MIN && v <= INT32_MAX ? int32Bytes(v) : int64Bytes(v))
            : utf8(String(v));
          const bytes = murmur128Bytes(data);
          return b64 ? bytes.toString('base64') : bytes.toString('hex');
        };
        break;
      case 'IPV4_NETWORK': {
        const bits = Number(rubyToI(key!));
        fingerprint = (v) => {
          const ip = parseRubyAddress(String(v));
          if (!ip) throw new FingerprintError(`invalid address: ${String(v)}`);
          if (bits < 0 || bits > (ip.family === 4 ? 32 : 128)) throw new FingerprintError('invalid length');
          return formatRuby(mask(ip, bits));
        };
        break;
      }
      case 'UUID':
      case 'PUNCTUATION':
        fingerprint = () => null;
        break;
      default: {
        const algorithm = DIGESTS[method]!;
        fingerprint = (v) => {
          const h = key === undefined ? createHash(algorithm) : createHmac(algorithm, key);
          h.update(String(v), 'utf8');
          return h.digest(b64 ? 'base64' : 'hex');
        };
      }
    }

    const sortedSources = [...sources].sort(byteOrder);
    const concatenate = o.concatenate_sources || o.concatenate_all_fields;
    const allFields = o.concatenate_all_fields;

    const joined = (event: Event): string => {
      let s = '';
      if (allFields) {
        const data = event.data;
        for (const k of Object.keys(data).sort(byteOrder)) s += `|${k}|${canonicalText(data[k])}`;
      } else {
        for (const k of sortedSources) s += `|${k}|${canonicalText(event.get(k))}`;
      }
      return `${s}|`;
    };

    return {
      filter(event) {
        if (method === 'UUID') {
          event.set(target, randomUUID());
        } else if (method === 'PUNCTUATION') {
          for (const field of sortedSources) {
            if (!event.includes(field)) continue;
            const v = event.get(field);
            if (typeof v !== 'string') throw new FingerprintError(`PUNCTUATION needs a string in ${field}`);
            event.set(target, v.replace(/[^\p{P}\p{S}]/gu, ''));
          }
        } else if (concatenate) {
          const text = joined(event);
          ctx.logger.debug('String built', { to_checksum: text });
          event.set(target, fingerprint(text));
        } else {
          for (const field of sources) {
            if (!event.includes(field)) continue;
            const v = event.get(field);
            event.set(target, Array.isArray(v) ? v.map((x) => fingerprint(canonical(x))) : fingerprint(canonical(v)));
          }
        }
        return true;
      },
    };
  },
});
