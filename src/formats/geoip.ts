/**
 * What logstash-filter-geoip takes out of a MaxMind record, per database type, and where it puts it
 * (org.logstash.filters.geoip.GeoIPFilter, Field and Database): the same fields, the same defaults per
 * database, the same field names in ECS and legacy mode, in the plugin's field order.
 */
import { LsFloat, type Value } from '../event/values.js';
import { formatJava, mask, type IpAddress } from './ip.js';

/** The plugin's Field enum, in declaration order: [name, ECS path, legacy name]. */
export const FIELDS = [
  ['AUTONOMOUS_SYSTEM_NUMBER', 'as.number', 'asn'],
  ['AUTONOMOUS_SYSTEM_ORGANIZATION', 'as.organization.name', 'as_org'],
  ['CITY_NAME', 'geo.city_name', 'city_name'],
  ['COUNTRY_NAME', 'geo.country_name', 'country_name'],
  ['CONTINENT_CODE', 'geo.continent_code', 'continent_code'],
  ['CONTINENT_NAME', 'geo.continent_name', 'continent_name'],
  ['COUNTRY_CODE2', 'geo.country_iso_code', 'country_code2'],
  ['COUNTRY_CODE3', '', 'country_code3'],
  ['DOMAIN', 'domain', 'domain'],
  ['IP', 'ip', 'ip'],
  ['ISP', 'mmdb.isp', 'isp'],
  ['POSTAL_CODE', 'geo.postal_code', 'postal_code'],
  ['DMA_CODE', 'mmdb.dma_code', 'dma_code'],
  ['REGION_NAME', 'geo.region_name', 'region_name'],
  ['REGION_CODE', 'geo.region_code', 'region_code'],
  ['REGION_ISO_CODE', 'geo.region_iso_code', 'region_iso_code'],
  ['TIMEZONE', 'geo.timezone', 'timezone'],
  ['LOCATION', 'geo.location', 'location'],
  ['LATITUDE', 'geo.location.lat', 'latitude'],
  ['LONGITUDE', 'geo.location.lon', 'longitude'],
  ['ORGANIZATION', 'mmdb.organization', 'organization'],
  ['NETWORK', 'ip_traits.network', 'network'],
  ['HOSTING_PROVIDER', 'ip_traits.hosting_provider', 'hosting_provider'],
  ['TOR_EXIT_NODE', 'ip_traits.tor_exit_node', 'tor_exit_node'],
  ['ANONYMOUS_VPN', 'ip_traits.anonymous_vpn', 'anonymous_vpn'],
  ['ANONYMOUS', 'ip_traits.anonymous', 'anonymous'],
  ['PUBLIC_PROXY', 'ip_traits.public_proxy', 'public_proxy'],
  ['RESIDENTIAL_PROXY', 'ip_traits.residential_proxy', 'residential_proxy'],
] as const;

export type Field = (typeof FIELDS)[number][0];
const ORDER = new Map<Field, number>(FIELDS.map(([f], i) => [f, i]));
const NAMES = FIELDS.map(([f]) => f);

/** `geo.location.lat` → `[geo][location][lat]`; the empty ECS name (country_code3) stays empty. */
function ref(dotted: string): string {
  return dotted === '' ? '' : dotted.split('.').map((p) => `[${p}]`).join('');
}

/** The field's reference under the target, or undefined when it has none in this mode (country_code3 in ECS). */
export function fieldRef(field: Field, ecs: boolean): string | undefined {
  const [, e, legacy] = FIELDS[ORDER.get(field)!]!;
  const r = ref(ecs ? e : legacy);
  return r === '' ? undefined : r;
}

export class GeoipFieldError extends Error {}

/** Field.parseField: case-insensitive; an unknown name is an error listing the valid ones. */
export function parseField(name: string): Field {
  const up = name.toUpperCase() as Field;
  if (!ORDER.has(up)) throw new GeoipFieldError(`illegal field value ${name}. valid values are [${NAMES.join(', ')}]`);
  return up;
}

export type DatabaseKind = 'CITY' | 'COUNTRY' | 'DOMAIN' | 'ASN' | 'ISP' | 'ANONYMOUS_IP' | 'ENTERPRISE' | 'UNKNOWN';

/** Database.fromDatabaseType: by substring of the metadata's database type, in the plugin's order. */
export function databaseKind(type: string): DatabaseKind {
  if (type.includes('City')) return 'CITY';
  if (type.includes('Country')) return 'COUNTRY';
  if (type.includes('GeoIP2-Domain')) return 'DOMAIN';
  if (type.includes('GeoLite2-ASN')) return 'ASN';
  if (type.includes('GeoIP2-ISP')) return 'ISP';
  if (type.includes('Enterprise')) return 'ENTERPRISE';
  if (type.includes('GeoIP2-Anonymous-IP')) return 'ANONYMOUS_IP';
  return 'UNKNOWN';
}

