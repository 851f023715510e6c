/**
 * dns: forward (`resolve`, name → first address) and reverse (`reverse`, address → first name) lookups on
 * fields, as logstash-filter-dns 3.2 does.
 *
 * Per field, in the order of `resolve` then `reverse`:
 * - a missing field is skipped with a warning and the next field is looked at;
 * - a list of more than one value, a value that is not a string, a `reverse` value that is not an IP
 *   address, a lookup that finds nothing, a recent failure (`failed_cache_*`), a timeout (tagged with
 *   `tag_on_timeout`) or any other error leaves the field as it is and ends the filter for this event:
 *   the remaining fields are not looked at and the common options (add_tag…) are not applied;
 * - otherwise `replace` sets the field to the result (`[result]` for a one-element list) and `append`
 *   makes it a list: `[value, result]`.
 *
 * Lookups go, as Ruby's Resolv chain in the plugin does, to the `hostsfile`s, then /etc/hosts, then the DNS
 * (only when `nameserver` is given or neither option is: with `hostsfile` alone there are no DNS queries).
 * An IP address given to `resolve` is its own result. Names are IDNA-encoded before a lookup and decoded
 * after a reverse one. The DNS is asked for A records, then for AAAA when there is none and the host has
 * a global IPv6 address (Ruby's `use_ipv6?`), trying the name as is and with the `search` domains in
 * Resolv's order. Timeouts and socket errors are retried `max_retries` times.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { isAbsolute, resolve as resolvePath } from 'node:path';
import { Resolver } from 'node:dns/promises';
import { domainToASCII, domainToUnicode } from 'node:url';
import { LRUCache } from 'lru-cache';
import type { Event } from '../event/event.js';
import { toS } from '../event/ruby.js';
import type { Value } from '../event/values.js';
import { defineFilter, PluginConfigError, type Logger } from '../plugins/api.js';

// ---- errors of one lookup, as the plugin tells them apart -------------------------------------------

/** No answer within `timeout` (Ruby's Resolv::ResolvTimeout): retried, then tagged. */
class LookupTimeout extends Error {}
/** The nameserver cannot be reached (Ruby's SocketError): retried, then logged. */
class LookupSocketError extends Error {}
/** The name cannot be IDNA-encoded (Java's IDN throws IllegalArgumentException): logged. */
class AddressParseError extends Error {}

// ---- addresses and names ----------------------------------------------------------------------------

/**
 * Ruby's Resolv::AddressRegex: a whole IPv4 address (no leading zeros) or IPv6 address; a zone index
 * (`%eth0`) only on a link-local one.
 */
export function isRubyAddress(s: string): boolean {
  const zone = s.indexOf('%');
  if (zone >= 0) return /^fe80:/i.test(s) && isIP(s.slice(0, zone)) === 6 && /^%[-0-9A-Za-z._~]+$/.test(s.slice(zone));
  return isIP(s) !== 0;
}

const LABEL_SEPARATORS = /[.\u3002\uFF0E\uFF61]/;

/**
 * Java's IDN.toASCII without flags: labels with non-ASCII characters are Punycode-encoded, ASCII labels
 * are kept as written; a label longer than 63 characters is refused.
 */
export function idnToAscii(name: string): string {
  const labels = name.split(LABEL_SEPARATORS).map((label) => {
    if (/^[\x00-\x7f]*$/.test(label)) return label;
    const encoded = domainToASCII(label);
    if (encoded === '') throw new AddressParseError(`The input does not conform to IDNA rules: ${label}`);
    return encoded;
  });
  for (const l of labels) if (l.length > 63) throw new AddressParseError('The label in the input is too long');
  return labels.join('.');
}

/** Java's IDN.toUnicode: Punycode labels decoded; a name it cannot decode is kept as it is. */
export function idnToUnicode(name: string): string {
  if (!/(^|\.)xn--/i.test(name)) return name;
  return name.split('.').map((label) => {
    if (!/^xn--/i.test(label)) return label;
    const decoded = domainToUnicode(label);
    return decoded === '' ? label : decoded;
  }).join('.');
}

