import { testContext } from './helpers/plugin-context.js';
import { describe, expect, it } from 'vitest';
import type { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import type { CodecDefinition, CodecInstance } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import jsonLines from '../src/codecs/json_lines.js';

async function make(opts: Record<string, unknown> = {}, ecs: EcsMode = 'v8'): Promise<CodecInstance> {
  const def = jsonLines as CodecDefinition;
  const ctx = testContext({ ecs, id: 'json_lines' });
  return def.create(withDefaults(def, opts), ctx);
}
function decodeAll(c: CodecInstance, chunks: (string | Buffer)[], end = true): Event[] {
  const out: Event[] = [];
  const d = c.decoder((e) => out.push(e));
  for (const ch of chunks) d.push(ch);
  if (end) d.end();
  return out;
}

describe('json_lines codec decoding', () => {
  it('returns an event from json data', async () => {
    const [e] = decodeAll(await make(), ['{"foo":"bar","baz":{"bah":["a","b","c"]}}\n']);
    expect(e!.get('foo')).toBe('bar');
    expect(e!.get('baz')).toEqual({ bah: ['a', 'b', 'c'] });
  });

  it('waits for the newline before emitting', async () => {
    const c = await make();
    const out: Event[] = [];
    const d = c.decoder((e) => out.push(e));
    d.push('{"foo":"bar"}');
    expect(out).toHaveLength(0);
    d.push('\n');
    expect(out.map((e) => e.get('foo'))).toEqual(['bar']);
  });

  it('reassembles lines and UTF-8 characters split across chunks', async () => {
    const bytes = Buffer.from('{"w":"héllo"}\n{"w":"x"}\n');
    const out = decodeAll(await make(), [bytes.subarray(0, 9), bytes.subarray(9, 18), bytes.subarray(18)]);
    expect(out.map((e) => e.get('w'))).toEqual(['héllo', 'x']);
  });

  it('decodes lines separated by a custom delimiter', async () => {
    const out = decodeAll(await make({ delimiter: '|' }), ['{"hey":1}|{"hey":2}|{"hey":3}|']);
    expect(out.map((e) => e.get('hey'))).toEqual([1, 2, 3]);
  });

  it('falls back to plain text tagged _jsonparsefailure', async () => {
    const [e] = decodeAll(await make(), ["something that isn't json\n"]);
    expect(e!.get('message')).toBe("something that isn't json");
    expect(e!.get('tags')).toEqual(['_jsonparsefailure']);
  });

  it('treats a scalar document as a parse failure', async () => {
    const [e] = decodeAll(await make(), ['123456789\n']);
    expect(e!.get('message')).toBe('123456789');
    expect(e!.hasTag('_jsonparsefailure')).toBe(true);
  });

  it('ignores blank lines', async () => {
    expect(decodeAll(await make(), ['\n\n'])).toHaveLength(0);
    expect(decodeAll(await make(), ['\n{"a":1}\n\n{"b":2}\n\n'])).toHaveLength(2);
  });

  it('decodes the last line without a newline at end of stream only', async () => {
    const c = await make();
    expect(decodeAll(c, ['{"field": "value1"}\n{"field": "value2"}'], false).map((e) => e.get('field'))).toEqual(['value1']);
    expect(decodeAll(c, ['{"field": "value1"}\n{"field": "value2"}']).map((e) => e.get('field'))).toEqual(['value1', 'value2']);
  });

  it('puts the data under target, for every ECS mode', async () => {
    for (const ecs of ['disabled', 'v1', 'v8'] as const) {
      const out = decodeAll(await make({ target: 'foo' }, ecs), ['{"field": "value1"}\n{"field": 2.0}\n']);
      expect(out[0]!.includes('field')).toBe(false);
      expect(out[0]!.get('foo')).toEqual({ field: 'value1' });
      expect(out[1]!.get('[foo][field]')).toEqual(new LsFloat(2));
      expect(out[1]!.toJSON()).toContain('"foo":{"field":2.0}');
    }
  });

  it('adds no [event][original], even in ECS mode', async () => {
    const [e] = decodeAll(await make({}, 'v8'), ['{"a":1}\n']);
    expect(e!.includes('[event][original]')).toBe(false);
  });

  it('keeps integers and floats apart and big integers exact', async () => {
    const [e] = decodeAll(await make(), ['{"i":10,"f":10.0,"e":1e3,"big":12345678901234567890,"neg":-9007199254740993,"s":"1.5"}\n']);
    expect(e!.get('i')).toBe(10);
    expect(e!.get('f')).toEqual(new LsFloat(10));
    expect(e!.get('e')).toEqual(new LsFloat(1000));
    expect(e!.get('big')).toBe(12345678901234567890n);
    expect(e!.get('neg')).toBe(-9007199254740993n);
    expect(e!.get('s')).toBe('1.5');
    expect(e!.toJSON()).toContain('"i":10,"f":10.0,"e":1000.0,"big":12345678901234567890,"neg":-9007199254740993,"s":"1.5"');
  });

  it('parses @timestamp and tags an unparsable one', async () => {
    const [ok, bad] = decodeAll(await make(), ['{"@timestamp":"2015-12-07T11:37:00.000Z"}\n{"@timestamp":"nope"}\n']);
    expect(ok!.timestamp.toString()).toBe('2015-12-07T11:37:00.000Z');
    expect(bad!.get('_@timestamp')).toBe('nope');
    expect(bad!.hasTag('_timestampparsefailure')).toBe(true);
  });

  it('makes one event per element of an array line', async () => {
    expect(decodeAll(await make(), ['[{"a":1},{"a":2}]\n']).map((e) => e.get('a'))).toEqual([1, 2]);
  });

  it('escapes invalid UTF-8 as Ruby inspect does', async () => {
    const [e] = decodeAll(await make(), [Buffer.from([0x61, 0xff, 0x62, 0x0a])]);
    expect(e!.get('message')).toBe('a\\xFFb');
    expect(e!.hasTag('_jsonparsefailure')).toBe(true);
  });

  it('converts other charsets to UTF-8', async () => {
    const [e] = decodeAll(await make({ charset: 'ISO-8859-1' }), [Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d, 0x0a])]);
    expect(e!.get('a')).toBe('é');
  });

  it('calls the stream fields hook on every event', async () => {
    const c = await make();
    const out: Event[] = [];
    const d = c.decoder((e) => out.push(e), { key: 's', fields: (e) => e.set('[host][ip]', '127.0.0.1') });
    d.push('{"a":1}\nbroken\n');
    expect(out.map((e) => e.get('[host][ip]'))).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('decodes a whole frame, last line included', async () => {
    const c = await make();
    const out: Event[] = [];
    c.decodeFrame!('{"a":1}\n{"a":2}', (e) => out.push(e));
    expect(out.map((e) => e.get('a'))).toEqual([1, 2]);
  });

  it('cuts a line longer than decode_size_limit_bytes', async () => {
    // Like Logstash's tokenizer, the limit applies to a line held across reads.
    const out = decodeAll(await make({ decode_size_limit_bytes: 10 }), ['{"a":"01234', '56789"}\n']);
    expect(out.length).toBeGreaterThan(1);
    expect(out.every((e) => e.hasTag('_jsonparsefailure'))).toBe(true);
  });

  it('rejects an unknown charset at start-up', async () => {
    await expect(make({ charset: 'EBCDIC-XYZ' })).rejects.toThrow(/charset/);
  });
});

describe('json_lines codec encoding', () => {
  it('writes compact JSON and the delimiter', async () => {
    const c = await make();
    const [e] = decodeAll(c, ['{"@timestamp":"2015-12-07T11:37:00.000Z","foo":"bar","baz":{"bah":["a","b","c"]}}\n']);
    expect(c.encode(e!)).toBe('{"@timestamp":"2015-12-07T11:37:00.000Z","foo":"bar","baz":{"bah":["a","b","c"]},"@version":"1"}\n');
    const pipe = await make({ delimiter: '|' });
    expect(String(pipe.encode(e!)).endsWith('}|')).toBe(true);
  });

  it('never writes @metadata', async () => {
    const c = await make();
    const [e] = decodeAll(c, ['{"a":1,"@metadata":{"secret":"x"}}\n']);
    expect(e!.get('[@metadata][secret]')).toBe('x');
    expect(String(c.encode(e!))).not.toContain('secret');
  });

  it('round-trips floats, big integers and nanosecond timestamps', async () => {
    const c = await make();
    const line = '{"@timestamp":"2024-05-01T10:00:00.123456789Z","f":0.1,"w":3.0,"x":1.0E20,"n":123456789012345678901234567890,"@version":"1"}';
    const [e] = decodeAll(c, [line + '\n']);
    expect(c.encode(e!)).toBe(line + '\n');
  });
});
