/**
 * geoip: adds the location (or AS, ISP, domain, anonymity) of an IP address from a MaxMind database, as
 * logstash-filter-geoip 7.x does. The database is a GeoIP2/GeoLite2 `.mmdb` file read with mmdb-lib; its
 * metadata says what it holds (City, Country, ASN, ISP, Domain, Enterprise, Anonymous-IP) and so which
 * fields exist and which are set by default (src/formats/geoip.ts).
 *
 * Fields go under `target`: `geoip` without ECS; in ECS mode the parent of a `[…][ip]` source (`[client][ip]`
 * → `[client]`), with ECS names (`[client][geo][location]`, `[client][as][number]`, `[client][mmdb][dma_code]`).
 * A missing or empty source, an address the database does not have, or a host name that does not resolve
 * tags the event with `tag_on_failure`; once a lookup ran, the target exists (possibly empty), as in Logstash.
 *
 * Unlike Logstash, sluice does not download GeoLite2 databases: `database` must be set, unless a database
 * named `GeoLite2-<default_database_type>.mmdb` is in `<path.data>/plugins/filters/geoip/`.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { LRUCache } from 'lru-cache';
import { Reader, type Response } from 'mmdb-lib';
import type { Event } from '../event/event.js';
import { formatFieldRef, parseFieldRef } from '../event/fieldref.js';
import { inspectValue, toS } from '../event/ruby.js';
import type { Value } from '../event/values.js';
import { databaseKind, desiredFields, extract, fieldRef, GeoipFieldError, GeoipRecordError, type DatabaseKind, type Field } from '../formats/geoip.js';
import { parseJavaAddress, type IpAddress } from '../formats/ip.js';
import { defineFilter, PluginConfigError, type Logger } from '../plugins/api.js';

/** A DNS name (at least one letter; labels of letters, digits and inner hyphens). */
const HOST_NAME = /^(?=.*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

const ECS_TARGET_FIELD = ['client', 'destination', 'host', 'observer', 'server', 'source'];

/** Readers are shared by the filters that open the same file. */
const readers = new Map<string, { reader: Reader<Response>; kind: DatabaseKind; type: string }>();

function openDatabase(path: string, cacheSize: number): { reader: Reader<Response>; kind: DatabaseKind; type: string } {
  const key = `${path}\0${cacheSize}`;
  let db = readers.get(key);
  if (!db) {
    let buf: Buffer;
    try { buf = readFileSync(path); } catch { throw new PluginConfigError(`The database provided was not found in the path ${path}`, 'database'); }
    let reader: Reader<Response>;
    try {
      const lru = new LRUCache<number, Response>({ max: Math.max(1, Math.floor(cacheSize)) });
      reader = new Reader<Response>(buf, { cache: { get: (k: number) => lru.get(k), set: (k: number, v: Response) => { lru.set(k, v); } } });
    } catch (e) {
      throw new PluginConfigError(`The database provided is invalid or corrupted: ${(e as Error).message}`, 'database');
    }
    const type = reader.metadata.databaseType;
    db = { reader, kind: databaseKind(type), type };
    readers.set(key, db);
  }
  return db;
}

/** The ECS default target: the parent of an `[ip]` source. */
function autoTarget(source: string): string {
  if (source.endsWith('[ip]') && source.length > 4) return source.slice(0, -4);
  throw new PluginConfigError('GeoIP Filter in ECS-Compatiblity mode requires a `target` when `source` is not an `ip` sub-field, eg. [client][ip]', 'target', 'set target => "[client]" (or source => "[client][ip]")');
}

function databasePath(o: { database?: string; default_database_type: string }, cwd: string, dataDir: string): string {
  if (o.database !== undefined) return isAbsolute(o.database) ? o.database : resolve(cwd, o.database);
  const managed = join(dataDir, 'plugins', 'filters', 'geoip', `GeoLite2-${o.default_database_type}.mmdb`);
  if (existsSync(managed)) return managed;
  throw new PluginConfigError(
    `no GeoLite2-${o.default_database_type} database: sluice does not download MaxMind databases`, 'database',
    `set database => "/path/to/GeoLite2-${o.default_database_type}.mmdb", or put it at ${managed}`);
}

export default defineFilter({
  name: 'geoip',
  doc: 'Adds geographical (City/Country), AS, ISP, domain or anonymity information about an IP address from a MaxMind GeoIP2/GeoLite2 database.',
  options: {
    source: { type: 'string', required: true, doc: 'The field holding the IP address or host name (an array uses its first value).' },
    target: { type: 'string', doc: 'Where the data goes (default `geoip`; in ECS mode the parent of an `[ip]` source).' },
    database: { type: 'path', doc: 'The MaxMind database file (.mmdb); required unless one is in path.data/plugins/filters/geoip.' },
    default_database_type: { type: 'string', values: ['City', 'ASN'], default: 'City', doc: 'Which GeoLite2 database to use when `database` is not set.' },
    fields: { type: 'array', doc: 'Fields to include (default: the database type\'s defaults), e.g. `["city_name", "location"]`.' },
    cache_size: { type: 'number', default: 1000, doc: 'Database records kept decoded in memory.' },
    tag_on_failure: { type: 'array', default: ['_geoip_lookup_failure'], doc: 'Tags added when the lookup fails.' },
  },
  check: 'create',
  create(o, ctx) {
    const ecs = ctx.ecs !== 'disabled';
    let targetSpec: string;
    if (!ecs) targetSpec = o.target ?? 'geoip';
    else {
      targetSpec = o.target ?? autoTarget(o.source);
      const normalized = targetSpec.replace(/^\[([^[\]]+)\]$/, '$1');
      if (!ECS_TARGET_FIELD.includes(normalized)) ctx.logger.warn(`ECS expect \`target\` value \`${normalized}\` in ${inspectValue(ECS_TARGET_FIELD)}`);
    }
    const target = formatFieldRef(parseFieldRef(targetSpec));
    const path = databasePath(o, ctx.cwd, ctx.dataDir);
    const db = openDatabase(path, o.cache_size);
    ctx.logger.info('Using geoip database', { path });
    if (db.kind === 'UNKNOWN') ctx.logger.warn(`The provided database type ${db.type} is not supported`);
    let fields: Field[];
    try {
      fields = desiredFields(db.kind, o.fields?.map((f) => toS(f as Value)), ecs);
    } catch (e) {
      throw new PluginConfigError(e instanceof GeoipFieldError ? e.message : String(e), 'fields');
    }
    const setters = fields.flatMap((f) => {
      const r = fieldRef(f, ecs);
      return r === undefined ? [] : [[f, `${target}${r}`] as const];
    });
    const refOf = new Map<Field, string>(setters);
    const tags = o.tag_on_failure.map((t) => toS(t as Value));
    const source = o.source;
    const failures = ctx.metrics.counter('lookup_failures');

    const fail = (event: Event): false => {
      failures.inc();
      for (const t of tags) event.tag(t);
      return false;
    };

    /** applyGeoData: the target is created on any completed lookup; empty data is a failure. */
    const apply = (event: Event, ip: IpAddress | undefined): boolean => {
      let data: [Field, Value][] = [];
      if (ip) {
        try {
          const [record, prefix] = db.reader.getWithPrefixLength(ip.family === 4 ? ip.bytes.join('.') : formatV6(ip));
          if (record) data = extract(db.kind, record as unknown as Record<string, unknown>, ip, prefix, fields);
        } catch (e) {
          if (!(e instanceof GeoipRecordError)) throw e;
          logError(ctx.logger, source, ip, e);
        }
      }
      const cur = event.get(target);
      if (cur === undefined || cur === null) event.set(target, {});
      if (data.length === 0) return fail(event);
      for (const [f, v] of data) {
        const r = refOf.get(f);
        if (r !== undefined) event.set(r, v);
      }
      return true;
    };

    return {
      filter(event) {
        let input = event.get(source);
        if (input === undefined || input === null) return fail(event);
        if (Array.isArray(input)) input = input[0] ?? null;
        if (typeof input !== 'string') return fail(event);
        if (input.trim() === '') return fail(event);
        const ip = parseJavaAddress(input);
        if (ip || !HOST_NAME.test(input.trim())) return apply(event, ip);
        // A host name: InetAddress.getByName resolves it (IPv4 first).
        return dnsLookup(input.trim(), { verbatim: false }).then(
          (r) => apply(event, parseJavaAddress(r.address)),
          () => apply(event, undefined),
        );
      },
    };
  },
});

function formatV6(ip: IpAddress): string {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((ip.bytes[i]! << 8) | ip.bytes[i + 1]!).toString(16));
  return g.join(':');
}

function logError(logger: Logger, field: string, ip: IpAddress, e: Error): void {
  logger.error(`Error from GeoIP database. field=${field}, value=${ip.family === 4 ? ip.bytes.join('.') : formatV6(ip)}`, { exception: e.message });
}
