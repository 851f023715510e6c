// The geoip filter against MaxMind's test databases (fixtures/geoip).
// Ported: logstash-filter-geoip's Java tests (src/test/java/.../GeoIPFilterTest.java, which run on these
// same test databases) with their expected values, and the RSpec examples of spec/filters/geoip_ecs_spec.rb
// and geoip_offline_spec.rb. The RSpec examples use the real GeoLite2 databases (8.8.8.8, 93.184.216.34),
// which cannot be shipped: they are ported with test-database addresses of the same kind (216.160.83.58
// for a US city, 12.81.92.1 for an AS), keeping what each example checks (field names per ECS mode,
// target rules, failure shapes). Not ported: geoip_online_spec.rb and geoip_spec.rb (the database manager
// that downloads GeoLite2: sluice does not download databases), the `_geoip_expired_database` example (it
// stubs the manager), and "invalid database file" checks Java's exception class.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { Hash } from '../src/event/values.js';
import { LsFloat } from '../src/event/values.js';
import geoip from '../src/filters/geoip.js';
import { PluginConfigError } from '../src/plugins/api.js';
import { ROOT } from './helpers/cli.js';
import { filterHarness } from './helpers/filter-run.js';

const db = (name: string): string => join(ROOT, 'fixtures', 'geoip', `${name}.mmdb`);
const CITY = db('GeoIP2-City-Test');
const F = (n: number): LsFloat => new LsFloat(n);
type Mode = 'disabled' | 'v8';

const run = async (config: Record<string, unknown>, data: Hash, ecs: Mode) => {
  const h = await filterHarness(geoip, config, { ecs });
  const [e] = await h.run(data);
  return { e: e!, ok: h.lastResult, h };
};

/** GeoIPFilterTest's getFieldReference: `[data]` + the field's ECS or legacy reference. */
const ref = (ecs: boolean, ecsRef: string, legacy: string): string => `[data]${ecs ? ecsRef : legacy}`;

