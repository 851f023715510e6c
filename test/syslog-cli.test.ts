/**
 * The syslog codec, date filter and syslog_pri filter through the real CLI (`npm run build` first):
 * what a user sees from `sluice run`.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

async function run(config: string, input: string | Buffer, extra: string[] = [], env: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const r = await runCli(['run', ...extra, '-e', config], { input, env });
  expect(r.stderr).not.toMatch(/Error/);
  expect(r.code).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('sluice run with the syslog codec', () => {
  it('decodes both RFCs from stdin and tags what does not decode, in order', async () => {
    const input = [
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3"] An application event',
      '<34>Oct 11 22:14:15 mymachine su: \'su root\' failed',
      'garbage line',
    ].join('\n') + '\n';
    const evs = await run('input { stdin { codec => syslog { timezone => "UTC" } } } output { stdout { codec => json_lines } }', input);
    expect(evs).toHaveLength(3);
    expect(evs[0]).toMatchObject({
      '@timestamp': '2003-10-11T22:14:15.003Z', message: 'An application event',
      log: { syslog: { priority: 165, appname: 'evntslog', structured_data: { 'exampleSDID@32473': { iut: '3' } } } },
    });
    expect(evs[1]).toMatchObject({ log: { syslog: { priority: 34 } }, process: { name: 'su' }, host: { hostname: 'mymachine' }, message: '\'su root\' failed' });
    expect(String(evs[1]!['@timestamp'])).toMatch(/^\d{4}-10-11T22:14:15\.000Z$/);
    expect(evs[2]).toMatchObject({ message: 'garbage line', tags: ['_syslogparsefailure'] });
  });

  it('uses the legacy names with ecs_compatibility disabled, and lenient mode accepts grok-style lines', async () => {
    const evs = await run('input { stdin { codec => syslog { lenient => true ecs_compatibility => disabled } } } output { stdout { codec => json_lines } }',
      '<174>1 2016-11-14T09:49:23+01:00 10.23.16.6 named 2255 - -  info: client 10.23.56.93#63295\n');
    expect(evs[0]).toMatchObject({
      syslog5424_host: '10.23.16.6', syslog5424_app: 'named', syslog5424_proc: '2255', syslog5424_ts: '2016-11-14T09:49:23+01:00',
      priority: 174, severity_label: 'Informational', message: 'info: client 10.23.56.93#63295', '@timestamp': '2016-11-14T08:49:23.000Z',
    });
  });

  it('rejects an unknown timezone at start-up', async () => {
    const r = await runCli(['run', '-e', 'input { stdin { codec => syslog { timezone => "Mars/Base" } } } output { stdout { } }'], { input: '' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Mars\/Base/);
  });
});

describe('sluice run with the date and syslog_pri filters', () => {
  it('parses a syslog date, an HTTP date and a UNIX time; a bad date is tagged', async () => {
    const cfg = `input { stdin { codec => json_lines } }
      filter {
        date { match => [ "ts", "MMM  d HH:mm:ss", "MMM dd HH:mm:ss", "ISO8601" ] timezone => "Europe/Paris" }
        date { match => [ "http", "dd/MMM/yyyy:HH:mm:ss Z" ] target => "http_at" }
        date { match => [ "epoch", "UNIX" ] target => "epoch_at" }
      }
      output { stdout { codec => json_lines } }`;
    const evs = await run(cfg, [
      '{"ts":"Jul  4 12:00:00","http":"25/Mar/2013:20:33:56 +0000","epoch":"1350414944.123456"}',
      '{"ts":"not a date"}',
    ].join('\n') + '\n');
    expect(String(evs[0]!['@timestamp'])).toMatch(/^\d{4}-07-04T10:00:00\.000Z$/);
    expect(evs[0]).toMatchObject({ http_at: '2013-03-25T20:33:56.000Z', epoch_at: '2012-10-16T19:15:44.123Z' });
    expect(evs[0]).not.toHaveProperty('tags');
    expect(evs[1]!.tags).toEqual(['_dateparsefailure']);
  });

  it('syslog_pri in both ECS modes', async () => {
    const cfg = 'input { stdin { codec => json_lines } } filter { syslog_pri { } } output { stdout { codec => json_lines } }';
    const [ecs] = await run(cfg, '{"log":{"syslog":{"priority":"137"}}}\n');
    expect(ecs).toMatchObject({ log: { syslog: { priority: '137', facility: { code: 17, name: 'local1' }, severity: { code: 1, name: 'alert' } } } });
    const [legacy] = await run(cfg, '{"syslog_pri":193}\n', ['--pipeline.ecs_compatibility', 'disabled']);
    expect(legacy).toMatchObject({ syslog_facility_code: 24, syslog_severity_code: 1, tags: ['_syslogpriparsefailure'] });
    expect(legacy).not.toHaveProperty('syslog_facility');
  });
});
