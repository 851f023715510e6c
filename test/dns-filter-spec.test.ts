// Ports of logstash-filter-dns's RSpec examples (spec/filters/dns_spec.rb, logstash-plugins/logstash-filter-dns
// at 1533188, version 3.2.0) against a real DNS server started here on 127.0.0.1 (test/helpers/dns-server.ts)
// instead of stubs of Ruby's Resolv. Where upstream stubs `getaddress`/`getname` to count calls, the count
// here is of the questions the server received.
//
// Not ported:
// - "without nameserver configuration" (Resolv::DNS.new called with nil, reading /etc/resolv.conf): it checks
//   a Ruby constructor call, and running it for real would query the machine's own DNS.
// - "with search configuration" checks that Resolv::DNS::Name.new is called with the expanded labels; here the
//   server sees the expanded name instead (ported in that form).
// - "nameserver specified as …" checks Resolv::DNS.new's arguments: ported as checks of the normalised
//   nameserver config (normaliseNameserver), the same data.
// - "when failing temporarily" raises SocketError twice: here the server leaves the first two questions
//   unanswered (timeouts, which the plugin retries the same way).
// - The timeout examples stub getaddress for "127.0.0.1"/"carrera.databits.net"; an IP address is its own
//   result without a query (Resolv#each_address), so here names under silent.test (never answered) and an
//   address on a server that never answers are used.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hash } from '../src/event/values.js';
import dns, { candidateNames, hostUsesIpv6, idnToAscii, normaliseNameserver } from '../src/filters/dns.js';
import { PluginConfigError } from '../src/plugins/api.js';
import { ROOT } from './helpers/cli.js';
import { startDnsServer, TEST_RECORDS, type TestDnsServer } from './helpers/dns-server.js';
import { filterHarness } from './helpers/filter-run.js';

let server: TestDnsServer;
let silent: TestDnsServer;
let flaky: TestDnsServer;
beforeAll(async () => {
  server = await startDnsServer(TEST_RECORDS);
  silent = await startDnsServer({}, { silent: true });
  flaky = await startDnsServer(TEST_RECORDS, { dropFirst: { 'flaky.test': 2 } });
});
afterAll(async () => { await Promise.all([server.close(), silent.close(), flaky.close()]); });

const ns = (): Record<string, unknown> => ({ nameserver: { address: [server.address] }, timeout: 0.2 });
const run = async (config: Record<string, unknown>, data: Hash) => {
  const h = await filterHarness(dns, { ...ns(), ...config });
  const [e] = await h.run(data);
  return { event: e!, h };
};
const aQuestions = (s: TestDnsServer, name: string): number => s.questions.filter((q) => q.name.toLowerCase() === name && q.type === 'A').length;

describe('dns: reverse (stubbed Resolv examples)', () => {
  it('replace (on a field)', async () => {
    const { event } = await run({ reverse: ['foo'], action: 'replace' }, { foo: '199.192.228.250' });
    expect(event.get('foo')).toBe('carrera.databits.net');
  });
  it('missing field: no error, a warning', async () => {
    const { event, h } = await run({ reverse: ['foo'] }, {});
    expect(event.get('foo')).toBeUndefined();
    expect(h.lastResult).toBe(true);
    expect(h.ctx.logs).toContainEqual({ level: 'warn', msg: 'DNS filter could not perform reverse lookup on missing field', data: { field: 'foo' } });
  });
  it('append', async () => {
    const { event } = await run({ reverse: ['foo'], action: 'append' }, { foo: '199.192.228.250' });
    expect(event.get('foo')).toEqual(['199.192.228.250', 'carrera.databits.net']);
  });
  it('non-string field: no error, an informative warning', async () => {
    const { event, h } = await run({ reverse: ['foo'] }, { foo: { ip: '1.2.3.4' } });
    expect(event.get('foo')).toEqual({ ip: '1.2.3.4' });
    expect(h.ctx.logs).toContainEqual({ level: 'warn', msg: "DNS: skipping reverse, can't deal with non-string values", data: { field: 'foo', value: { ip: '1.2.3.4' } } });
  });
  it('not an IP: unchanged', async () => {
    const { event } = await run({ reverse: ['foo'] }, { foo: 'not.an.ip' });
    expect(event.get('foo')).toBe('not.an.ip');
  });
});

