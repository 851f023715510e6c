// Ports of logstash-codec-cef's spec/codecs/cef_spec.rb (encode, decode in legacy and ECS modes, encode and
// decode round trip) and of spec/codecs/cef/timestamp_normalizer_spec.rb's deterministic cases.
import { describe, expect, it } from 'vitest';
import cef, { CEF_FAILURE_TAG, normalizeCefTimestamp } from '../src/codecs/cef.js';
import { Event } from '../src/event/event.js';
import { Timestamp } from '../src/event/timestamp.js';
import { resolveZone } from '../src/event/timezone.js';
import { sanitizeExtensionKey, sanitizeExtensionValue, sanitizeHeaderField, validSeverity } from '../src/formats/cef.js';
import type { CodecInstance } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { createPlugin, testContext, type TestContext } from './helpers/plugin-context.js';

async function codec(opts: Record<string, unknown> = {}, ecs: EcsMode = 'disabled', ctx?: TestContext): Promise<CodecInstance> {
  return createPlugin(cef, opts, ctx ?? testContext({ ecs }, 'codec', 'cef'));
}
function decode(c: CodecInstance, ...chunks: (string | Buffer)[]): Event[] {
  const out: Event[] = [];
  const d = c.decoder((e) => out.push(e));
  for (const ch of chunks) d.push(ch);
  d.end();
  return out;
}
async function decodeOne(msg: string | Buffer, ecs: EcsMode = 'disabled', opts: Record<string, unknown> = {}): Promise<Event> {
  const events = decode(await codec(opts, ecs), msg);
  expect(events).toHaveLength(1);
  return events[0]!;
}
const HEADER = 'CEF:0|Elasticsearch|Logstash|1.0|Logstash|Logstash|6|';

