// Ports of logstash-filter-cidr's RSpec examples (spec/filters/cidr_spec.rb, logstash-plugins/logstash-filter-cidr
// at 9a6cdfe), with its network files vendored in fixtures/cidr. Every example is ported.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Hash } from '../src/event/values.js';
import cidr from '../src/filters/cidr.js';
import { PluginConfigError } from '../src/plugins/api.js';
import { ROOT } from './helpers/cli.js';
import { filterHarness } from './helpers/filter-run.js';

const tagsOf = async (config: Record<string, unknown>, data: Hash): Promise<unknown> => {
  const h = await filterHarness(cidr, { add_tag: ['matched'], ...config });
  const [e] = await h.run(data);
  return e!.get('tags');
};
const file = (n: string): string => join(ROOT, 'fixtures', 'cidr', n);

describe('cidr: IPv4', () => {
  const one = { address: ['%{clientip}'], network: ['192.168.0.0/24'] };
  it('matches', async () => { expect(await tagsOf(one, { clientip: '192.168.0.30' })).toContain('matched'); });
  it('does not match', async () => { expect(await tagsOf(one, { clientip: '123.52.122.33' })).toBeUndefined(); });

  const list = { address: ['%{clientip}'], network: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] };
  it.each(['192.168.0.30', '10.10.220.3', '172.16.45.50'])('a list of networks matches %s', async (ip) => {
    expect(await tagsOf(list, { clientip: ip })).toContain('matched');
  });
  it('a list of networks does not match 8.8.8.8', async () => { expect(await tagsOf(list, { clientip: '8.8.8.8' })).toBeUndefined(); });
  it('a comma-separated list in one string', async () => {
    expect(await tagsOf({ address: ['%{clientip}'], network: ['10.0.0.0/8,172.16.0.0/12,192.168.0.0/16'] }, { clientip: '192.168.0.30' })).toContain('matched');
  });
  it('a network list from a field reference', async () => {
    expect(await tagsOf({ address: ['%{clientip}'], network: ['%{whitelist}'] }, { whitelist: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'], clientip: '192.168.0.30' })).toContain('matched');
  });
});

describe('cidr: IPv6', () => {
  const cfg = { address: ['%{clientip}'], network: ['fe80::/64'] };
  it('matches', async () => { expect(await tagsOf(cfg, { clientip: 'fe80:0:0:0:0:0:0:1' })).toContain('matched'); });
  it('does not match', async () => { expect(await tagsOf(cfg, { clientip: 'fd82:0:0:0:0:0:0:1' })).toBeUndefined(); });
});

describe('cidr: network_path', () => {
  const cfg = { network_path: file('network'), address: '%{clientip}' };
  it.each(['192.168.1.1', '200.17.160.201'])('matches %s from the file', async (ip) => { expect(await tagsOf(cfg, { clientip: ip })).toContain('matched'); });
  it('does not match 10.1.2.1', async () => { expect(await tagsOf(cfg, { clientip: '10.1.2.1' })).toBeUndefined(); });
  const comma = { network_path: file('network-comma'), address: '%{clientip}', separator: ',' };
  it('uses another separator', async () => { expect(await tagsOf(comma, { clientip: '192.168.1.25' })).toContain('matched'); });
  it('another separator, no match', async () => { expect(await tagsOf(comma, { clientip: '192.167.1.1' })).toBeUndefined(); });
  it("refuses both 'network' and 'network_path'", async () => {
    const p = filterHarness(cidr, { address: ['%{clientip}'], network: ['192.168.1.0/24'], network_path: file('network'), add_tag: ['matched'] });
    await expect(p).rejects.toThrow(/The configuration options 'network' and 'network_path' are mutually exclusive/);
    await expect(p).rejects.toBeInstanceOf(PluginConfigError);
  });
});

describe('cidr: address_field', () => {
  const cfg = { address_field: 'ip', network: ['192.168.0.0/24'] };
  it('a string value', async () => { expect(await tagsOf(cfg, { ip: '192.168.0.1' })).toContain('matched'); });
  it('an array value', async () => { expect(await tagsOf(cfg, { ip: ['188.168.0.1', '192.168.0.1'] })).toContain('matched'); });
  it('an array with an invalid ip', async () => { expect(await tagsOf(cfg, { ip: ['invalid', '192.168.0.1'] })).toContain('matched'); });
  it('a missing field', async () => { expect(await tagsOf(cfg, {})).toBeUndefined(); });
  it('an integer', async () => { expect(await tagsOf(cfg, { ip: 377 })).toBeUndefined(); });
  it('a map', async () => { expect(await tagsOf(cfg, { ip: { invalid: '192.168.0.1' } })).toBeUndefined(); });
  it('a nested field', async () => {
    expect(await tagsOf({ address_field: '[host][ip]', network: ['192.168.0.0/24'] }, { host: { ip: ['188.168.0.1', '192.168.0.1'] } })).toContain('matched');
  });
  it("refuses both 'address' and 'address_field'", async () => {
    await expect(filterHarness(cidr, { address_field: '[host][ip]', address: ['%{clientip}'] })).rejects.toThrow(/The configuration options 'address' and 'address_field' are mutually exclusive/);
  });
});

describe('cidr: Ruby IPAddr rules', () => {
  it('an IPv4 address is never in an IPv6 network', async () => {
    expect(await tagsOf({ address: ['%{ip}'], network: ['::/0'] }, { ip: '10.0.0.1' })).toBeUndefined();
  });
  it('a network with host bits set is masked', async () => {
    expect(await tagsOf({ address: ['%{ip}'], network: ['192.168.1.77/24'] }, { ip: '192.168.1.200' })).toContain('matched');
  });
  it('a dotted netmask', async () => {
    expect(await tagsOf({ address: ['%{ip}'], network: ['10.1.0.0/255.255.0.0'] }, { ip: '10.1.9.9' })).toContain('matched');
  });
  it('a zero-filled address is invalid', async () => {
    expect(await tagsOf({ address: ['%{ip}'], network: ['10.0.0.0/8'] }, { ip: '10.01.0.1' })).toBeUndefined();
  });
});