describe('dns: resolve (stubbed Resolv examples)', () => {
  it('replace, add_tag applies', async () => {
    const { event } = await run({ resolve: ['host'], action: 'replace', add_tag: ['success'] }, { host: 'carrera.databits.net' });
    expect(event.get('host')).toBe('199.192.228.250');
    expect(event.get('tags')).toEqual(['success']);
  });
  it('missing field: no error, a warning', async () => {
    const { h } = await run({ resolve: ['foo'] }, {});
    expect(h.ctx.logs).toContainEqual({ level: 'warn', msg: 'DNS filter could not resolve missing field', data: { field: 'foo' } });
  });
  it("a failed lookup: no tag, the field kept", async () => {
    const { event } = await run({ resolve: ['host1', 'host2'], action: 'replace', add_tag: ['success'] },
      { host1: 'carrera.databits.net', host2: 'nonexistanthostname###.net' });
    expect(event.get('tags')).toBeUndefined();
    expect(event.get('host1')).toBe('199.192.228.250');
    expect(event.get('host2')).toBe('nonexistanthostname###.net');
  });
  it('every lookup succeeds: tagged', async () => {
    const { event } = await run({ resolve: ['host1', 'host2'], action: 'replace', add_tag: ['success'] },
      { host1: 'carrera.databits.net', host2: 'carrera.databits.net' });
    expect(event.get('tags')).toEqual(['success']);
  });
  it('resolves and reverses, the last fails: no tag', async () => {
    const { event } = await run({ resolve: ['host1'], reverse: ['ip1', 'ip2'], action: 'replace', add_tag: ['success'] },
      { host1: 'carrera.databits.net', ip1: '127.0.0.1', ip2: '128.0.0.1' });
    expect(event.get('tags')).toBeUndefined();
    expect(event.get('host1')).toBe('199.192.228.250');
    expect(event.get('ip1')).toBe('localhost'); // from /etc/hosts or, without it, the server's PTR
    expect(event.get('ip2')).toBe('128.0.0.1');
  });
  it('replace (on a field)', async () => {
    const { event } = await run({ resolve: ['foo'], action: 'replace' }, { foo: 'carrera.databits.net' });
    expect(event.get('foo')).toBe('199.192.228.250');
  });
  it('skips a multi-value field', async () => {
    const { event } = await run({ resolve: ['foo'], action: 'replace' }, { foo: ['carrera.databits.net', 'foo.databits.net'] });
    expect(event.get('foo')).toEqual(['carrera.databits.net', 'foo.databits.net']);
  });
  it('skips a non-string value', async () => {
    const { event } = await run({ resolve: ['foo'], action: 'replace' }, { foo: { hostname: 'carrera.databits.net' } });
    expect(event.get('foo')).toEqual({ hostname: 'carrera.databits.net' });
  });
  it('append', async () => {
    const { event } = await run({ resolve: ['foo'], action: 'append' }, { foo: 'carrera.databits.net' });
    expect(event.get('foo')).toEqual(['carrera.databits.net', '199.192.228.250']);
  });
  it('append with multi-value does nothing', async () => {
    const { event } = await run({ resolve: ['foo'], action: 'append' }, { foo: ['carrera.databits.net', 'foo.databits.net'] });
    expect(event.get('foo')).toEqual(['carrera.databits.net', 'foo.databits.net']);
  });
  it('a name that does not exist: unchanged', async () => {
    const { event } = await run({ resolve: ['foo'] }, { foo: 'does.not.exist' });
    expect(event.get('foo')).toBe('does.not.exist');
  });
  it('a single custom nameserver (string form)', async () => {
    const { event } = await run({ resolve: ['host'], action: 'replace', nameserver: server.address }, { host: 'carrera.databits.net' });
    expect(event.get('host')).toBe('199.192.228.250');
  });
  it('multiple nameservers: falls back to the next when the first does not answer', async () => {
    const { event } = await run({ resolve: ['host'], action: 'replace', nameserver: [silent.address, server.address] }, { host: 'carrera.databits.net' });
    expect(event.get('host')).toBe('199.192.228.250');
  });
});