describe('cef codec: encode (cef_spec.rb #encode)', () => {
  it('appends the delimiter (given as \\r\\n in the config) to the result', async () => {
    expect(String((await codec({ delimiter: '\\r\\n' })).encode(new Event({})))).toMatch(/\r\n$/);
  });
  it('writes all header fields with their defaults when fields is empty', async () => {
    expect((await codec()).encode(new Event({ foo: 'bar' }))).toBe(HEADER);
  });
  it('uses the default values for empty header fields', async () => {
    const c = await codec({ vendor: '', product: '', version: '', signature: '', name: '', severity: '' });
    expect(c.encode(new Event({ foo: 'bar' }))).toBe(HEADER);
  });
  it('uses configured values and sprintf for header fields', async () => {
    const c = await codec({ vendor: 'vendor', product: 'product', version: '2.0', signature: 'signature', name: 'name', severity: '1' });
    expect(c.encode(new Event({ foo: 'bar' }))).toBe('CEF:0|vendor|product|2.0|signature|name|1|');
    const s = await codec({ vendor: '%{v}', product: '%{p}', version: '%{ver}', signature: '%{sig}', name: '%{n}', severity: '%{sev}' });
    expect(s.encode(new Event({ v: 'vendor', p: 'product', ver: '2.0', sig: 'signature', n: 'name', sev: '1' }))).toBe('CEF:0|vendor|product|2.0|signature|name|1|');
  });
  for (const [sev, why] of [['foo', 'not numeric'], ['11', '> 10'], ['-1', '< 0'], ['5.5', 'a float with a decimal part']]) {
    it(`uses severity 6 if severity is ${why}`, async () => {
      expect((await codec({ severity: sev })).encode(new Event({ foo: 'bar' }))).toBe(HEADER);
    });
  }
  it('appends fields as key/value pairs, skipping fields not in the event', async () => {
    expect((await codec({ fields: ['foo', 'bar'] })).encode(new Event({ foo: 'foo value', bar: 'bar value' }))).toBe(`${HEADER}foo=foo value bar=bar value`);
    expect((await codec({ fields: ['foo', 'bar', 'baz'] })).encode(new Event({ foo: 'foo value', baz: 'baz value' }))).toBe(`${HEADER}foo=foo value baz=baz value`);
  });
  it('sanitizes header fields', async () => {
    const c = await codec({ vendor: 'ven\ndor', product: 'pro|duct', version: 'ver\\sion', signature: 'sig\r\nnature', name: 'na\rme', severity: '4\n' });
    expect(c.encode(new Event({ foo: 'bar' }))).toBe('CEF:0|ven dor|pro\\|duct|ver\\\\sion|sig nature|na me|4|');
  });
  it('sanitizes extension keys and values', async () => {
    expect((await codec({ fields: ['f o\no', '@b-a_r'] })).encode(new Event({ 'f o\no': 'foo value', '@b-a_r': 'bar value' }))).toBe(`${HEADER}foo=foo value bar=bar value`);
    expect((await codec({ fields: ['foo', 'bar', 'baz'] })).encode(new Event({ foo: 'foo\\value\n', bar: 'bar=value\r' }))).toBe(`${HEADER}foo=foo\\\\value\\n bar=bar\\=value\\n`);
  });
  it('encodes hashes and arrays as JSON, and timestamps as ISO 8601', async () => {
    const c = await codec({ fields: ['foo'] });
    const val = (e: Event): unknown => JSON.parse(String(c.encode(e)).slice(HEADER.length + 4));
    expect(val(new Event({ foo: { bar: 'bar value', baz: 'baz value' } }))).toEqual({ bar: 'bar value', baz: 'baz value' });
    expect(val(new Event({ foo: ['bar', 'baz'] }))).toEqual(['bar', 'baz']);
    expect(val(new Event({ foo: [{ bar: 'bar value' }, 'baz'] }))).toEqual([{ bar: 'bar value' }, 'baz']);
    expect(String(c.encode(new Event({ foo: Timestamp.now() })))).toMatch(/^CEF:0\|Elasticsearch\|Logstash\|1\.0\|Logstash\|Logstash\|6\|foo=[0-9TZ.:-]+$/);
  });

  const longNames = ['deviceAction', 'applicationProtocol', 'deviceCustomIPv6Address1', 'deviceCustomIPv6Address1Label', 'deviceEventCategory', 'deviceCustomFloatingPoint1', 'deviceCustomNumber3Label', 'baseEventCount', 'deviceCustomString6Label', 'destinationHostName', 'destinationNtDomain', 'destinationPort', 'deviceAddress', 'deviceHostName', 'endTime', 'fileSize', 'bytesIn', 'message', 'bytesOut', 'eventOutcome', 'transportProtocol', 'requestUrl', 'deviceReceiptTime', 'sourceNtDomain', 'sourceAddress', 'startTime', 'agentHostName', 'agentReceiptTime', 'agentType', 'agentId', 'agentAddress', 'agentVersion', 'agentTimeZone', 'destinationTimeZone', 'sourceLongitude', 'sourceLatitude', 'destinationLongitude', 'destinationLatitude', 'categoryDeviceType', 'managerReceiptTime', 'agentMacAddress'];
  const shortKeys = ['act', 'app', 'c6a1', 'c6a1Label', 'cat', 'cfp1', 'cn3Label', 'cnt', 'cs6Label', 'dhost', 'dntdom', 'dpt', 'dvc', 'dvchost', 'end', 'fsize', 'in', 'msg', 'out', 'outcome', 'proto', 'request', 'rt', 'sntdom', 'src', 'start', 'ahost', 'art', 'at', 'aid', 'agt', 'av', 'atz', 'dtz', 'slong', 'slat', 'dlong', 'dlat', 'catdt', 'mrt', 'amac'];
  for (const ecs of ['disabled', 'v1'] as const) {
    const event = (): Event => new Event(Object.fromEntries(longNames.map((n) => [n, 'foobar'])));
    it(`encodes CEF field names to their long versions (ecs ${ecs})`, async () => {
      expect((await codec({ fields: longNames }, ecs)).encode(event())).toBe(HEADER + longNames.map((n) => `${n}=foobar`).join(' '));
    });
    it(`encodes CEF field names to their short keys with reverse_mapping (ecs ${ecs})`, async () => {
      expect((await codec({ fields: longNames, reverse_mapping: true }, ecs)).encode(event())).toBe(HEADER + shortKeys.map((n) => `${n}=foobar`).join(' '));
    });
  }
  const flat: [string, string][] = [
    ['[event][action]', 'floop'], ['[network][protocol]', 'https'],
    ['[cef][device_custom_ipv6_address_1][value]', '4302:c0a5:0bb9:2dfd:7b4e:97f7:a328:98a9'], ['[cef][device_custom_ipv6_address_1][label]', 'internal-interface'],
    ['[observer][ip]', '123.45.67.89'], ['[observer][hostname]', 'banana'],
    ['[user_agent][original]', "'Foo-Bar/2018.1.7; Email:user@example.com; Guid:test='"], ['[source][registered_domain]', 'monkey.see'],
  ];
  const ecsEvent = (): Event => { const e = new Event(); for (const [k, v] of flat) e.set(k, v); return e; };
  it('encodes ECS field names to their CEF names (ecs v1)', async () => {
    expect((await codec({ fields: flat.map(([k]) => k) }, 'v1')).encode(ecsEvent())).toBe(`${HEADER}deviceAction=floop applicationProtocol=https deviceCustomIPv6Address1=4302:c0a5:0bb9:2dfd:7b4e:97f7:a328:98a9 deviceCustomIPv6Address1Label=internal-interface deviceAddress=123.45.67.89 deviceHostName=banana requestClientApplication='Foo-Bar/2018.1.7; Email:user@example.com; Guid:test\\=' sourceDnsDomain=monkey.see`);
  });
  it('encodes ECS field names to their CEF keys with reverse_mapping (ecs v1)', async () => {
    expect((await codec({ fields: flat.map(([k]) => k), reverse_mapping: true }, 'v1')).encode(ecsEvent())).toBe(`${HEADER}act=floop app=https c6a1=4302:c0a5:0bb9:2dfd:7b4e:97f7:a328:98a9 c6a1Label=internal-interface dvc=123.45.67.89 dvchost=banana requestClientApplication='Foo-Bar/2018.1.7; Email:user@example.com; Guid:test\\=' sourceDnsDomain=monkey.see`);
  });
});

