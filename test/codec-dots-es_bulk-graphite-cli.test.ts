// dots, es_bulk and graphite codecs through the real CLI (built by `npm test`).
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './helpers/cli.js';

async function run(config: string, input: string, extra: string[] = []): Promise<string> {
  const r = await runCli(['run', ...extra, '-e', config], { input });
  expect(r.stderr).not.toMatch(/Error|error/);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('dots, es_bulk and graphite through sluice run', () => {
  it('dots prints one dot per event', async () => {
    const out = await run('input { stdin { codec => json_lines } } output { stdout { codec => dots } }', '{"a":1}\n{"a":2}\n{"a":3}\n');
    expect(out).toBe('...');
  });

  it('es_bulk decodes documents with their action in @metadata', async () => {
    const out = await run(
      'input { stdin { codec => es_bulk } } filter { mutate { add_field => { "op" => "%{[@metadata][codec][es_bulk][action]}" "doc_id" => "%{[@metadata][codec][es_bulk][_id]}" } } } output { stdout { codec => json_lines } }',
      '{"index":{"_index":"test","_id":"1"}}\n{"field1":"value1"}\n{"delete":{"_index":"test","_id":"2"}}\n');
    const events = jsonLines(out);
    expect(events.map((e) => [e.op, e.doc_id, e.field1])).toEqual([['index', '1', 'value1'], ['delete', '2', undefined]]);
    expect(events[0]).not.toHaveProperty('@metadata');
  });

  it('es_bulk with ECS disabled puts the action at the top of @metadata', async () => {
    const out = await run(
      'input { stdin { codec => es_bulk } } filter { mutate { add_field => { "idx" => "%{[@metadata][_index]}" } } } output { stdout { codec => json_lines } }',
      '{"create":{"_index":"logs","_id":"3"}}\n{"x":1}\n', ['--pipeline.ecs_compatibility', 'disabled']);
    expect(jsonLines(out)).toMatchObject([{ idx: 'logs', x: 1 }]);
  });

  it('graphite decodes metric lines and encodes metrics', async () => {
    const out = await run('input { stdin { codec => graphite } } output { stdout { codec => json_lines } }', 'foo.bar 42.5 1700000000\n');
    expect(jsonLines(out)).toMatchObject([{ 'foo.bar': 42.5, '@timestamp': '2023-11-14T22:13:20.000Z' }]);
    const enc = await run('input { stdin { codec => json_lines } } output { stdout { codec => graphite { metrics => { "%{host}.load" => "%{load}" } metrics_format => "servers.*" } } }',
      '{"@timestamp":"2023-11-14T22:13:20Z","host":"web1","load":1.25}\n');
    expect(enc).toBe('servers.web1.load 1.25 1700000000\n');
  });
});