describe.each([[true, 'v8'], [false, 'disabled']] as const)('geoip Java tests (ECS %s)', (ecsOn, mode) => {
  const lookup = (database: string, fields: string[], ip: unknown) => run({ source: 'ip', target: 'data', database, fields }, { ip } as Hash, mode);

  it('City database: every supported field', async () => {
    const fields = ['IP', 'CITY_NAME', 'CONTINENT_CODE', 'CONTINENT_NAME', 'COUNTRY_NAME', 'COUNTRY_CODE2', 'COUNTRY_CODE3', 'POSTAL_CODE', 'DMA_CODE', 'REGION_NAME', 'REGION_CODE', 'REGION_ISO_CODE', 'TIMEZONE', 'LOCATION', 'LATITUDE', 'LONGITUDE'];
    const { e, ok } = await lookup(CITY, fields, '216.160.83.58');
    expect(ok).toBe(true);
    const get = (ecsRef: string, legacy: string): unknown => e.get(ref(ecsOn, ecsRef, legacy));
    expect(get('[ip]', '[ip]')).toBe('216.160.83.58');
    expect(get('[geo][city_name]', '[city_name]')).toBe('Milton');
    expect(get('[geo][continent_code]', '[continent_code]')).toBe('NA');
    expect(get('[geo][continent_name]', '[continent_name]')).toBe('North America');
    expect(get('[geo][country_name]', '[country_name]')).toBe('United States');
    expect(get('[geo][country_iso_code]', '[country_code2]')).toBe('US');
    expect(get('[geo][postal_code]', '[postal_code]')).toBe('98354');
    expect(get('[mmdb][dma_code]', '[dma_code]')).toBe(819);
    expect(get('[geo][region_name]', '[region_name]')).toBe('Washington');
    expect(get('[geo][region_code]', '[region_code]')).toBe('WA');
    expect(get('[geo][region_iso_code]', '[region_iso_code]')).toBe('US-WA');
    expect(get('[geo][timezone]', '[timezone]')).toBe('America/Los_Angeles');
    expect(get('[geo][location]', '[location]')).toEqual({ lat: F(47.2513), lon: F(-122.3149) });
    expect(get('[geo][location][lat]', '[latitude]')).toEqual(F(47.2513));
    expect(get('[geo][location][lon]', '[longitude]')).toEqual(F(-122.3149));
    if (!ecsOn) expect(e.get('[data][country_code3]')).toBe('US');
    else expect(e.get('[data][country_code3]')).toBeUndefined();
  });

  it('City database defaults: region_iso_code in ECS mode, region_code without', async () => {
    const { e, ok } = await lookup(CITY, [], '216.160.83.58');
    expect(ok).toBe(true);
    expect(e.includes(ref(ecsOn, '[geo][region_iso_code]', '[region_iso_code]'))).toBe(ecsOn);
    expect(e.includes(ref(ecsOn, '[geo][region_code]', '[region_code]'))).toBe(!ecsOn);
  });

  it('Country database', async () => {
    const { e, ok } = await lookup(db('GeoIP2-Country-Test'), ['IP', 'COUNTRY_CODE2', 'COUNTRY_NAME', 'CONTINENT_NAME'], '2a02:d5c0:0:0:0:0:0:0');
    expect(ok).toBe(true);
    expect(e.get('[data][ip]')).toBe('2a02:d5c0:0:0:0:0:0:0');
    expect(e.get(ref(ecsOn, '[geo][country_iso_code]', '[country_code2]'))).toBe('ES');
    expect(e.get(ref(ecsOn, '[geo][country_name]', '[country_name]'))).toBe('Spain');
    expect(e.get(ref(ecsOn, '[geo][continent_name]', '[continent_name]'))).toBe('Europe');
  });

  it('ISP database', async () => {
    const { e, ok } = await lookup(db('GeoIP2-ISP-Test'), ['IP', 'AUTONOMOUS_SYSTEM_NUMBER', 'AUTONOMOUS_SYSTEM_ORGANIZATION', 'ISP', 'ORGANIZATION'], '1.128.0.1');
    expect(ok).toBe(true);
    expect(e.get('[data][ip]')).toBe('1.128.0.1');
    expect(e.get(ref(ecsOn, '[as][number]', '[asn]'))).toBe(1221);
    expect(e.get(ref(ecsOn, '[as][organization][name]', '[as_org]'))).toBe('Telstra Pty Ltd');
    expect(e.get(ref(ecsOn, '[mmdb][isp]', '[isp]'))).toBe('Telstra Internet');
    expect(e.get(ref(ecsOn, '[mmdb][organization]', '[organization]'))).toBe('Telstra Internet');
  });

  it('GeoLite2 ASN database', async () => {
    const { e, ok } = await lookup(db('GeoLite2-ASN-Test'), ['IP', 'AUTONOMOUS_SYSTEM_NUMBER', 'AUTONOMOUS_SYSTEM_ORGANIZATION', 'NETWORK'], '12.81.92.1');
    expect(ok).toBe(true);
    expect(e.get('[data][ip]')).toBe('12.81.92.1');
    expect(e.get(ref(ecsOn, '[as][number]', '[asn]'))).toBe(7018);
    expect(e.get(ref(ecsOn, '[as][organization][name]', '[as_org]'))).toBe('AT&T Services');
    expect(e.get(ref(ecsOn, '[ip_traits][network]', '[network]'))).toBe('12.81.92.0/22');
  });

  it('Domain database', async () => {
    const { e, ok } = await lookup(db('GeoIP2-Domain-Test'), ['DOMAIN'], '1.2.0.1');
    expect(ok).toBe(true);
    expect(e.get('[data][domain]')).toBe('maxmind.com');
  });

  it('Enterprise database', async () => {
    const fields = ['IP', 'COUNTRY_CODE2', 'COUNTRY_NAME', 'CONTINENT_NAME', 'REGION_ISO_CODE', 'REGION_NAME', 'CITY_NAME', 'TIMEZONE', 'LOCATION', 'AUTONOMOUS_SYSTEM_NUMBER', 'AUTONOMOUS_SYSTEM_ORGANIZATION', 'NETWORK', 'HOSTING_PROVIDER', 'TOR_EXIT_NODE', 'ANONYMOUS_VPN', 'ANONYMOUS', 'PUBLIC_PROXY', 'RESIDENTIAL_PROXY'];
    const { e, ok } = await lookup(db('GeoIP2-Enterprise-Test'), fields, '74.209.24.1');
    expect(ok).toBe(true);
    const get = (ecsRef: string, legacy: string): unknown => e.get(ref(ecsOn, ecsRef, legacy));
    expect(get('[ip]', '[ip]')).toBe('74.209.24.1');
    expect(get('[geo][country_iso_code]', '[country_code2]')).toBe('US');
    expect(get('[geo][country_name]', '[country_name]')).toBe('United States');
    expect(get('[geo][continent_name]', '[continent_name]')).toBe('North America');
    expect(get('[geo][region_iso_code]', '[region_iso_code]')).toBe('US-NY');
    expect(get('[geo][region_name]', '[region_name]')).toBe('New York');
    expect(get('[geo][city_name]', '[city_name]')).toBe('Chatham');
    expect(get('[geo][timezone]', '[timezone]')).toBe('America/New_York');
    expect(get('[geo][location]', '[location]')).toEqual({ lat: F(42.3478), lon: F(-73.5549) });
    expect(get('[as][number]', '[asn]')).toBe(14671);
    expect(get('[as][organization][name]', '[as_org]')).toBe('FairPoint Communications');
    expect(get('[ip_traits][network]', '[network]')).toBe('74.209.16.0/20');
    for (const [e1, l] of [['hosting_provider', 'hosting_provider'], ['tor_exit_node', 'tor_exit_node'], ['anonymous_vpn', 'anonymous_vpn'], ['anonymous', 'anonymous'], ['public_proxy', 'public_proxy'], ['residential_proxy', 'residential_proxy']]) {
      expect(get(`[ip_traits][${e1}]`, `[${l}]`)).toBe(false);
    }
  });

  it('Anonymous-IP database', async () => {
    const { e, ok } = await lookup(db('GeoIP2-Anonymous-IP-Test'), ['IP', 'HOSTING_PROVIDER', 'TOR_EXIT_NODE', 'ANONYMOUS_VPN', 'ANONYMOUS', 'PUBLIC_PROXY', 'RESIDENTIAL_PROXY'], '81.2.69.1');
    expect(ok).toBe(true);
    expect(e.get('[data][ip]')).toBe('81.2.69.1');
    for (const f of ['hosting_provider', 'tor_exit_node', 'anonymous_vpn', 'anonymous', 'public_proxy', 'residential_proxy']) {
      expect(e.get(ref(ecsOn, `[ip_traits][${f}]`, `[${f}]`))).toBe(true);
    }
  });

  it('a list source uses its first address', async () => {
    const { e, ok } = await lookup(db('GeoIP2-Country-Test'), [], ['216.160.83.58', '127.0.0.1']);
    expect(ok).toBe(true);
    expect(e.get('[data][ip]')).toBe('216.160.83.58');
  });

  it.each(['GeoIP2-Country-Test', 'GeoIP2-Anonymous-IP-Test', 'GeoIP2-Enterprise-Test', 'GeoIP2-ISP-Test', 'GeoLite2-ASN-Test'])(
    '%s: a record with invalid custom fields is a failed lookup, not an error', async (name) => {
      const { e, ok } = await lookup(db(name), [], '216.160.83.60');
      expect(ok).toBe(false);
      expect(e.get('tags')).toContain('_geoip_lookup_failure');
    });

  it('Domain database: the customized record still gives its domain', async () => {
    const { ok } = await lookup(db('GeoIP2-Domain-Test'), [], '216.160.83.60');
    expect(ok).toBe(true);
  });
});

