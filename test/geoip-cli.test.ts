// geoip through the real CLI on MaxMind's test databases (fixtures/geoip).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';
import { checkConfig, runFilterSection } from './helpers/pipeline-cli.js';

const CITY = join(ROOT, 'fixtures', 'geoip', 'GeoLite2-City-Test.mmdb');

describe('geoip filter through sluice run', () => {
  it('ECS: [source][ip] gets [source][geo] fields; unknown addresses are tagged', async () => {
    const { events } = await runFilterSection(`geoip { source => "[source][ip]" database => "${CITY}" }`,
      [{ source: { ip: '81.2.69.142' } }, { source: { ip: '10.0.0.1' } }]);
    expect(events[0]).toMatchObject({
      source: { ip: '81.2.69.142', geo: { city_name: 'London', country_iso_code: 'GB', country_name: 'United Kingdom', continent_code: 'EU', region_iso_code: 'GB-ENG', region_name: 'England', timezone: 'Europe/London', location: { lat: 51.5142, lon: -0.0931 } } },
    });
    expect(events[0]).not.toHaveProperty('tags');
    expect(events[1]).toMatchObject({ source: { ip: '10.0.0.1' }, tags: ['_geoip_lookup_failure'] });
    expect(events[1]!.source).toEqual({ ip: '10.0.0.1' });
  });

  it('legacy: the geoip target with legacy names', async () => {
    const { events } = await runFilterSection(`geoip { source => "clientip" database => "${CITY}" fields => ["city_name", "country_code2", "location"] add_tag => ["geo"] }`,
      [{ clientip: '81.2.69.142' }], { args: ['--pipeline.ecs_compatibility', 'disabled'] });
    expect(events[0]).toMatchObject({ geoip: { city_name: 'London', country_code2: 'GB', location: { lat: 51.5142, lon: -0.0931 } }, tags: ['geo'] });
  });

  it('requires a target in ECS mode when the source is not an [ip] sub-field', async () => {
    const r = await checkConfig(`filter { geoip { source => "clientip" database => "${CITY}" } }`);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/requires a `target`/);
  });
});