const DEFAULTS: Record<DatabaseKind, readonly Field[]> = {
  CITY: ['IP', 'CITY_NAME', 'CONTINENT_CODE', 'COUNTRY_NAME', 'COUNTRY_CODE2', 'COUNTRY_CODE3', 'POSTAL_CODE', 'DMA_CODE', 'REGION_NAME', 'REGION_ISO_CODE', 'TIMEZONE', 'LOCATION', 'LATITUDE', 'LONGITUDE'],
  COUNTRY: ['IP', 'COUNTRY_CODE2', 'COUNTRY_NAME', 'CONTINENT_NAME'],
  DOMAIN: ['DOMAIN'],
  ASN: ['IP', 'AUTONOMOUS_SYSTEM_NUMBER', 'AUTONOMOUS_SYSTEM_ORGANIZATION'],
  ISP: ['IP', 'AUTONOMOUS_SYSTEM_NUMBER', 'AUTONOMOUS_SYSTEM_ORGANIZATION', 'ISP', 'ORGANIZATION'],
  ANONYMOUS_IP: ['HOSTING_PROVIDER', 'TOR_EXIT_NODE', 'ANONYMOUS_VPN', 'ANONYMOUS', 'PUBLIC_PROXY', 'RESIDENTIAL_PROXY'],
  ENTERPRISE: ['IP', 'COUNTRY_CODE2', 'COUNTRY_NAME', 'CONTINENT_NAME', 'REGION_ISO_CODE', 'REGION_NAME', 'CITY_NAME', 'LOCATION'],
  UNKNOWN: [],
};

/** The fields to extract: the configured ones, else the database's defaults (legacy City: region_code). */
export function desiredFields(kind: DatabaseKind, configured: readonly string[] | undefined, ecs: boolean): Field[] {
  let fields: Field[];
  if (configured && configured.length > 0) fields = configured.map(parseField);
  else {
    fields = [...DEFAULTS[kind]];
    if (kind === 'CITY' && !ecs) fields = [...fields.filter((f) => f !== 'REGION_ISO_CODE'), 'REGION_CODE'];
  }
  return [...new Set(fields)].sort((a, b) => ORDER.get(a)! - ORDER.get(b)!);
}

/** A record field whose type breaks GeoIP2's model: Java's reader fails the lookup (a "customized" record). */
export class GeoipRecordError extends Error {}

type Rec = Record<string, unknown>;
const obj = (v: unknown): Rec | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined);
const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const nameOf = (v: unknown): string | null => text(obj(obj(v)?.names)?.en);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);

const BOOLEAN_KEYS = new Set(['is_in_european_union', 'is_anonymous', 'is_anonymous_vpn', 'is_hosting_provider', 'is_public_proxy',
  'is_residential_proxy', 'is_tor_exit_node', 'is_anonymous_proxy', 'is_legitimate_proxy', 'is_satellite_provider']);

/** GeoIP2's model takes 32-bit geoname ids and boolean flags; anything else fails its deserialization. */
function checkModel(v: unknown, depth = 0): void {
  const o = obj(v);
  if (Array.isArray(v)) { for (const x of v) checkModel(x, depth + 1); return; }
  if (!o || depth > 3) return;
  for (const [k, x] of Object.entries(o)) {
    if (BOOLEAN_KEYS.has(k) && typeof x !== 'boolean') throw new GeoipRecordError(`${k} is not a boolean`);
    if (k === 'geoname_id' && (typeof x !== 'number' || x > 0xffffffff)) throw new GeoipRecordError('geoname_id is not a 32-bit integer');
    if (k !== 'names') checkModel(x, depth + 1);
  }
}

const bool = (v: unknown): boolean => v === true;

/**
 * The plugin's retrieve…GeoData: the values of `fields` found in `record`, in field order. An empty result
 * means "no data" (the plugin then tags the event). Throws GeoipRecordError for a record its reader rejects.
 */