describe('cef codec: sanitizers and severity (cef_spec.rb)', () => {
  it('sanitizes header fields, extension keys and values', () => {
    expect(sanitizeHeaderField('foo')).toBe('foo');
    expect(sanitizeHeaderField('foo\nbar')).toBe('foo bar');
    expect(sanitizeHeaderField('foo\r\nbar')).toBe('foo bar');
    expect(sanitizeHeaderField('foo|bar')).toBe('foo\\|bar');
    expect(sanitizeHeaderField('foo\\bar')).toBe('foo\\\\bar');
    expect(sanitizeExtensionKey(' foo ')).toBe('foo');
    expect(sanitizeExtensionKey('foo\nbar')).toBe('foobar');
    expect(sanitizeExtensionKey('foo=bar')).toBe('foobar');
    expect(sanitizeExtensionValue('foo=bar')).toBe('foo\\=bar');
    expect(sanitizeExtensionValue('foo\\bar')).toBe('foo\\\\bar');
    expect(sanitizeExtensionValue('foo\r\nbar')).toBe('foo\\nbar');
    expect(sanitizeExtensionValue('foo\rbar')).toBe('foo\\nbar');
  });
  it('validates severity as an integral number from 0 to 10', () => {
    for (const s of ['0', '1', '10', '5.0', '1e1']) expect(validSeverity(s)).toBe(true);
    for (const s of ['-1', '11', '5.5', 'foo', '']) expect(validSeverity(s)).toBe(false);
  });
});

const MESSAGE = 'CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 dst=12.121.122.82 spt=1232';
const F = (ecs: EcsMode, legacy: string, ecsName: string): string => (ecs === 'disabled' ? legacy : ecsName);

