// cidr through the real CLI: Logstash-style configs, JSON lines in and out.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { runFilterSection } from './helpers/pipeline-cli.js';

describe('cidr filter through sluice run', () => {
  it('tags addresses in the listed networks (IPv4 and IPv6)', async () => {
    const { events } = await runFilterSection(
      'cidr { address => [ "%{clientip}" ] network => [ "192.168.0.0/16", "fe80::/64" ] add_tag => [ "internal" ] }',
      [{ clientip: '192.168.3.4' }, { clientip: '8.8.8.8' }, { clientip: 'fe80::1' }, { clientip: 'not-an-ip' }]);
    expect(events.map((e) => e.tags)).toEqual([['internal'], undefined, ['internal'], undefined]);
  });

  it('reads the networks from network_path', async () => {
    const { events } = await runFilterSection(
      `cidr { address_field => "[source][ip]" network_path => "${join(ROOT, 'fixtures', 'cidr', 'network')}" add_field => { "zone" => "lan" } }`,
      [{ source: { ip: '200.17.160.9' } }, { source: { ip: '10.1.2.1' } }]);
    expect(events.map((e) => e.zone)).toEqual(['lan', undefined]);
  });
});
