import { testContext } from './helpers/plugin-context.js';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import type { CodecDefinition, CodecInstance } from '../src/plugins/api.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import rubydebug, { rubyInspect } from '../src/codecs/rubydebug.js';

async function make(opts: Record<string, unknown> = {}): Promise<CodecInstance> {
  const d = rubydebug as CodecDefinition;
  const ctx = testContext({ ecs: 'v8', id: 'rubydebug' });
  return d.create(withDefaults(d, opts), ctx);
}

describe('rubydebug codec', () => {
  it('lays an event out as amazing_print does, keys sorted and right-aligned', async () => {
    const e = new Event({ '@timestamp': '2021-03-01T09:12:58.054Z', message: '123456789', tags: ['_jsonparsefailure'], host: 'localhost.localdomain' });
    expect((await make()).encode(e)).toBe([
      '{',
      '    "@timestamp" => 2021-03-01T09:12:58.054Z,',
      '      "@version" => "1",',
      '          "host" => "localhost.localdomain",',
      '       "message" => "123456789",',
      '          "tags" => [',
      '        [0] "_jsonparsefailure"',
      '    ]',
      '}',
      '',
    ].join('\n'));
  });

  it('nests hashes and arrays with their own alignment', async () => {
    const e = new Event({
      '@timestamp': '2020-01-01T00:00:00Z',
      host: { hostname: 'box', ip: ['10.0.0.1'] },
      n: null, f: new LsFloat(2), big: 10n ** 20n, ok: true, empty: [], none: {},
      list: Array.from({ length: 11 }, (_, i) => i),
      objs: [{ a: 1 }],
    });
    const out = String((await make()).encode(e));
    expect(out).toBe([
      '{',
      '    "@timestamp" => 2020-01-01T00:00:00.000Z,',
      '      "@version" => "1",',
      '           "big" => 100000000000000000000,',
      '         "empty" => [],',
      '             "f" => 2.0,',
      '          "host" => {',
      '        "hostname" => "box",',
      '              "ip" => [',
      '            [0] "10.0.0.1"',
      '        ]',
      '    },',
      '          "list" => [',
      ...Array.from({ length: 11 }, (_, i) => `        [${String(i).padStart(2)}] ${i}${i < 10 ? ',' : ''}`),
      '    ],',
      '             "n" => nil,',
      '          "none" => {},',
      '          "objs" => [',
      '        [0] {',
      '            "a" => 1',
      '        }',
      '    ],',
      '            "ok" => true',
      '}',
      '',
    ].join('\n'));
  });

  it('prints @metadata only with metadata => true', async () => {
    const e = new Event({ '@timestamp': '2020-01-01T00:00:00Z', '@metadata': { k: 'v' } });
    expect(String((await make()).encode(e))).not.toContain('@metadata');
    expect(String((await make({ metadata: true })).encode(e))).toContain('    "@metadata" => {\n        "k" => "v"\n    },');
  });

  it('inspects strings with Ruby escapes', () => {
    expect(rubyInspect('a"b\\c\nd\te#{x} #y é\u0001')).toBe('"a\\"b\\\\c\\nd\\te\\#{x} #y é\\u0001"');
  });

  it('prints floats as Ruby does', async () => {
    const e = new Event({ '@timestamp': '2020-01-01T00:00:00Z', a: new LsFloat(1e20), b: new LsFloat(0.0001), c: new LsFloat(1.5) });
    const out = String((await make()).encode(e));
    expect(out).toContain('"a" => 1.0e+20,');
    expect(out).toContain('"b" => 0.0001,');
    expect(out).toContain('"c" => 1.5');
  });

  it('cannot decode', async () => {
    const c = await make();
    expect(() => c.decoder(() => {})).toThrow(/only encode/);
  });
});