/** The PTR name of an address: `4.3.2.1.in-addr.arpa`, or the 32 nibbles of an IPv6 one under `ip6.arpa`. */
export function ptrName(address: string): string {
  const ip = address.replace(/%.*/, '');
  if (isIP(ip) === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  let text = ip;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') as [string, string] : [text, undefined];
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const nibbles = groups.map((g) => g.padStart(4, '0')).join('').toLowerCase().split('');
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

/** Ruby's Resolv::DNS#use_ipv6?: AAAA records are asked only when the host has a global IPv6 address. */
export function hostUsesIpv6(): boolean {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv6' && !a.internal && !/^fe[89ab]/i.test(a.address)) return true;
    }
  }
  return false;
}

// ---- hosts files --------------------------------------------------------------------------------------

interface HostsTable {
  name2addr: Map<string, string[]>;
  addr2name: Map<string, string[]>;
}

/** Resolv::Hosts: `#` starts a comment; the last address listed for a name is its first. */
export function parseHosts(text: string): HostsTable {
  const name2addr = new Map<string, string[]>();
  const addr2name = new Map<string, string[]>();
  for (const raw of text.split('\n')) {
    const fields = raw.replace(/#.*/, '').trim().split(/\s+/).filter((f) => f !== '');
    const [addr, ...names] = fields;
    if (addr === undefined) continue;
    let n = addr2name.get(addr);
    if (!n) addr2name.set(addr, (n = []));
    n.push(...names);
    for (const name of names) {
      let a = name2addr.get(name);
      if (!a) name2addr.set(name, (a = []));
      a.unshift(addr);
    }
  }
  return { name2addr, addr2name };
}

// ---- nameserver ---------------------------------------------------------------------------------------

interface NameserverConfig {
  servers: string[];
  search: string[];
  ndots: number;
}

const listOf = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]).map((x) => toS(x as Value));
const isPlainHash = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The plugin's `normalised_nameserver`: a hash with `address` (one or more), `search` (at most six) and
 * `ndots` (positive), or a string or list of addresses. Undefined when there is no DNS to ask (an empty
 * list or hash, as in the plugin).
 */
export function normaliseNameserver(value: unknown): NameserverConfig | undefined {
  const shown = JSON.stringify(value);
  if (isPlainHash(value)) {
    if (Object.keys(value).length === 0) return undefined;
    const { address, search, ndots, ...rest } = value;
    if (address === undefined || address === null) throw new PluginConfigError(`DNS Filter: \`nameserver\` hash must include \`address\` (got \`${shown}\`)`, 'nameserver');
    const servers = listOf(address);
    if (servers.length === 0) throw new PluginConfigError(`DNS Filter: \`nameserver\` addresses, when specified, cannot be empty (got \`${shown}\`)`, 'nameserver');
    const domains = listOf(search);
    if (domains.length > 6) throw new PluginConfigError(`DNS Filter: A maximum of 6 \`search\` domains are accepted (got \`${shown}\`)`, 'nameserver');
    const n = ndots === undefined || ndots === null ? 1 : Number(toS(ndots as Value).trim());
    if (!Number.isInteger(n)) throw new PluginConfigError(`DNS Filter: invalid value for Integer(): ${JSON.stringify(toS(ndots as Value))} (\`ndots\` in \`${shown}\`)`, 'nameserver');
    if (n <= 0) throw new PluginConfigError(`DNS Filter: \`ndots\` must be positive (got \`${shown}\`)`, 'nameserver');
    if (Object.keys(rest).length > 0) throw new PluginConfigError(`Unknown \`nameserver\` argument(s): ${JSON.stringify(rest)}`, 'nameserver');
    return { servers, search: domains, ndots: n };
  }
  const servers = listOf(value);
  return servers.length === 0 ? undefined : { servers, search: [], ndots: 1 };
}

