// translate through the real CLI: Logstash-style configs, JSON lines in and out.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, runFilterSection } from './helpers/pipeline-cli.js';

describe('translate filter through sluice run', () => {
  it('translates from an inline dictionary with a fallback, applying add_tag on success', async () => {
    const { events } = await runFilterSection(
      'translate { source => "status" target => "status_text" dictionary => { "200" => "OK" "404" => "Not Found" } fallback => "unknown" add_tag => ["translated"] }',
      [{ status: 200 }, { status: '404' }, { status: 500 }, { other: 1 }]);
    expect(events.map((e) => e.status_text)).toEqual(['OK', 'Not Found', 'unknown', undefined]);
    expect(events.map((e) => e.tags)).toEqual([['translated'], ['translated'], ['translated'], undefined]);
  });

  it('translates in place by default in ECS mode, into [translation] without ECS', async () => {
    const section = 'translate { source => "[http][code]" dictionary => ["200", "OK"] }';
    const ecs = await runFilterSection(section, [{ http: { code: '200' } }]);
    expect(ecs.events[0]).toMatchObject({ http: { code: 'OK' } });
    const legacy = await runFilterSection(section, [{ http: { code: '200' } }], { args: ['--pipeline.ecs_compatibility', 'disabled'] });
    expect(legacy.events[0]).toMatchObject({ http: { code: '200' }, translation: 'OK' });
  });

  it('reads a YAML dictionary file, with regex keys', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-translate-cli-'));
    const path = join(dir, 'codes.yml');
    writeFileSync(path, '"^2\\\\d\\\\d$": success\n"^5\\\\d\\\\d$": error\n');
    const { events } = await runFilterSection(`translate { source => "code" target => "outcome" dictionary_path => "${path}" regex => true }`,
      [{ code: '204' }, { code: '503' }, { code: '404' }]);
    expect(events.map((e) => e.outcome)).toEqual(['success', 'error', undefined]);
  });

  it('rejects a config with both dictionary and dictionary_path at check time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-translate-cli-'));
    const path = join(dir, 'd.json');
    writeFileSync(path, '{"a":"b"}');
    const r = await checkConfig(`filter { translate { source => "a" dictionary => { "x" => "y" } dictionary_path => "${path}" } }`);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/mutually exclusive/);
  });
});