for (const ecs of ['disabled', 'v1', 'v8'] as const) {
  const f = (legacy: string, ecsName: string): string => F(ecs, legacy, ecsName);
  const validate = (e: Event): void => {
    expect(e.get(f('cefVersion', '[cef][version]'))).toBe('0');
    expect(e.get(f('deviceVersion', '[observer][version]'))).toBe('1.0');
    expect(e.get(f('deviceEventClassId', '[event][code]'))).toBe('100');
    expect(e.get(f('name', '[cef][name]'))).toBe('trojan successfully stopped');
    expect(e.get(f('severity', '[event][severity]'))).toBe('10');
  };
  describe(`cef codec: decode (cef_spec.rb #decode, ecs ${ecs})`, () => {
    it('parses the headers and the body', async () => {
      const e = await decodeOne(MESSAGE, ecs);
      validate(e);
      expect(e.get(f('deviceVendor', '[observer][vendor]'))).toBe('security');
      expect(e.get(f('deviceProduct', '[observer][product]'))).toBe('threatmanager');
      expect(e.get(f('sourceAddress', '[source][ip]'))).toBe('10.0.0.192');
      expect(e.get(f('destinationAddress', '[destination][ip]'))).toBe('12.121.122.82');
      expect(e.get(f('sourcePort', '[source][port]'))).toBe('1232');
    });

    it('parses on the delimiter, flushing the rest at the end', async () => {
      const c = await codec({ delimiter: '\\r\\n' }, ecs);
      const out: Event[] = [];
      const d = c.decoder((e) => out.push(e));
      d.push(MESSAGE);
      expect(out).toHaveLength(0);
      d.push('\r\nCEF:0|fun|whimsy|1.0|100|trojan successfully stopped|10|src=10.0.0.192 dst=12.121.122.82 spt=1232');
      expect(out).toHaveLength(1);
      expect(out[0]!.get(f('deviceVendor', '[observer][vendor]'))).toBe('security');
      d.push(' split=perfect');
      d.end();
      expect(out).toHaveLength(2);
      validate(out[1]!);
      expect(out[1]!.get(f('deviceProduct', '[observer][product]'))).toBe('whimsy');
      expect(out[1]!.get('split')).toBe('perfect');
      expect(decode(await codec({ delimiter: '\\r\\n' }, ecs), `${MESSAGE}\r\n${MESSAGE}`)).toHaveLength(2);
    });

    it('fails a message holding unescaped newlines without delimiter, logging why', async () => {
      const ctx = testContext({ ecs }, 'codec', 'cef');
      const msg = `${MESSAGE}\n${MESSAGE}`;
      const events = decode(await codec({}, ecs, ctx), msg);
      expect(events).toHaveLength(1);
      expect(events[0]!.get('message')).toBe(msg);
      expect(events[0]!.tags).toEqual([CEF_FAILURE_TAG]);
      expect(ctx.logs.some((l) => l.level === 'error' && /Failed to decode CEF payload/.test(l.msg) && /unescaped newline/.test(String(l.data?.exception)))).toBe(true);
    });

    it('keeps a pair of escaped backslashes ending a header', async () => {
      const e = await decodeOne('CEF:0|security|threatmanager|1.0|100|double backslash\\\\\\\\|10|src=10.0.0.192 dst=12.121.122.82 spt=1232', ecs);
      expect(e.get(f('name', '[cef][name]'))).toBe('double backslash\\\\');
      expect(e.get(f('severity', '[event][severity]'))).toBe('10');
    });

    it('accepts missing headers, leading spaces, several spaces between keys and spaces in values', async () => {
      const e1 = await decodeOne('CEF:0|||1.0|100|trojan successfully stopped|10|src=10.0.0.192 dst=12.121.122.82 spt=1232', ecs);
      validate(e1);
      expect(e1.get(f('deviceVendor', '[observer][vendor]'))).toBe('');
      validate(await decodeOne('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10| src=10.0.0.192 dst=12.121.122.82 spt=1232', ecs));
      const e3 = await decodeOne('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10| src=10.0.0.192  dst=12.121.122.82  spt=1232', ecs);
      expect(e3.get(f('destinationAddress', '[destination][ip]'))).toBe('12.121.122.82');
      const e4 = await decodeOne('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 dst=12.121.122.82  spt=1232 dproc=InternetExplorer x.x.x.x', ecs);
      expect(e4.get(f('sourcePort', '[source][port]'))).toBe('1232');
      expect(e4.get(f('destinationProcessName', '[destination][process][name]'))).toBe('InternetExplorer x.x.x.x');
    });

    it('handles pipes, equals and backslashes in extension values', async () => {
      const h = 'CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|';
      expect((await decodeOne(`${h}moo=this\\|has an escaped pipe`, ecs)).get('moo')).toBe('this\\|has an escaped pipe');
      expect((await decodeOne(`${h}moo=this|has an pipe`, ecs)).get('moo')).toBe('this|has an pipe');
      expect((await decodeOne(`${h}moo=this =has = equals\\=`, ecs)).get('moo')).toBe('this =has = equals=');
      expect((await decodeOne(`${h}moo=this \\has \\ backslashs\\`, ecs)).get('moo')).toBe('this \\has \\ backslashs\\');
      const e = await decodeOne(`${h}foo=bar msg=this message has escaped equals \\= and escaped newlines \\n escaped carriage returns \\r and escaped backslashes \\\\ in it bar=baz`, ecs);
      expect(e.get('foo')).toBe('bar');
      expect(e.get('message')).toBe('this message has escaped equals = and escaped newlines \n escaped carriage returns \r and escaped backslashes \\ in it');
      expect(e.get('bar')).toBe('baz');
      const q = await decodeOne('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|go=start now query_string=key1\\=value1&key2\\=value3 aa.bc&key3\\=value4 final=done', ecs);
      expect([q.get('go'), q.get('query_string'), q.get('final')]).toEqual(['start now', 'key1=value1&key2=value3 aa.bc&key3=value4', 'done']);
    });

    it('unescapes backslashes and pipes in the headers, and keeps equals there', async () => {
      const e = await decodeOne('CEF:0|secu\\\\rity|threat\\\\manager|1.\\\\0|10\\\\0|tro\\\\jan successfully stopped|\\\\10|', ecs);
      expect([f('cefVersion', '[cef][version]'), f('deviceVendor', '[observer][vendor]'), f('deviceProduct', '[observer][product]'), f('deviceVersion', '[observer][version]'), f('deviceEventClassId', '[event][code]'), f('name', '[cef][name]'), f('severity', '[event][severity]')].map((k) => e.get(k)))
        .toEqual(['0', 'secu\\rity', 'threat\\manager', '1.\\0', '10\\0', 'tro\\jan successfully stopped', '\\10']);
      const edge = await decodeOne('CEF:0|security\\\\\\||threatmanager\\\\|1.0|100|trojan successfully stopped|10|', ecs);
      validate(edge);
      expect(edge.get(f('deviceVendor', '[observer][vendor]'))).toBe('security\\|');
      expect(edge.get(f('deviceProduct', '[observer][product]'))).toBe('threatmanager\\');
      const p = await decodeOne('CEF:0|secu\\|rity|threatmanager\\||1.\\|0|10\\|0|tro\\|jan successfully stopped|\\|10|', ecs);
      expect([f('deviceVendor', '[observer][vendor]'), f('deviceProduct', '[observer][product]'), f('deviceVersion', '[observer][version]'), f('deviceEventClassId', '[event][code]'), f('name', '[cef][name]'), f('severity', '[event][severity]')].map((k) => p.get(k)))
        .toEqual(['secu|rity', 'threatmanager|', '1.|0', '10|0', 'tro|jan successfully stopped', '|10']);
      expect((await decodeOne('CEF:0|security|threatmanager=equal|1.0|100|trojan successfully stopped|10|', ecs)).get(f('deviceProduct', '[observer][product]'))).toBe('threatmanager=equal');
    });

    it('keeps dotted keys, array-like keys and unknown keys', async () => {
      const d = await decodeOne('CEF:0|Vendor|Device|Version|13|my message|5|dvchost=loghost cat=traffic deviceSeverity=notice ad.nn=TEST src=192.168.0.1 destinationPort=53', ecs);
      expect(d.get(f('deviceHostName', '[observer][hostname]'))).toBe('loghost');
      expect(d.get('ad.nn')).toBe('TEST');
      expect(d.get(f('destinationPort', '[destination][port]'))).toBe('53');
      const a = await decodeOne('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 additional.dotfieldName=new_value ad.Authentification=MICROSOFT_AUTHENTICATION_PACKAGE_V1_0 ad.Error_,Code=3221225578 dst=12.121.122.82 ad.field[0]=field0 ad.foo.name[1]=new_name', ecs);
      validate(a);
      expect(a.get('[ad.field][0]')).toBe('field0');
      expect(a.get('[ad.foo.name][1]')).toBe('new_name');
      expect(a.get('ad.Authentification')).toBe('MICROSOFT_AUTHENTICATION_PACKAGE_V1_0');
      expect(a.get('ad.Error_,Code')).toBe('3221225578');
      expect(a.get('additional.dotfieldName')).toBe('new_value');
      const r = await decodeOne('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 cs4=401 random.user Admin 0 23041A10181C0000  23041810181C0000  /CN\\=random.user/OU\\=User Login End-Entity  /CN\\=TEST/OU\\=Login CA TEST 34 additional.dotfieldName=new_value ad.name[1]=new_name', ecs);
      expect(r.get(f('deviceCustomString4', '[cef][device_custom_string_4][value]'))).toBe('401 random.user Admin 0 23041A10181C0000  23041810181C0000  /CN=random.user/OU=User Login End-Entity  /CN=TEST/OU=Login CA TEST 34');
      expect(r.get('[ad.name][1]')).toBe('new_name');
      expect((await decodeOne('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 dst=12.121.122.82 new_key_by_device=new_values here', ecs)).get('new_key_by_device')).toBe('new_values here');
    });

    it('translates abbreviated CEF keys, fileHash and legacy aliases', async () => {
      const e = await decodeOne('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=10.0.0.192 dst=12.121.122.82 proto=TCP shost=source.host.name dhost=destination.host.name spt=11024 dpt=9200 outcome=Success amac=00:80:48:1c:24:91', ecs);
      expect(e.get(f('transportProtocol', '[network][transport]'))).toBe('TCP');
      expect(e.get(f('sourceHostName', '[source][domain]'))).toBe('source.host.name');
      expect(e.get(f('destinationHostName', '[destination][domain]'))).toBe('destination.host.name');
      expect(e.get(f('sourcePort', '[source][port]'))).toBe('11024');
      expect(e.get(f('destinationPort', '[destination][port]'))).toBe('9200');
      expect(e.get(f('eventOutcome', '[event][outcome]'))).toBe('Success');
      expect(e.get(f('agentMacAddress', '[agent][mac]'))).toBe('00:80:48:1c:24:91');
      expect((await decodeOne('Syslogdate Sysloghost CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|fileHash=1bad1dea', ecs)).get(f('fileHash', '[file][hash]'))).toBe('1bad1dea');
      const l = await decodeOne('CEF:0|security|threatmanager|1.0|100|target acquired|10|destinationLongitude=-73.614830 destinationLatitude=45.505918 sourceLongitude=45.4628328 sourceLatitude=9.1076927', ecs);
      expect(l.get(f('destinationLongitude', '[destination][geo][location][lon]'))).toBe('-73.614830');
      expect(l.get(f('destinationLatitude', '[destination][geo][location][lat]'))).toBe('45.505918');
      expect(l.get(f('sourceLongitude', '[source][geo][location][lon]'))).toBe('45.4628328');
      expect(l.get(f('sourceLatitude', '[source][geo][location][lat]'))).toBe('9.1076927');
    });

    it('detects a syslog header before CEF', async () => {
      const e = await decodeOne(`Syslogdate Sysloghost ${MESSAGE}`, ecs);
      validate(e);
      expect(e.get(f('syslog', '[log][syslog][header]'))).toBe('Syslogdate Sysloghost');
    });

    it('splits correctly around an unescaped equals that does not follow a key', async () => {
      const e = await decodeOne("CEF:0|FooBar|Web Gateway|1.2.3.45.67|200|Success|2|rt=Sep 07 2018 14:50:39 cat=Access Log dst=1.1.1.1 dhost=foo.example.com suser=redacted src=2.2.2.2 requestMethod=POST request='https://foo.example.com/bar/bingo/1' requestClientApplication='Foo-Bar/2018.1.7; Email:user@example.com; Guid:test=' cs1= cs1Label=Foo Bar", ecs, { default_timezone: 'UTC' });
      expect(e.get(f('deviceVersion', '[observer][version]'))).toBe('1.2.3.45.67');
      if (ecs === 'disabled') expect(e.get('deviceReceiptTime')).toBe('Sep 07 2018 14:50:39');
      else expect(e.timestamp.toString()).toBe('2018-09-07T14:50:39.000Z');
      expect(e.get(f('deviceEventCategory', '[cef][category]'))).toBe('Access Log');
      expect(e.get(f('sourceUserName', '[source][user][name]'))).toBe('redacted');
      expect(e.get(f('requestMethod', '[http][request][method]'))).toBe('POST');
      expect(e.get(f('requestUrl', '[url][original]'))).toBe("'https://foo.example.com/bar/bingo/1'");
      expect(e.get(f('requestClientApplication', '[user_agent][original]'))).toBe("'Foo-Bar/2018.1.7; Email:user@example.com; Guid:test='");
      expect(e.get(f('deviceCustomString1Label', '[cef][device_custom_string_1][label]'))).toBe('Foo Bar');
      expect(e.get(f('deviceCustomString1', '[cef][device_custom_string_1][value]'))).toBe('');
    });

    it('uses rt with the dtz zone for @timestamp in ECS mode, keeps them verbatim otherwise', async () => {
      const msg = 'CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|Very-High| eventId=1 msg=Worm successfully stopped art=1500464384997 deviceSeverity=10 rt=Jul 19 2017 10:50:21.127 src=10.0.0.1 dtz=Europe/Moscow _cefVer=0.1';
      const e = await decodeOne(msg, ecs);
      if (ecs === 'disabled') {
        expect(e.get('deviceReceiptTime')).toBe('Jul 19 2017 10:50:21.127');
        expect(e.get('deviceTimeZone')).toBe('Europe/Moscow');
        expect(e.get('agentReceiptTime')).toBe('1500464384997');
      } else {
        expect(e.timestamp.toString()).toBe('2017-07-19T07:50:21.127Z');
        expect(e.get('[event][timezone]')).toBe('Europe/Moscow');
        expect(String(e.get('[event][created]'))).toBe('2017-07-19T11:39:44.997Z');
      }
    });

    it('treats an empty timestamp value as nil in ECS mode and keeps it otherwise', async () => {
      const e = await decodeOne('CEF:0|Security|threatmanager|1.0|100|worm successfully stopped|Very-High| eventId=1 msg=Worm successfully stopped start=', ecs);
      if (ecs === 'disabled') expect(e.get('startTime')).toBe('');
      else { expect(e.includes('[event][start]')).toBe(true); expect(e.get('[event][start]')).toBeNull(); }
    });

    it('emits invalid UTF-8 unparsed with _cefparsefailure, logging an error', async () => {
      const ctx = testContext({ ecs }, 'codec', 'cef');
      const bytes = Buffer.concat([Buffer.from('CEF:0|security|threatmanager|1.0|100|trojan successfully stopped|10|src=192.168.1.11 target=aaaaa'), Buffer.from([0x82, 0xa0, 0x82, 0xa0]), Buffer.from('aaaa msg=Description Omitted')]);
      const events = decode(await codec({}, ecs, ctx), bytes);
      expect(events).toHaveLength(1);
      expect(events[0]!.tags).toEqual([CEF_FAILURE_TAG]);
      expect(String(events[0]!.get('message'))).toContain('target=aaaaa');
      expect(ctx.logs.some((l) => l.level === 'error' && /Failed to decode CEF payload/.test(l.msg))).toBe(true);
    });

    it('keeps the raw message in raw_data_field', async () => {
      const e = await decodeOne(MESSAGE, ecs, { raw_data_field: 'message_raw' });
      validate(e);
      expect(e.get('message_raw')).toBe(MESSAGE);
    });

    it('fails what is not CEF with _cefparsefailure and keeps the payload in message', async () => {
      const e = await decodeOne('this is not cef', ecs);
      expect(e.tags).toEqual([CEF_FAILURE_TAG]);
      expect(e.get('message')).toBe('this is not cef');
      const k = await decodeOne('CEF:0|a|b|c|d|e|f|keyless value', ecs);
      expect(k.tags).toEqual([CEF_FAILURE_TAG]);
    });

    it('returns an equal event when encoded and decoded again (encode and decode)', async () => {
      const fields = {
        vendor: f('deviceVendor', '[observer][vendor]'), product: f('deviceProduct', '[observer][product]'), version: f('deviceVersion', '[observer][version]'),
        signature: f('deviceEventClassId', '[event][code]'), name: f('name', '[cef][name]'), severity: f('severity', '[event][severity]'),
      };
      const dns = f('sourceDnsDomain', '[source][registered_domain]');
      const opts: Record<string, unknown> = { fields: ['foo', dns] };
      for (const [k, v] of Object.entries(fields)) opts[k] = `%{${v}}`;
      const c = await codec(opts, ecs);
      const event = new Event();
      const values = { vendor: 'vendor', product: 'product', version: '2.0', signature: 'signature', name: 'name', severity: '1' };
      for (const [k, v] of Object.entries(values)) event.set(fields[k as keyof typeof fields], v);
      event.set('foo', 'bar');
      event.set(dns, 'apple');
      const [back] = decode(c, String(c.encode(event)));
      for (const field of [...Object.values(fields), 'foo', dns]) expect(back!.get(field)).toEqual(event.get(field));
    });
  });
}