export function extract(kind: DatabaseKind, record: Rec, ip: IpAddress, prefix: number, fields: readonly Field[]): [Field, Value][] {
  if (kind !== 'DOMAIN') checkModel(record);
  const out: [Field, Value][] = [];
  const put = (f: Field, v: Value | null): void => { if (v !== null) out.push([f, v]); };
  const country = obj(record.country);
  const city = obj(record.city);
  const continent = obj(record.continent);
  const location = obj(record.location);
  const postal = obj(record.postal);
  const subs = Array.isArray(record.subdivisions) ? record.subdivisions : [];
  const subdivision = obj(subs[subs.length - 1]);
  const traits = obj(record.traits);
  const lat = num(location?.latitude);
  const lon = num(location?.longitude);
  const hostAddress = formatJava(ip);
  const network = `${formatJava(mask(ip, prefix))}/${prefix}`;
  const locationValue = (): Value | null => (lat !== null && lon !== null ? { lat: new LsFloat(lat), lon: new LsFloat(lon) } : null);
  const regionIso = (): string | null => {
    const c = text(country?.iso_code);
    const s = text(subdivision?.iso_code);
    return c !== null && s !== null ? `${c}-${s}` : null;
  };

  switch (kind) {
    case 'CITY':
      // No location: most likely nothing else either.
      if (lat === null && lon === null) return [];
      for (const f of fields) {
        switch (f) {
          case 'CITY_NAME': put(f, nameOf(city)); break;
          case 'CONTINENT_CODE': put(f, text(continent?.code)); break;
          case 'CONTINENT_NAME': put(f, nameOf(continent)); break;
          case 'COUNTRY_NAME': put(f, nameOf(country)); break;
          case 'COUNTRY_CODE2': case 'COUNTRY_CODE3': put(f, text(country?.iso_code)); break;
          case 'IP': put(f, hostAddress); break;
          case 'POSTAL_CODE': put(f, text(postal?.code)); break;
          case 'DMA_CODE': put(f, num(location?.metro_code)); break;
          case 'REGION_NAME': put(f, nameOf(subdivision)); break;
          case 'REGION_CODE': put(f, text(subdivision?.iso_code)); break;
          case 'REGION_ISO_CODE': put(f, regionIso()); break;
          case 'TIMEZONE': put(f, text(location?.time_zone)); break;
          case 'LOCATION': put(f, locationValue()); break;
          case 'LATITUDE': put(f, lat === null ? null : new LsFloat(lat)); break;
          case 'LONGITUDE': put(f, lon === null ? null : new LsFloat(lon)); break;
          default: break;
        }
      }
      return out;
    case 'COUNTRY':
      for (const f of fields) {
        if (f === 'IP') put(f, hostAddress);
        else if (f === 'COUNTRY_CODE2') put(f, text(country?.iso_code));
        else if (f === 'COUNTRY_NAME') put(f, nameOf(country));
        else if (f === 'CONTINENT_NAME') put(f, nameOf(continent));
      }
      return out;
    case 'ISP':
      for (const f of fields) {
        if (f === 'IP') put(f, hostAddress);
        else if (f === 'AUTONOMOUS_SYSTEM_NUMBER') put(f, num(record.autonomous_system_number));
        else if (f === 'AUTONOMOUS_SYSTEM_ORGANIZATION') put(f, text(record.autonomous_system_organization));
        else if (f === 'ISP') put(f, text(record.isp));
        else if (f === 'ORGANIZATION') put(f, text(record.organization));
      }
      return out;
    case 'ASN':
      for (const f of fields) {
        if (f === 'IP') put(f, hostAddress);
        else if (f === 'AUTONOMOUS_SYSTEM_NUMBER') put(f, num(record.autonomous_system_number));
        else if (f === 'AUTONOMOUS_SYSTEM_ORGANIZATION') put(f, text(record.autonomous_system_organization));
        else if (f === 'NETWORK') put(f, network);
      }
      return out;
    case 'DOMAIN':
      for (const f of fields) if (f === 'DOMAIN') out.push([f, text(record.domain)]);
      return out;
    case 'ENTERPRISE':
      for (const f of fields) {
        switch (f) {
          case 'IP': put(f, hostAddress); break;
          case 'COUNTRY_CODE2': put(f, text(country?.iso_code)); break;
          case 'COUNTRY_NAME': put(f, nameOf(country)); break;
          case 'CONTINENT_NAME': put(f, nameOf(continent)); break;
          case 'REGION_ISO_CODE': put(f, regionIso()); break;
          case 'REGION_NAME': put(f, nameOf(subdivision)); break;
          case 'CITY_NAME': put(f, nameOf(city)); break;
          case 'TIMEZONE': put(f, text(location?.time_zone)); break;
          case 'LOCATION': put(f, locationValue()); break;
          case 'AUTONOMOUS_SYSTEM_NUMBER': put(f, num(traits?.autonomous_system_number)); break;
          case 'AUTONOMOUS_SYSTEM_ORGANIZATION': put(f, text(traits?.autonomous_system_organization)); break;
          case 'NETWORK': put(f, network); break;
          case 'HOSTING_PROVIDER': put(f, bool(traits?.is_hosting_provider)); break;
          case 'TOR_EXIT_NODE': put(f, bool(traits?.is_tor_exit_node)); break;
          case 'ANONYMOUS_VPN': put(f, bool(traits?.is_anonymous_vpn)); break;
          case 'ANONYMOUS': put(f, bool(traits?.is_anonymous)); break;
          case 'PUBLIC_PROXY': put(f, bool(traits?.is_public_proxy)); break;
          case 'RESIDENTIAL_PROXY': put(f, bool(traits?.is_residential_proxy)); break;
          default: break;
        }
      }
      return out;
    case 'ANONYMOUS_IP':
      for (const f of fields) {
        switch (f) {
          case 'IP': put(f, hostAddress); break;
          case 'HOSTING_PROVIDER': put(f, bool(record.is_hosting_provider)); break;
          case 'TOR_EXIT_NODE': put(f, bool(record.is_tor_exit_node)); break;
          case 'ANONYMOUS_VPN': put(f, bool(record.is_anonymous_vpn)); break;
          case 'ANONYMOUS': put(f, bool(record.is_anonymous)); break;
          case 'PUBLIC_PROXY': put(f, bool(record.is_public_proxy)); break;
          case 'RESIDENTIAL_PROXY': put(f, bool(record.is_residential_proxy)); break;
          default: break;
        }
      }
      return out;
    case 'UNKNOWN':
      throw new GeoipRecordError('Unsupported database type');
  }
}