it('geoip Java tests: Country database defaults are all present (ECS)', async () => {
  const { e } = await run({ source: 'ip', target: 'data', database: db('GeoIP2-Country-Test') }, { ip: '216.160.83.58' }, 'v8');
  for (const r of ['[data][ip]', '[data][geo][country_iso_code]', '[data][geo][country_name]', '[data][geo][continent_name]']) expect(e.includes(r)).toBe(true);
});

describe.each(['disabled', 'v8'] as const)('geoip_ecs_spec.rb ported to test data (ecs %s)', (mode) => {
  const ecsOn = mode !== 'disabled';
  const target = 'server';
  const common = { source: 'message', database: CITY, target };

  it('City database: geo in the target', async () => {
    const { e } = await run(common, { message: '216.160.83.58' }, mode);
    const sel = (legacy: string, ecsRef: string): unknown => e.get(`[${target}]${ecsOn ? ecsRef : legacy}`);
    expect(sel('[ip]', '[ip]')).toBe('216.160.83.58');
    expect(sel('[country_code2]', '[geo][country_iso_code]')).toBe('US');
    expect(sel('[country_name]', '[geo][country_name]')).toBe('United States');
    expect(sel('[continent_code]', '[geo][continent_code]')).toBe('NA');
    expect(sel('[location][lat]', '[geo][location][lat]')).toEqual(F(47.2513));
    expect(sel('[location][lon]', '[geo][location][lon]')).toEqual(F(-122.3149));
    expect(sel('[city_name]', '[geo][city_name]')).toBe('Milton');
    expect(sel('[dma_code]', '[mmdb][dma_code]')).toBe(819);
    expect(sel('[region_name]', '[geo][region_name]')).toBe('Washington');
    if (!ecsOn) {
      expect(e.get(`[${target}][country_code3]`)).toBe('US');
      expect(e.get(`[${target}][region_code]`)).toBe('WA');
      expect(e.get(`[${target}][region_iso_code]`)).toBeUndefined();
    } else {
      expect(e.get(`[${target}][geo][country_code3]`)).toBeUndefined();
      expect(e.get(`[${target}][country_code3]`)).toBeUndefined();
      expect(e.get(`[${target}][geo][region_iso_code]`)).toBe('US-WA');
      expect(e.get(`[${target}][region_code]`)).toBeUndefined();
    }
  });

  it('ASN database, and customized fields', async () => {
    const asn = db('GeoLite2-ASN-Test');
    const { e } = await run({ ...common, database: asn }, { message: '12.81.92.1' }, mode);
    expect(e.get(`[${target}][ip]`)).toBe('12.81.92.1');
    expect(e.get(ecsOn ? `[${target}][as][number]` : `[${target}][asn]`)).toBe(7018);
    expect(e.get(ecsOn ? `[${target}][as][organization][name]` : `[${target}][as_org]`)).toBe('AT&T Services');
    const only = await run({ ...common, database: asn, fields: ['AUTONOMOUS_SYSTEM_NUMBER'] }, { message: '12.81.92.1' }, mode);
    expect(only.e.get(`[${target}][ip]`)).toBeUndefined();
    expect(only.e.get(ecsOn ? `[${target}][as][organization][name]` : `[${target}][as_org]`)).toBeUndefined();
    expect(only.e.get(ecsOn ? `[${target}][as][number]` : `[${target}][asn]`)).toBe(7018);
  });

  it('customized fields: continent_name and timezone', async () => {
    const { e } = await run({ ...common, fields: ['continent_name', 'timezone'] }, { message: '216.160.83.58' }, mode);
    expect(e.get(`[${target}]`)).toEqual(ecsOn
      ? { geo: { continent_name: 'North America', timezone: 'America/Los_Angeles' } }
      : { continent_name: 'North America', timezone: 'America/Los_Angeles' });
  });

  it.each([['location', 'longitude'], ['location', 'latitude']])('customized fields %s and %s give location, lat and lon', async (a, b) => {
    const { e } = await run({ ...common, fields: [a, b] }, { message: '216.160.83.58' }, mode);
    expect(e.get(ecsOn ? `[${target}][geo][location][lat]` : `[${target}][location][lat]`)).toBeDefined();
    expect(e.get(ecsOn ? `[${target}][geo][location][lon]` : `[${target}][location][lon]`)).toBeDefined();
    expect(e.get(`[${target}][ip]`)).toBeUndefined();
    expect(e.get(ecsOn ? `[${target}][geo][timezone]` : `[${target}][timezone]`)).toBeUndefined();
  });

  it('customized fields continent_code and ip for an IPv6 address', async () => {
    const { e } = await run({ ...common, fields: ['continent_code', 'ip'] }, { message: '2001:218::1' }, mode);
    expect(e.get(`[${target}][ip]`)).toBe('2001:218:0:0:0:0:0:1');
    expect(e.get(ecsOn ? `[${target}][geo][continent_code]` : `[${target}][continent_code]`)).toBe('AS');
    expect(e.get(ecsOn ? `[${target}][geo][country_name]` : `[${target}][country_name]`)).toBeUndefined();
  });
});

