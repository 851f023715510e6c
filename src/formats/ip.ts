/**
 * IP addresses and networks as the plugins that read them see them:
 * - Ruby's IPAddr (the cidr filter, fingerprint's IPV4_NETWORK): strict dotted-quad IPv4 (a zero-filled
 *   part is refused as ambiguous), IPv6 with `::`, an embedded IPv4 tail, `[…]` brackets and a `%zone`;
 *   a network is `address/prefix` or `address/dotted-mask`, its host bits cleared; `include?` needs the
 *   same family.
 * - Java's InetAddress (the geoip filter): leading zeros are decimal, IPv4-mapped IPv6 literals are IPv4,
 *   and `getHostAddress` prints IPv6 as eight groups without `::` compression.
 * Addresses are byte arrays (4 or 16), so masks and comparisons are exact for both families.
 */

export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

export interface IpNetwork extends IpAddress {
  /** Prefix length in bits. */
  readonly prefix: number;
}

const DEC_PART = /^(?:0|[1-9]\d{0,2})$/;
const DEC_PART_LENIENT = /^\d{1,3}$/;

function parseV4(s: string, lenientZeros: boolean): Uint8Array | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!(lenientZeros ? DEC_PART_LENIENT : DEC_PART).test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseV6(s: string): Uint8Array | undefined {
  if (s === '' || /[^0-9a-fA-F:.]/.test(s)) return undefined;
  let head = s;
  let v4: Uint8Array | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    v4 = parseV4(s.slice(lastColon + 1), false);
    if (!v4) return undefined;
    head = s.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = head.indexOf('::');
  if (dbl !== head.lastIndexOf('::')) return undefined;
  const groups = (t: string): string[] => (t === '' ? [] : t.split(':'));
  let parts: string[];
  if (dbl >= 0) {
    const left = groups(head.slice(0, dbl));
    const right = groups(head.slice(dbl + 2));
    const fill = 8 - left.length - right.length;
    if (fill < 1) return undefined;
    parts = [...left, ...Array<string>(fill).fill('0'), ...right];
  } else {
    parts = groups(head);
  }
  if (parts.length !== 8) return undefined;
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = parts[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  if (v4) out.set(v4, 12);
  return out;
}

/** Strip `[…]` and a `%zone` from an IPv6 literal. */
function bare(s: string): string {
  let t = s;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  const pct = t.indexOf('%');
  return pct >= 0 && t.includes(':') ? t.slice(0, pct) : t;
}

/** An address as Ruby's IPAddr.new reads one (no prefix). */
export function parseRubyAddress(s: string): IpAddress | undefined {
  const t = bare(s);
  const v4 = parseV4(t, false);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = t.includes(':') ? parseV6(t) : undefined;
  return v6 ? { family: 6, bytes: v6 } : undefined;
}

/** An address as Java's InetAddress.getByName reads a literal (host names are not looked up: undefined). */
export function parseJavaAddress(s: string): IpAddress | undefined {
  const t = bare(s.trim());
  const v4 = parseV4(t, true);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = t.includes(':') ? parseV6(t) : undefined;
  if (!v6) return undefined;
  // InetAddress turns an IPv4-mapped literal (::ffff:a.b.c.d) into an Inet4Address.
  if (v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) return { family: 4, bytes: v6.slice(12) };
  return { family: 6, bytes: v6 };
}

/** A network as Ruby's IPAddr.new reads `addr`, `addr/len` or `addr/mask` (host bits cleared). */
export function parseRubyNetwork(s: string): IpNetwork | undefined {
  const slash = s.indexOf('/');
  const addr = parseRubyAddress(slash < 0 ? s : s.slice(0, slash));
  if (!addr) return undefined;
  const bits = addr.family === 4 ? 32 : 128;
  let prefix = bits;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (/^\d+$/.test(p)) {
      prefix = Number(p);
      if (prefix > bits) return undefined;
    } else {
      const mask = parseRubyAddress(p);
      if (!mask || mask.family !== addr.family) return undefined;
      const len = prefixOfMask(mask.bytes);
      if (len === undefined) return undefined;
      prefix = len;
    }
  }
  return { ...mask(addr, prefix), prefix };
}

function prefixOfMask(m: Uint8Array): number | undefined {
  let len = 0;
  let ended = false;
  for (const b of m) {
    for (let bit = 7; bit >= 0; bit--) {
      const on = (b >> bit) & 1;
      if (on && ended) return undefined;
      if (on) len++; else ended = true;
    }
  }
  return len;
}

/** The address with everything past the first `prefix` bits cleared. */
export function mask(a: IpAddress, prefix: number): IpAddress {
  const out = new Uint8Array(a.bytes);
  for (let i = 0; i < out.length; i++) {
    const keep = Math.max(0, Math.min(8, prefix - i * 8));
    out[i] = out[i]! & ((0xff << (8 - keep)) & 0xff);
  }
  return { family: a.family, bytes: out };
}

/** IPAddr#include?: same family, and the address masked to the network's prefix is the network. */
export function networkIncludes(net: IpNetwork, a: IpAddress): boolean {
  if (net.family !== a.family) return false;
  const m = mask(a, net.prefix).bytes;
  for (let i = 0; i < m.length; i++) if (m[i] !== net.bytes[i]) return false;
  return true;
}

function groupsOf(b: Uint8Array): number[] {
  const g: number[] = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i]! << 8) | b[i + 1]!);
  return g;
}

/** Java's getHostAddress: dotted quad, or eight hex groups without compression (`2001:db8:0:0:0:0:0:1`). */
export function formatJava(a: IpAddress): string {
  if (a.family === 4) return a.bytes.join('.');
  return groupsOf(a.bytes).map((g) => g.toString(16)).join(':');
}

/** Ruby's IPAddr#to_s: dotted quad, or IPv6 with the first longest run of zero groups as `::`. */
export function formatRuby(a: IpAddress): string {
  if (a.family === 4) return a.bytes.join('.');
  const g = groupsOf(a.bytes);
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
