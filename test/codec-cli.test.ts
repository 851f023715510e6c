// User-visible codec, sprintf, mutate and drop behaviour through the real CLI (built by `npm test`).
import { hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

async function run(config: string, input: string, extra: string[] = []): Promise<string> {
  const r = await runCli(['run', ...extra, '-e', config], { input });
  expect(r.stderr).not.toMatch(/Error|error/);
  expect(r.code).toBe(0);
  return r.stdout;
}

describe('codecs through sluice run', () => {
  it('json_lines in and out keeps floats, integers and big integers as written', async () => {
    const out = await run('input { stdin { codec => json_lines } } output { stdout { codec => json_lines } }',
      '{"@timestamp":"2024-05-01T10:00:00.123456Z","f":1.0,"i":1,"big":12345678901234567890,"x":1.0E20}\nnot json\n');
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('"@timestamp":"2024-05-01T10:00:00.123456Z"');
    expect(lines[0]).toContain('"f":1.0,"i":1,"big":12345678901234567890,"x":1.0E20');
    expect(JSON.parse(lines[1]!)).toMatchObject({ message: 'not json', tags: ['_jsonparsefailure'] });
  });

  it('json codec decodes a top-level array into one event per element', async () => {
    const out = await run('input { stdin { codec => json } } output { stdout { codec => json_lines } }', '[{"a":1},{"a":2}]\n');
    expect(out.trim().split('\n').map((l) => (JSON.parse(l) as { a: number }).a)).toEqual([1, 2]);
  });

  it('json codec adds [event][original] in ECS mode only', async () => {
    const cfg = 'input { stdin { codec => json } } output { stdout { codec => json_lines } }';
    expect(JSON.parse(await run(cfg, '{"a":1}\n'))).toMatchObject({ event: { original: '{"a":1}' } });
    expect(JSON.parse(await run(cfg, '{"a":1}\n', ['--pipeline.ecs_compatibility', 'disabled']))).not.toHaveProperty('event');
  });

  it('line codec writes the sprintf format, with Joda dates in UTC', async () => {
    const out = await run('input { stdin { codec => json_lines } } output { stdout { codec => line { format => "%{message}|%{+yyyy.MM.dd}|%{+%s}|%{[a][b]}|%{missing}" } } }',
      '{"@timestamp":"2013-01-01T00:00:00.000Z","message":"m","a":{"b":[1,2]}}\n');
    expect(out).toBe('m|2013.01.01|1356998400|1,2|%{missing}\n');
  });

  it('rubydebug prints amazing_print layout by default', async () => {
    const out = await run('input { stdin { codec => json_lines } } output { stdout { } }', '{"@timestamp":"2013-01-01T00:00:00.000Z","n":1.5,"t":["x"]}\n');
    expect(out).toBe([
      '{',
      '    "@timestamp" => 2013-01-01T00:00:00.000Z,',
      '      "@version" => "1",',
      '          "host" => {',
      `        "hostname" => "${hostname()}"`,
      '    },',
      '             "n" => 1.5,',
      '             "t" => [',
      '        [0] "x"',
      '    ]',
      '}',
      '',
    ].join('\n'));
  });
});

describe('codec options checked at start-up', () => {
  it('accepts only charset names Logstash knows, with their exact spelling', async () => {
    const ok = await runCli(['run', '-t', '-e', 'input { stdin { codec => line { charset => "CP1252" } } } output { stdout { } }']);
    expect(ok.code).toBe(0);
    const bad = await runCli(['run', '-t', '-e', 'input { stdin { codec => line { charset => "utf8" } } } output { stdout { } }']);
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toContain('invalid value for option `charset` of codec `line`');
  });

  it('refuses an invalid mutate conversion type when the pipeline starts', async () => {
    const r = await runCli(['run', '-e', 'filter { mutate { convert => { "a" => "int" } } } output { stdout { } }'], { input: 'x\n' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Invalid conversion type 'int'");
  });
});

describe('mutate and drop through sluice run', () => {
  it('applies mutate operations in Logstash order and add_field only on success', async () => {
    const out = await run(`input { stdin { codec => json_lines } }
      filter {
        mutate {
          split => { "csv" => "," }
          convert => { "n" => "integer" "f" => "float" }
          rename => { "old" => "new" }
          gsub => [ "msg", "(\\d+)", "<\\1>" ]
          add_field => { "ok" => "%{new}" }
        }
        mutate { convert => { "bad" => "float" } add_tag => [ "never" ] }
      }
      output { stdout { codec => json_lines } }`,
    '{"csv":"a,b,,","n":"1,024","f":"2","old":"v","msg":"a1b22","bad":"x"}\n');
    const e = JSON.parse(out) as Record<string, unknown>;
    expect(e).toMatchObject({ csv: ['a', 'b'], n: 1024, new: 'v', msg: 'a<1>b<22>', ok: 'v', tags: ['_mutate_error'] });
    expect(out).toContain('"f":2.0');
    expect(e).not.toHaveProperty('old');
  });

  it('drops events inside a conditional', async () => {
    const out = await run('input { stdin { } } filter { if [message] =~ /^debug/ { drop { } } } output { stdout { codec => line { format => "%{message}" } } }',
      'keep 1\ndebug x\nkeep 2\n');
    expect(out).toBe('keep 1\nkeep 2\n');
  });
});
