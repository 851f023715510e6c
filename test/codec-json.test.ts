import { testContext } from './helpers/plugin-context.js';
import { describe, expect, it } from 'vitest';
import type { Event } from '../src/event/event.js';
import type { CodecDefinition, CodecInstance } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import json from '../src/codecs/json.js';

async function make(opts: Record<string, unknown> = {}, ecs: EcsMode = 'v8'): Promise<CodecInstance> {
  const def = json as CodecDefinition;
  const ctx = testContext({ ecs, id: 'json' });
  return def.create(withDefaults(def, opts), ctx);
}
function frame(c: CodecInstance, text: string | Buffer): Event[] {
  const out: Event[] = [];
  c.decodeFrame!(text, (e) => out.push(e));
  return out;
}
function stream(c: CodecInstance, chunks: string[]): Event[] {
  const out: Event[] = [];
  const d = c.decoder((e) => out.push(e));
  for (const ch of chunks) d.push(ch);
  d.end();
  return out;
}

describe('json codec', () => {
  it('returns an event from json data', async () => {
    const [e] = frame(await make(), '{"foo":"bar","baz":{"bah":["a","b","c"]}}');
    expect(e!.get('foo')).toBe('bar');
    expect(e!.get('[baz][bah]')).toEqual(['a', 'b', 'c']);
  });

  it('makes one event per element of a top-level array', async () => {
    const out = frame(await make(), '[{"order":12,"amount":23.4},{"order":13,"amount":12.4}]');
    expect(out.map((e) => e.get('order'))).toEqual([12, 13]);
    expect(out.map((e) => e.toJSON().includes('"amount":23.4') || e.toJSON().includes('"amount":12.4'))).toEqual([true, true]);
  });

  it('falls back to plain text tagged _jsonparsefailure', async () => {
    const [e] = frame(await make(), '{ error in json}');
    expect(e!.get('message')).toBe('{ error in json}');
    expect(e!.get('tags')).toEqual(['_jsonparsefailure']);
  });

  it('treats a scalar or an array of scalars as a failure', async () => {
    for (const text of ['123456789', '"a string"', '[1,2]', 'true']) {
      const out = frame(await make(), text);
      expect(out).toHaveLength(1);
      expect(out[0]!.get('message')).toBe(text);
      expect(out[0]!.hasTag('_jsonparsefailure')).toBe(true);
    }
  });

  it('makes no event from blank data', async () => {
    expect(frame(await make(), '  \n ')).toHaveLength(0);
  });

  it('adds [event][original] in ECS mode for a single event only', async () => {
    const text = '{"a":1}';
    expect(frame(await make({}, 'v8'), text)[0]!.get('[event][original]')).toBe(text);
    expect(frame(await make({}, 'v1'), text)[0]!.get('[event][original]')).toBe(text);
    expect(frame(await make({}, 'disabled'), text)[0]!.includes('[event][original]')).toBe(false);
    const two = frame(await make({}, 'v8'), '[{"a":1},{"a":2}]');
    expect(two.some((e) => e.includes('[event][original]'))).toBe(false);
    const one = frame(await make({}, 'v8'), '[{"a":1}]');
    expect(one[0]!.get('[event][original]')).toBe('[{"a":1}]');
  });

  it('does not overwrite a decoded [event][original]', async () => {
    const [e] = frame(await make({}, 'v8'), '{"event":{"original":"mine"}}');
    expect(e!.get('[event][original]')).toBe('mine');
  });

  it('does not add [event][original] to a failure event', async () => {
    const [e] = frame(await make({}, 'v8'), 'nope');
    expect(e!.includes('[event][original]')).toBe(false);
  });

  it('puts decoded data under target', async () => {
    const [e] = frame(await make({ target: '[doc]' }, 'disabled'), '{"a":{"b":1},"@timestamp":"2020-01-01T00:00:00Z"}');
    expect(e!.get('[doc][a][b]')).toBe(1);
    expect(e!.get('[doc][@timestamp]')).toBe('2020-01-01T00:00:00Z');
    expect(e!.includes('a')).toBe(false);
  });

  it('splits a stream into documents, pretty-printed ones included', async () => {
    const out = stream(await make({}, 'disabled'), ['{"a":1}{"a":', '2}\n[{"a":3},\n {"a":"}{"}]\n  {\n  "a": 5\n}\nnot json\n{"a":6}']);
    expect(out.map((e) => e.get('a') ?? e.get('message'))).toEqual([1, 2, 3, '}{', 5, 'not json', 6]);
    expect(out[5]!.hasTag('_jsonparsefailure')).toBe(true);
  });

  it('decodes an unfinished document at end of stream (as a failure)', async () => {
    const out = stream(await make({}, 'disabled'), ['{"a":']);
    expect(out).toHaveLength(1);
    expect(out[0]!.get('message')).toBe('{"a":');
    expect(out[0]!.hasTag('_jsonparsefailure')).toBe(true);
  });

  it('encodes compact JSON without a trailing newline', async () => {
    const c = await make();
    const [e] = frame(c, '{"@timestamp":"2015-05-28T23:02:05.350Z","foo":"bar","bar":1,"baz":1.0}');
    expect(c.encode(e!)).toBe('{"@timestamp":"2015-05-28T23:02:05.350Z","foo":"bar","bar":1,"baz":1.0,"@version":"1","event":{"original":"{\\"@timestamp\\":\\"2015-05-28T23:02:05.350Z\\",\\"foo\\":\\"bar\\",\\"bar\\":1,\\"baz\\":1.0}"}}');
  });

  it('serializes null values as null', async () => {
    const c = await make({}, 'disabled');
    const [e] = frame(c, '{"null_value":null,"@timestamp":"2015-05-28T23:02:05.350Z"}');
    expect(JSON.parse(String(c.encode(e!)))).toEqual({ null_value: null, '@timestamp': '2015-05-28T23:02:05.350Z', '@version': '1' });
  });
});
