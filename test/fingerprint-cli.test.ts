// fingerprint through the real CLI: Logstash-style configs, JSON lines in and out.
import { describe, expect, it } from 'vitest';
import { runFilterSection } from './helpers/pipeline-cli.js';

describe('fingerprint filter through sluice run', () => {
  it('writes [event][hash] in ECS mode and fingerprint without, with add_tag', async () => {
    const section = 'fingerprint { source => ["clientip"] method => "SHA256" key => "longencryptionkey" add_tag => ["fp"] }';
    const ecs = await runFilterSection(section, [{ clientip: '123.123.123.123' }]);
    expect(ecs.events[0]).toMatchObject({ event: { hash: '345bec3eff242d53b568916c2610b3e393d885d6b96d643f38494fd74bf4a9ca' }, tags: ['fp'] });
    const legacy = await runFilterSection(section, [{ clientip: '123.123.123.123' }], { args: ['--pipeline.ecs_compatibility', 'disabled'] });
    expect(legacy.events[0]).toMatchObject({ fingerprint: '345bec3eff242d53b568916c2610b3e393d885d6b96d643f38494fd74bf4a9ca' });
  });

  it('MURMUR3 gives a number, concatenate_sources hashes |name|value|', async () => {
    const { events } = await runFilterSection(
      'fingerprint { source => ["clientip"] method => "MURMUR3" target => "m" } fingerprint { source => ["field2", "field1"] concatenate_sources => true target => "c" }',
      [{ clientip: '123.123.123.123', field1: 'test1', field2: 'test2' }]);
    expect(events[0]).toMatchObject({ m: 4013733395, c: 'e3b6b71eedc656f1d29408264e8a75535db985cb' });
  });
});