describe('geoip target rules (geoip_ecs_spec.rb "setup target field")', () => {
  const common = { source: 'message', database: CITY };
  it('ECS disabled, target unset: geoip', async () => {
    expect((await run(common, { message: '216.160.83.58' }, 'disabled')).e.get('[geoip][ip]')).toBe('216.160.83.58');
  });
  it('ECS disabled, target set', async () => {
    expect((await run({ ...common, target: 'host' }, { message: '216.160.83.58' }, 'disabled')).e.get('[host][ip]')).toBe('216.160.83.58');
  });
  it('ECS, source ending with [ip]: its parent is the target', async () => {
    expect((await run({ ...common, source: '[host][ip]' }, { host: { ip: '216.160.83.58' } }, 'v8')).e.get('[host][geo][country_iso_code]')).toBe('US');
  });
  it('ECS, source ending with [ip] outside the ECS templates: used, with a warning', async () => {
    const { e, h } = await run({ ...common, source: '[hostname][ip]' }, { hostname: { ip: '216.160.83.58' } }, 'v8');
    expect(e.get('[hostname][geo][country_iso_code]')).toBe('US');
    expect(h.ctx.logs.some((l) => l.level === 'warn' && /ECS expect `target`/.test(l.msg))).toBe(true);
  });
  it.each(['[ip]', 'host_ip'])('ECS, source %s without a target: configuration error', async (source) => {
    const p = filterHarness(geoip, { ...common, source }, { ecs: 'v8' });
    await expect(p).rejects.toBeInstanceOf(PluginConfigError);
    await expect(p).rejects.toThrow(/requires a `target`/);
  });
  it('ECS, target matching the templates (also as [host])', async () => {
    for (const target of ['host', '[host]']) {
      const { e, h } = await run({ ...common, source: '[client][ip]', target }, { client: { ip: '216.160.83.58' } }, 'v8');
      expect(e.get('[host][geo][country_iso_code]')).toBe('US');
      expect(h.ctx.logs.some((l) => l.level === 'warn')).toBe(false);
    }
  });
  it('ECS, target outside the templates: used, with a warning', async () => {
    const { e, h } = await run({ ...common, source: '[client][ip]', target: 'host_ip' }, { client: { ip: '216.160.83.58' } }, 'v8');
    expect(e.get('[host_ip][geo][country_iso_code]')).toBe('US');
    expect(h.ctx.logs.some((l) => l.level === 'warn' && /ECS expect `target`/.test(l.msg))).toBe(true);
  });
});