/** What Ruby's Resolv::DNS::Config reads from /etc/resolv.conf when no `nameserver` is given. */
function systemSearch(): { search: string[]; ndots: number } {
  let search: string[] | undefined;
  let ndots = 1;
  try {
    for (const line of readFileSync('/etc/resolv.conf', 'utf8').split('\n')) {
      const [key, ...args] = line.replace(/[#;].*/, '').trim().split(/\s+/);
      if (key === 'domain' && args[0]) search = [args[0]];
      else if (key === 'search' && args.length > 0) search = args;
      else if (key === 'options') {
        for (const o of args) { const m = /^ndots:(\d+)$/.exec(o); if (m) ndots = Number(m[1]); }
      }
    }
  } catch { /* no resolv.conf: no search domains */ }
  if (search === undefined) {
    const h = hostname();
    const dot = h.indexOf('.');
    search = dot >= 0 ? [h.slice(dot + 1)] : [];
  }
  return { search, ndots };
}

/** Resolv::DNS::Config#generate_candidates: the names tried, in order, for a name. */
export function candidateNames(name: string, search: readonly string[], ndots: number): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const labels = name.split('.').length;
  const out = ndots <= labels - 1 ? [name] : [];
  for (const d of search) out.push(`${name}.${d.replace(/\.$/, '')}`);
  if (!out.includes(name)) out.push(name);
  return out;
}

// ---- the DNS ------------------------------------------------------------------------------------------

const errorCode = (e: unknown): string | undefined => (e as { code?: unknown }).code as string | undefined;

class Dns {
  readonly #resolver: Resolver;
  readonly #search: readonly string[];
  readonly #ndots: number;
  readonly #ipv6: boolean;

  constructor(config: { servers?: string[]; search: string[]; ndots: number; timeoutMs: number; ipv6: boolean }) {
    // One try per server: the plugin's own retries (`max_retries`) come on top, as in Logstash.
    this.#resolver = new Resolver({ timeout: config.timeoutMs, tries: 1 });
    if (config.servers) {
      try {
        this.#resolver.setServers(config.servers);
      } catch (e) {
        throw new PluginConfigError(`DNS Filter: invalid \`nameserver\` address in ${JSON.stringify(config.servers)}: ${(e as Error).message}`, 'nameserver', 'Give IP addresses, optionally with a port: "192.0.2.53", "192.0.2.53:5353", "[2001:db8::53]:5353".');
      }
    }
    this.#search = config.search;
    this.#ndots = config.ndots;
    this.#ipv6 = config.ipv6;
  }

  /** A non-answer (NXDOMAIN) goes on to the next candidate; an answer without records or an error code ends the search. */
  async #first(name: string, ask: (n: string) => Promise<string[]>): Promise<string | undefined> {
    for (const candidate of candidateNames(name, this.#search, this.#ndots)) {
      try {
        const found = await ask(candidate);
        return found[0];
      } catch (e) {
        const code = errorCode(e);
        if (code === 'ENOTFOUND') continue;
        Dns.#rethrow(e, code);
        return undefined;
      }
    }
    return undefined;
  }

  static #rethrow(e: unknown, code: string | undefined): void {
    if (code === 'ETIMEOUT') throw new LookupTimeout((e as Error).message);
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') throw new LookupSocketError((e as Error).message);
    if (code === 'EBADNAME' || code === 'EBADSTR') throw new AddressParseError((e as Error).message);
    // ENODATA, ESERVFAIL, EREFUSED, EFORMERR…: Resolv finds nothing.
  }

  async address(name: string): Promise<string | undefined> {
    const a = await this.#first(name, (n) => this.#resolver.resolve4(n));
    if (a !== undefined || !this.#ipv6) return a;
    return this.#first(name, (n) => this.#resolver.resolve6(n));
  }

  async name(address: string): Promise<string | undefined> {
    // A PTR query of our own: Resolver#reverse (c-ares gethostbyaddr) falls back to /etc/hosts and reports a
    // timeout as "not found".
    try {
      return (await this.#resolver.resolvePtr(ptrName(address)))[0];
    } catch (e) {
      const code = errorCode(e);
      if (code === 'ENOTFOUND') return undefined;
      Dns.#rethrow(e, code);
      return undefined;
    }
  }

  cancel(): void { this.#resolver.cancel(); }
}

// ---- the filter ---------------------------------------------------------------------------------------

export default defineFilter({
  name: 'dns',
  doc: 'Replaces or appends to fields the address a name resolves to (`resolve`) or the name of an address (`reverse`), from hosts files and the DNS.',
  options: {
    resolve: { type: 'array', doc: 'Fields holding names to resolve to their first address.' },
    reverse: { type: 'array', doc: 'Fields holding IP addresses to resolve to their first name.' },
    action: { type: 'string', values: ['append', 'replace'], default: 'append', doc: '`append` makes the field a list ending with the result; `replace` overwrites it.' },
    nameserver: { type: 'any', doc: 'DNS servers: `{ address => [...] search => [...] ndots => 1 }`, or a string or list of addresses (`"192.0.2.53"`, `"192.0.2.53:5353"`); default: /etc/resolv.conf.' },
    timeout: { type: 'number', default: 0.5, doc: 'Seconds each nameserver is given to answer a query.' },
    max_retries: { type: 'number', default: 2, doc: 'Times a lookup is tried again after a timeout or a socket error.' },
    hit_cache_size: { type: 'number', default: 0, doc: 'Successful lookups kept (0: none).' },
    hit_cache_ttl: { type: 'number', default: 60, doc: 'Seconds a successful lookup is kept.' },
    failed_cache_size: { type: 'number', default: 0, doc: 'Failed lookups kept, not tried again while kept (0: none).' },
    failed_cache_ttl: { type: 'number', default: 5, doc: 'Seconds a failed lookup is kept.' },
    hostsfile: { type: 'array', doc: 'Hosts files looked in before /etc/hosts and the DNS (alone, without `nameserver`: no DNS).' },
    tag_on_timeout: { type: 'string', list: true, default: ['_dnstimeout'], doc: 'Tags added when a lookup times out.' },
  },
  check: 'create',
  create(o, ctx) {
    const logger: Logger = ctx.logger;
    const resolveFields = o.resolve?.map((f) => toS(f as Value));
    const reverseFields = o.reverse?.map((f) => toS(f as Value));
    const replace = o.action === 'replace';
    const tags: readonly string[] = o.tag_on_timeout ?? []; // an empty list arrives as no value
    const maxRetries = o.max_retries;

    // The resolver chain of the plugin's register: its hosts files, /etc/hosts, then the DNS.
    const hosts: HostsTable[] = [];
    for (const f of o.hostsfile ?? []) {
      const file = toS(f as Value);
      const path = isAbsolute(file) ? file : resolvePath(ctx.cwd, file);
      try {
        hosts.push(parseHosts(readFileSync(path, 'utf8')));
      } catch (e) {
        throw new PluginConfigError(`DNS Filter: cannot read hosts file ${path}: ${(e as Error).message}`, 'hostsfile');
      }
    }
    try { hosts.push(parseHosts(readFileSync('/etc/hosts', 'utf8'))); } catch { /* no /etc/hosts */ }
    const timeoutMs = Math.max(1, Math.round(o.timeout * 1000));
    const ipv6 = hostUsesIpv6();
    let dns: Dns | undefined;
    if (o.nameserver === undefined && o.hostsfile === undefined) {
      dns = new Dns({ ...systemSearch(), timeoutMs, ipv6 });
    } else if (o.nameserver !== undefined) {
      const ns = normaliseNameserver(o.nameserver);
      if (ns) dns = new Dns({ ...ns, timeoutMs, ipv6 });
    }

    const cache = (size: number, ttl: number): LRUCache<string, string> | undefined =>
      size > 0 ? new LRUCache<string, string>({ max: Math.floor(size) || 1, ttl: Math.max(1, Math.round(ttl * 1000)) }) : undefined;
    // One hit cache for both directions, keyed by the field's value, as in the plugin.
    const hitCache = cache(o.hit_cache_size, o.hit_cache_ttl);
    const failedCache = cache(o.failed_cache_size, o.failed_cache_ttl);
    const lookups = ctx.metrics.counter('lookups');
    const failures = ctx.metrics.counter('failures');
    const timeouts = ctx.metrics.counter('timeouts');

    const retriable = async (lookup: () => Promise<string | undefined>): Promise<string | undefined> => {
      for (let tries = 0; ; tries++) {
        try {
          return await lookup();
        } catch (e) {
          if ((e instanceof LookupTimeout || e instanceof LookupSocketError) && tries < maxRetries) continue;
          throw e;
        }
      }
    };

    const getaddress = async (name: string): Promise<string | undefined> => {
      const idn = idnToAscii(name);
      if (isRubyAddress(idn)) return idn;
      for (const h of hosts) { const a = h.name2addr.get(idn); if (a && a.length > 0) return a[0]; }
      if (!dns) return undefined;
      lookups.inc();
      return dns.address(idn);
    };
    const getname = async (address: string): Promise<string | undefined> => {
      let name: string | undefined;
      for (const h of hosts) { const n = h.addr2name.get(address); if (n && n.length > 0) { name = n[0]; break; } }
      if (name === undefined && dns) { lookups.inc(); name = await dns.name(address); }
      return name === undefined ? undefined : idnToUnicode(name);
    };

    const direction = {
      resolve: {
        missing: 'DNS filter could not resolve missing field', skipping: 'DNS: skipping resolve',
        notFound: "DNS: couldn't resolve the hostname.", timedOut: 'DNS: timeout on resolving the hostname.',
        lookup: getaddress,
      },
      reverse: {
        missing: 'DNS filter could not perform reverse lookup on missing field', skipping: 'DNS: skipping reverse',
        notFound: "DNS: couldn't resolve the address.", timedOut: 'DNS: timeout on resolving address.',
        lookup: getname,
      },
    } as const;

    /** One field; false ends the filter for this event (nothing more is looked up, nothing applied). */
    const lookupField = async (event: Event, field: string, way: 'resolve' | 'reverse'): Promise<boolean> => {
      const d = direction[way];
      let raw: unknown = event.get(field);
      if (raw === undefined || raw === null) { logger.warn(d.missing, { field }); return true; }
      const isArray = Array.isArray(raw);
      if (Array.isArray(raw)) {
        if (raw.length > 1) { logger.warn(`${d.skipping}, can't deal with multiple values`, { field, value: raw as Value }); return false; }
        raw = raw[0];
      }
      if (typeof raw !== 'string') { logger.warn(`${d.skipping}, can't deal with non-string values`, { field, value: (raw ?? null) as Value }); return false; }
      const value = raw;
      if (way === 'reverse' && !isRubyAddress(value)) { logger.debug('DNS: not an address', { field, value: event.get(field) as Value }); return false; }

      let result: string | undefined;
      try {
        if (failedCache?.has(value)) return false; // failed recently: not tried again
        result = hitCache?.get(value);
        if (result === undefined) {
          result = await retriable(() => d.lookup(value));
          if (result !== undefined) hitCache?.set(value, result);
        }
        if (result === undefined) {
          failedCache?.set(value, '');
          failures.inc();
          logger.debug(d.notFound, { field, value });
          return false;
        }
      } catch (e) {
        failures.inc();
        if (e instanceof LookupTimeout) {
          failedCache?.set(value, '');
          timeouts.inc();
          logger.debug(d.timedOut, { field, value });
          for (const t of tags) event.tag(t);
        } else if (e instanceof LookupSocketError) {
          logger.error('DNS: Encountered SocketError.', { field, value, message: e.message });
        } else if (e instanceof AddressParseError) {
          logger.error('DNS: Unable to parse address.', { field, value, message: e.message });
        } else {
          logger.error('DNS: Unexpected Error.', { field, value, message: (e as Error).message });
        }
        return false;
      }

      if (replace) event.set(field, isArray ? [result] : result);
      else if (isArray) event.set(field, [...(event.get(field) as Value[]), result]);
      else event.set(field, [event.get(field) as Value, result]);
      return true;
    };

    const filter = async (event: Event): Promise<boolean> => {
      for (const f of resolveFields ?? []) if (!(await lookupField(event, f, 'resolve'))) return false;
      for (const f of reverseFields ?? []) if (!(await lookupField(event, f, 'reverse'))) return false;
      return true;
    };
    const close = (): void => { dns?.cancel(); };
    // Without caches the events of a batch are independent, so their lookups run concurrently. With a cache,
    // one event after the other, as Logstash does: a name repeated in a batch is then asked once, and an event
    // after a failure finds it in the failed cache.
    if (hitCache === undefined && failedCache === undefined) return { filter, close };
    return {
      filter,
      async filterBatch(events) {
        const out: boolean[] = [];
        for (const e of events) out.push(await filter(e));
        return out;
      },
      close,
    };
  },
});