describe('dns: caches', () => {
  it('failed cache enabled: a failed lookup is asked once', async () => {
    const h = await filterHarness(dns, { ...ns(), resolve: ['message'], failed_cache_size: 3 });
    await h.run({ message: 'unkownhost-a' });
    const first = server.count('unkownhost-a');
    expect(first).toBeGreaterThan(0);
    await h.run({ message: 'unkownhost-a' });
    expect(server.count('unkownhost-a')).toBe(first);
  });
  it('failed cache disabled: asked again', async () => {
    const h = await filterHarness(dns, { ...ns(), resolve: ['message'] });
    await h.run({ message: 'unkownhost-b' });
    const first = server.count('unkownhost-b');
    await h.run({ message: 'unkownhost-b' });
    expect(server.count('unkownhost-b')).toBe(2 * first);
  });
  it('hit cache enabled: a successful lookup is asked once', async () => {
    const before = server.count('cachedhost');
    const h = await filterHarness(dns, { ...ns(), resolve: ['message'], hit_cache_size: 3 });
    const [e1] = await h.run({ message: 'cachedhost' });
    const [e2] = await h.run({ message: 'cachedhost' });
    expect([e1!.get('message'), e2!.get('message')]).toEqual([['cachedhost', '127.0.0.1'], ['cachedhost', '127.0.0.1']]);
    expect(server.count('cachedhost') - before).toBe(1);
  });
  it('hit cache disabled: asked again', async () => {
    const before = server.count('cachedhost');
    const h = await filterHarness(dns, { ...ns(), resolve: ['message'] });
    await h.run({ message: 'cachedhost' });
    await h.run({ message: 'cachedhost' });
    expect(server.count('cachedhost') - before).toBe(2);
  });
});

describe('dns: retries', () => {
  const retries = { resolve: ['message'], max_retries: 3, failed_cache_size: 10, timeout: 0.1 };
  it('failing permanently: tried max_retries+1 times, the failure cached', async () => {
    const h = await filterHarness(dns, { ...ns(), ...retries });
    const [e] = await h.run({ message: 'unknownhost.silent.test' });
    expect(aQuestions(server, 'unknownhost.silent.test')).toBe(4);
    expect(e!.get('tags')).toEqual(['_dnstimeout']);
    await h.run({ message: 'unknownhost.silent.test' });
    expect(aQuestions(server, 'unknownhost.silent.test')).toBe(4);
  });
  it('unable to resolve: tried once, the failure cached', async () => {
    const h = await filterHarness(dns, { ...ns(), ...retries });
    await h.run({ message: 'unknownhost-c.test' });
    expect(aQuestions(server, 'unknownhost-c.test')).toBe(1);
    await h.run({ message: 'unknownhost-c.test' });
    expect(aQuestions(server, 'unknownhost-c.test')).toBe(1);
  });
  it('a label too long: no error, the field kept, an error logged', async () => {
    const host = `${'0'.repeat(64)}.com`;
    const h = await filterHarness(dns, { ...ns(), ...retries });
    const [e] = await h.run({ message: host });
    expect(e!.get('message')).toBe(host);
    expect(h.ctx.logs.some((l) => l.level === 'error' && l.msg === 'DNS: Unable to parse address.')).toBe(true);
  });
  it('failing temporarily: resolved before max_retries', async () => {
    const h = await filterHarness(dns, { ...retries, nameserver: [flaky.address], action: 'replace' });
    const [e] = await h.run({ message: 'flaky.test' });
    expect(e!.get('message')).toBe('192.0.2.77');
    expect(aQuestions(flaky, 'flaky.test')).toBe(3);
  });
});

describe('dns: search domains', () => {
  it('expands training to training.elastic.co', async () => {
    const { event } = await run({ resolve: ['domain'], action: 'replace', nameserver: { address: [server.address], search: 'elastic.co' } }, { domain: 'training' });
    expect(event.get('domain')).toBe('192.0.2.50');
    expect(server.count('training.elastic.co')).toBeGreaterThan(0);
  });
  it('tries the search domains in Resolv order (ndots)', () => {
    expect(candidateNames('training', ['elastic.co'], 1)).toEqual(['training.elastic.co', 'training']);
    expect(candidateNames('a.b', ['x.net', 'y.com'], 1)).toEqual(['a.b', 'a.b.x.net', 'a.b.y.com']);
    expect(candidateNames('a.b', ['x.net'], 2)).toEqual(['a.b.x.net', 'a.b']);
    expect(candidateNames('abs.', ['x.net'], 1)).toEqual(['abs']);
  });
});