describe('geoip invalid addresses (geoip_offline_spec.rb)', () => {
  const target = 'server';
  const lookup = async (ip: string): Promise<Event> => (await run({ source: '[client][ip]', target, fields: ['country_name', 'continent_code'], database: CITY }, { client: { ip } }, 'v8')).e;
  it('127.0.0.1 gives an empty hash', async () => { expect((await lookup('127.0.0.1')).get(target)).toEqual({}); });
  it.each(['', '      '])('an empty IP %j gives no target and the failure tag', async (ip) => {
    const e = await lookup(ip);
    expect(e.get(target)).toBeUndefined();
    expect(e.get('tags')).toContain('_geoip_lookup_failure');
  });
  it.each(['-', 'N/A', '123.45.67.89,61.160.232.222', '0.0.0.0', '::1'])('an invalid or unknown IP %j gives an empty hash and the failure tag', async (ip) => {
    const e = await lookup(ip);
    expect(e.get(target)).toEqual({});
    expect(e.get('tags')).toContain('_geoip_lookup_failure');
  });
  it('refuses a file that is not a database', async () => {
    await expect(filterHarness(geoip, { source: 'ip', target: 'geo', database: join(ROOT, 'package.json') }, { ecs: 'v8' })).rejects.toThrow(/The database provided is invalid or corrupted/);
  });
  it('a missing source field is tagged', async () => {
    const { e, ok } = await run({ source: 'ip', target: 'geo', database: CITY }, { other: 1 }, 'v8');
    expect(ok).toBe(false);
    expect(e.get('tags')).toEqual(['_geoip_lookup_failure']);
    expect(e.includes('geo')).toBe(false);
  });
  it('tag_on_failure replaces the default tag', async () => {
    const { e } = await run({ source: 'ip', target: 'geo', database: CITY, tag_on_failure: ['nogeo'] }, { ip: '10.0.0.1' }, 'v8');
    expect(e.get('tags')).toEqual(['nogeo']);
  });
  it('an unknown field name is a configuration error listing the valid ones', async () => {
    await expect(filterHarness(geoip, { source: 'ip', target: 'geo', database: CITY, fields: ['nope'] }, { ecs: 'v8' })).rejects.toThrow(/illegal field value nope\. valid values are \[AUTONOMOUS_SYSTEM_NUMBER/);
  });
});