describe('cef timestamps (timestamp_normalizer_spec.rb)', () => {
  const utc = resolveZone('UTC')!;
  it('reads milliseconds since the epoch, integral or decimal', () => {
    expect(normalizeCefTimestamp('1616623591694', utc).toString()).toBe('2021-03-24T22:06:31.694Z');
    expect(normalizeCefTimestamp('1616623591694.123', utc).toString()).toBe('2021-03-24T22:06:31.694123Z');
  });
  it('reads MMM dd yyyy HH:mm:ss with fractions and zones', () => {
    expect(normalizeCefTimestamp('Mar 24 2021 22:06:31', utc).toString()).toBe('2021-03-24T22:06:31.000Z');
    expect(normalizeCefTimestamp('Mar 24 2021 22:06:31.694', utc).toString()).toBe('2021-03-24T22:06:31.694Z');
    expect(normalizeCefTimestamp('Mar 24 2021 22:06:31.694123456', utc).toString()).toBe('2021-03-24T22:06:31.694123456Z');
    expect(normalizeCefTimestamp('Mar 24 2021 22:06:31 UTC', resolveZone('Europe/Paris')!).toString()).toBe('2021-03-24T22:06:31.000Z');
    expect(normalizeCefTimestamp('Mar 24 2021 22:06:31', resolveZone('America/New_York')!).toString()).toBe('2021-03-25T02:06:31.000Z');
  });
  it('assumes the year that is not more than 2 days in the future', () => {
    const now = Date.UTC(2021, 4, 12, 12, 0, 0); // May 12 2021
    expect(normalizeCefTimestamp('May 13 10:00:00', utc, now).toString()).toBe('2021-05-13T10:00:00.000Z');
    expect(normalizeCefTimestamp('May 15 10:00:00', utc, now).toString()).toBe('2020-05-15T10:00:00.000Z');
    const dec31 = Date.UTC(2021, 11, 31, 23, 0, 0);
    expect(normalizeCefTimestamp('Jan 01 01:00:00', utc, dec31).toString()).toBe('2022-01-01T01:00:00.000Z');
  });
  it('refuses what is not a CEF timestamp', () => {
    expect(() => normalizeCefTimestamp('yesterday', utc)).toThrow(/Not a valid CEF timestamp/);
  });
});