describe('dns: nameserver configuration', () => {
  it('a string', () => { expect(normaliseNameserver(['8.8.8.8'])).toEqual({ servers: ['8.8.8.8'], search: [], ndots: 1 }); });
  it('an array of strings', () => { expect(normaliseNameserver(['8.8.8.8', '8.8.4.4'])).toEqual({ servers: ['8.8.8.8', '8.8.4.4'], search: [], ndots: 1 }); });
  it('a hash with a string address', () => { expect(normaliseNameserver({ address: '8.8.8.8' })).toEqual({ servers: ['8.8.8.8'], search: [], ndots: 1 }); });
  it('a hash with an array address', () => { expect(normaliseNameserver({ address: ['8.8.8.8', '8.8.4.4'] })).toEqual({ servers: ['8.8.8.8', '8.8.4.4'], search: [], ndots: 1 }); });
  it.each([['string', 'internal.net'], ['array of strings', ['internal.net', 'internal1.com']]])('search domains as %s', (_d, search) => {
    expect(normaliseNameserver({ address: ['127.0.0.1'], search })).toEqual({ servers: ['127.0.0.1'], search: [search].flat(), ndots: 1 });
  });
  it('refuses a hash without address, empty addresses, more than 6 search domains, ndots <= 0, unknown keys', () => {
    expect(() => normaliseNameserver({ search: 'x' })).toThrow(/`nameserver` hash must include `address`/);
    expect(() => normaliseNameserver({ address: [] })).toThrow(/cannot be empty/);
    expect(() => normaliseNameserver({ address: 'a', search: ['1', '2', '3', '4', '5', '6', '7'] })).toThrow(/A maximum of 6 `search` domains/);
    expect(() => normaliseNameserver({ address: 'a', ndots: 0 })).toThrow(/`ndots` must be positive/);
    expect(() => normaliseNameserver({ address: 'a', port: 53 })).toThrow(/Unknown `nameserver` argument\(s\)/);
  });
  it('an empty list or hash means no DNS', () => {
    expect(normaliseNameserver([])).toBeUndefined();
    expect(normaliseNameserver({})).toBeUndefined();
  });
  it('a nameserver that is not an address is a config error', async () => {
    await expect(filterHarness(dns, { resolve: ['h'], nameserver: ['dns.example'] })).rejects.toBeInstanceOf(PluginConfigError);
  });
});

describe('dns: hostsfile integration (spec/fixtures/hosts)', () => {
  const hostsfile = join(ROOT, 'fixtures', 'dns', 'hosts');
  it('an IDN resolves to its address', async () => {
    const h = await filterHarness(dns, { resolve: ['domain'], action: 'replace', hostsfile: [hostsfile] });
    const [e] = await h.run({ domain: 'Яндекс.рф' });
    expect(e!.get('domain')).toBe('10.10.0.1');
  });
  it('an address reverses to its IDN', async () => {
    const h = await filterHarness(dns, { reverse: ['domain'], action: 'replace', hostsfile: [hostsfile] });
    const [e] = await h.run({ domain: '10.10.0.2' });
    expect(e!.get('domain')).toBe('müller.com');
  });
  it('IDNA-encodes only non-ASCII labels', () => {
    expect(idnToAscii('Яндекс.рф')).toBe('xn--d1acpjx3f.xn--p1ai');
    expect(idnToAscii('Host.Example')).toBe('Host.Example');
  });
});

describe('dns: timeouts', () => {
  const forward = { resolve: ['message'], max_retries: 0, timeout: 0.1 };
  it('forward: the default tag', async () => {
    const { event } = await run(forward, { message: 'carrera.silent.test' });
    expect(event.get('tags')).toEqual(['_dnstimeout']);
    expect(event.get('message')).toBe('carrera.silent.test');
  });
  it('forward: a custom tag', async () => {
    const { event } = await run({ ...forward, tag_on_timeout: ['dns_custom_timeout'] }, { message: 'carrera.silent.test' });
    expect(event.get('tags')).toEqual(['dns_custom_timeout']);
  });
  it('forward: no tags', async () => {
    const { event } = await run({ ...forward, tag_on_timeout: [] }, { message: 'carrera.silent.test' });
    expect(event.get('tags')).toBeUndefined();
  });
  it('forward: logs the timeout at debug', async () => {
    const { h } = await run(forward, { message: 'debug.silent.test' });
    expect(h.ctx.logs).toContainEqual({ level: 'debug', msg: 'DNS: timeout on resolving the hostname.', data: { field: 'message', value: 'debug.silent.test' } });
  });

  const reverse = (): Record<string, unknown> => ({ reverse: ['message'], max_retries: 0, timeout: 0.1, nameserver: [silent.address] });
  it('reverse: the default tag', async () => {
    const h = await filterHarness(dns, reverse());
    const [e] = await h.run({ message: '192.0.2.99' });
    expect(e!.get('tags')).toEqual(['_dnstimeout']);
  });
  it('reverse: a custom tag', async () => {
    const h = await filterHarness(dns, { ...reverse(), tag_on_timeout: ['dns_custom_timeout'] });
    const [e] = await h.run({ message: '192.0.2.99' });
    expect(e!.get('tags')).toEqual(['dns_custom_timeout']);
  });
  it('reverse: no tags', async () => {
    const h = await filterHarness(dns, { ...reverse(), tag_on_timeout: [] });
    const [e] = await h.run({ message: '192.0.2.99' });
    expect(e!.get('tags')).toBeUndefined();
  });
  it('reverse: logs the timeout at debug', async () => {
    const h = await filterHarness(dns, reverse());
    await h.run({ message: '192.0.2.99' });
    expect(h.ctx.logs).toContainEqual({ level: 'debug', msg: 'DNS: timeout on resolving address.', data: { field: 'message', value: '192.0.2.99' } });
  });
});

