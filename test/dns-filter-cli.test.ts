// The dns filter through the real CLI (`sluice run -e`), against a DNS server this test starts on 127.0.0.1
// (test/helpers/dns-server.ts): JSON lines in, JSON lines out.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { startDnsServer, TEST_RECORDS, type TestDnsServer } from './helpers/dns-server.js';
import { checkConfig, runFilterSection } from './helpers/pipeline-cli.js';

let server: TestDnsServer;
beforeAll(async () => { server = await startDnsServer(TEST_RECORDS); });
afterAll(async () => { await server.close(); });

const ns = (): string => `nameserver => { address => ["${server.address}"] } timeout => 0.3`;
const oneWorker = { args: ['-w', '1'] };

describe('dns filter through sluice run', () => {
  it('resolves names and reverses addresses (replace), add_tag only when every lookup succeeds', async () => {
    const { events } = await runFilterSection(
      `dns { resolve => ["name"] reverse => ["ip"] action => "replace" ${ns()} add_tag => ["dns_ok"] }`,
      [{ name: 'carrera.databits.net', ip: '199.192.228.250' }, { name: 'does.not.exist', ip: '199.192.228.250' }, { ip: 'not-an-ip' }],
      oneWorker);
    expect(events.map((e) => [e.name, e.ip, e.tags])).toEqual([
      ['199.192.228.250', 'carrera.databits.net', ['dns_ok']],
      ['does.not.exist', '199.192.228.250', undefined],
      [undefined, 'not-an-ip', undefined],
    ]);
  });

  it('append (the default) makes the field a list; replace keeps a one-element list a list', async () => {
    const { events } = await runFilterSection(
      `dns { resolve => ["a"] ${ns()} } dns { resolve => ["b"] action => "replace" ${ns()} }`,
      [{ a: 'carrera.databits.net', b: ['carrera.databits.net'] }, { a: ['carrera.databits.net', 'x'], b: 'carrera.databits.net' }],
      oneWorker);
    expect(events.map((e) => [e.a, e.b])).toEqual([
      [['carrera.databits.net', '199.192.228.250'], ['199.192.228.250']],
      [['carrera.databits.net', 'x'], '199.192.228.250'],
    ]);
  });

  it('reads a hostsfile (IDN names both ways) and asks no DNS without a nameserver', async () => {
    const before = server.questions.length;
    const hosts = join(ROOT, 'fixtures', 'dns', 'hosts');
    const { events } = await runFilterSection(
      `dns { resolve => ["name"] reverse => ["addr"] action => "replace" hostsfile => ["${hosts}"] }`,
      [{ name: 'Яндекс.рф', addr: '10.10.0.2' }, { name: 'carrera.databits.net' }], oneWorker);
    expect(events.map((e) => [e.name, e.addr])).toEqual([['10.10.0.1', 'müller.com'], ['carrera.databits.net', undefined]]);
    expect(server.questions.length).toBe(before);
  });

  it('tags a lookup that times out (_dnstimeout, or tag_on_timeout) and keeps the field', async () => {
    const { events } = await runFilterSection(
      `dns { resolve => ["h"] ${ns()} max_retries => 0 } dns { reverse => ["ip"] nameserver => ["${server.address}"] timeout => 0.3 max_retries => 1 tag_on_timeout => "slow_dns" }`,
      [{ h: 'one.silent.test' }, { h: 'carrera.databits.net', ip: '192.0.2.200' }], oneWorker);
    expect(events.map((e) => [e.h, e.tags])).toEqual([
      ['one.silent.test', ['_dnstimeout']],
      [['carrera.databits.net', '199.192.228.250'], undefined],
    ]);
    expect(server.count('one.silent.test')).toBe(1);
  });

  it('caches hits and failures: repeated names are asked once', async () => {
    const { events } = await runFilterSection(
      `dns { resolve => ["h"] action => "replace" ${ns()} hit_cache_size => 100 failed_cache_size => 100 }`,
      [{ h: 'cachedhost' }, { h: 'cachedhost' }, { h: 'missing-cli.test' }, { h: 'cachedhost' }, { h: 'missing-cli.test' }],
      oneWorker);
    expect(events.map((e) => e.h)).toEqual(['127.0.0.1', '127.0.0.1', 'missing-cli.test', '127.0.0.1', 'missing-cli.test']);
    expect(server.questions.filter((q) => q.name === 'cachedhost').length).toBe(1);
    expect(server.questions.filter((q) => q.name === 'missing-cli.test' && q.type === 'A').length).toBe(1);
  });

  it('reports a bad nameserver hash at config check', async () => {
    const r = await checkConfig('input { stdin {} } filter { dns { resolve => ["h"] nameserver => { search => ["x.net"] } } } output { stdout {} }');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/`nameserver` hash must include `address`/);
  });
});