// Beyond upstream's spec: behaviour read from the plugin's code and Ruby's Resolv.
describe('dns: more of the plugin\'s semantics', () => {
  it('an IP address given to resolve is its own result, without a query', async () => {
    const before = server.questions.length;
    const { event } = await run({ resolve: ['ip'] }, { ip: '192.0.2.1' });
    expect(event.get('ip')).toEqual(['192.0.2.1', '192.0.2.1']);
    expect(server.questions.length).toBe(before);
  });
  it('replace on a one-element list gives a one-element list; append adds to it', async () => {
    expect((await run({ resolve: ['h'], action: 'replace' }, { h: ['carrera.databits.net'] })).event.get('h')).toEqual(['199.192.228.250']);
    expect((await run({ resolve: ['h'] }, { h: ['carrera.databits.net'] })).event.get('h')).toEqual(['carrera.databits.net', '199.192.228.250']);
  });
  it('a failure ends the filter: later fields are not looked up', async () => {
    const { event } = await run({ resolve: ['a', 'b'], action: 'replace' }, { a: 'does.not.exist', b: 'carrera.databits.net' });
    expect(event.get('b')).toBe('carrera.databits.net');
  });
  it('a missing field does not: later fields are looked up and add_tag applies', async () => {
    const { event } = await run({ resolve: ['a', 'b'], action: 'replace', add_tag: ['ok'] }, { b: 'carrera.databits.net' });
    expect(event.get('b')).toBe('199.192.228.250');
    expect(event.get('tags')).toEqual(['ok']);
  });
  it('the first address of several; AAAA only without A and with global IPv6 on the host', async () => {
    expect((await run({ resolve: ['h'], action: 'replace' }, { h: 'dual.test' })).event.get('h')).toBe('192.0.2.10');
    const v6 = (await run({ resolve: ['h'], action: 'replace' }, { h: 'v6only.test' })).event.get('h');
    expect(v6).toBe(hostUsesIpv6() ? '2001:db8::6' : 'v6only.test');
  });
  it('a name without A records (NODATA) and a SERVFAIL are not found', async () => {
    expect((await run({ resolve: ['h'], action: 'replace' }, { h: 'nodata.test' })).event.get('h')).toBe('nodata.test');
    const { event } = await run({ resolve: ['h'], action: 'replace' }, { h: 'servfail.test' });
    expect(event.get('h')).toBe('servfail.test');
    expect(event.get('tags')).toBeUndefined();
  });
  it('reverse of an IPv6 address and of a Punycode name', async () => {
    expect((await run({ reverse: ['ip'], action: 'replace' }, { ip: '2001:db8::1' })).event.get('ip')).toBe('six.test');
    expect((await run({ reverse: ['ip'], action: 'replace' }, { ip: '192.0.2.20' })).event.get('ip')).toBe('müller.com');
  });
  it('hostsfile alone: no DNS queries; the last address listed for a name comes first', async () => {
    const before = server.questions.length;
    const h = await filterHarness(dns, { resolve: ['a', 'b'], action: 'replace', hostsfile: [join(ROOT, 'fixtures', 'dns', 'hosts')] });
    const [e] = await h.run({ a: 'files', b: 'files.example' });
    expect([e!.get('a'), e!.get('b')]).toEqual(['192.0.2.7', '192.0.2.8']);
    const [e2] = await h.run({ a: 'carrera.databits.net' });
    expect(e2!.get('a')).toBe('carrera.databits.net');
    expect(server.questions.length).toBe(before);
  });
  it('a hosts file that cannot be read is a config error', async () => {
    await expect(filterHarness(dns, { resolve: ['a'], hostsfile: ['/nonexistent/hosts'] })).rejects.toThrow(/cannot read hosts file/);
  });
});
