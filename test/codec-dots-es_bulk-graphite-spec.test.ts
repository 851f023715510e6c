// Ports of logstash-codec-dots (spec/codecs/dots_spec.rb), logstash-codec-es_bulk (spec/codecs/es_bulk_spec.rb)
// and logstash-codec-graphite (spec/codecs/graphite_spec.rb). The graphite spec uses random names and values;
// fixed ones stand in for them here.
import { describe, expect, it } from 'vitest';
import dots from '../src/codecs/dots.js';
import esBulk from '../src/codecs/es_bulk.js';
import graphite, { rubyToF } from '../src/codecs/graphite.js';
import { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import type { CodecDefinition, CodecInstance } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { createPlugin, testContext, type TestContext } from './helpers/plugin-context.js';

async function codec(def: CodecDefinition, opts: Record<string, unknown> = {}, ecs: EcsMode = 'v8', ctx?: TestContext): Promise<CodecInstance> {
  return createPlugin(def, opts, ctx ?? testContext({ ecs }, 'codec', def.name));
}

function decodeAll(c: CodecInstance, ...chunks: string[]): Event[] {
  const out: Event[] = [];
  const d = c.decoder((e) => out.push(e));
  for (const ch of chunks) d.push(ch);
  d.end();
  return out;
}

describe('dots codec (dots_spec.rb)', () => {
  it('encodes an event as a dot', async () => {
    expect((await codec(dots)).encode(new Event({ name: 'foo' }))).toBe('.');
  });
  it('refuses to decode', async () => {
    const c = await codec(dots);
    expect(() => c.decoder(() => {})).toThrow(/only encode/);
  });
});

describe('es_bulk codec (es_bulk_spec.rb)', () => {
  const data = [
    '      { "index" : { "_index" : "test", "_type" : "type1", "_id" : "1" } }',
    '      { "field1" : "value1" }',
    '      { "delete" : { "_index" : "test", "_type" : "type1", "_id" : "2" } }',
    '      { "create" : { "_index" : "test", "_type" : "type1", "_id" : "3" } }',
    '      { "field1" : "value3" }',
    '      { "update" : {"_id" : "1", "_type" : "type1", "_index" : "index1"} }',
    '      { "doc" : {"field2" : "value2"} }',
    '',
  ].join('\n');

  for (const ecs of ['v1', 'v8'] as const) {
    it(`returns 4 events from bulk data, metadata in [@metadata][codec][es_bulk] (ecs ${ecs})`, async () => {
      const events = decodeAll(await codec(esBulk, {}, ecs), data);
      expect(events).toHaveLength(4);
      const m = '[@metadata][codec][es_bulk]';
      expect(events.map((e) => [e.get(`${m}[_id]`), e.get(`${m}[action]`)])).toEqual([['1', 'index'], ['2', 'delete'], ['3', 'create'], ['1', 'update']]);
      expect(events[0]!.get('field1')).toBe('value1');
      expect(events[0]!.get(`${m}[_index]`)).toBe('test');
      expect(events[0]!.get(`${m}[_type]`)).toBe('type1');
      expect(events[1]!.get('field1')).toBeUndefined();
      expect(events[2]!.get('field1')).toBe('value3');
      expect(events[3]!.get('[doc][field2]')).toBe('value2');
      expect(events[3]!.get(`${m}[_index]`)).toBe('index1');
    });
  }

  it('puts the action metadata at the top of @metadata with ECS disabled', async () => {
    const events = decodeAll(await codec(esBulk, {}, 'disabled'), data);
    expect(events).toHaveLength(4);
    expect(events[0]!.metadata).toEqual({ _index: 'test', _type: 'type1', _id: '1', action: 'index' });
    expect(events[1]!.metadata).toEqual({ _index: 'test', _type: 'type1', _id: '2', action: 'delete' });
  });

  it('puts the document under target when set', async () => {
    const events = decodeAll(await codec(esBulk, { target: '[doc]' }), '{"index":{"_id":"9"}}\n{"a":1}\n');
    expect(events).toHaveLength(1);
    expect(events[0]!.get('[doc][a]')).toBe(1);
    expect(events[0]!.get('a')).toBeUndefined();
    expect(events[0]!.get('[@metadata][codec][es_bulk][_id]')).toBe('9');
  });

  it('decodes lines split across chunks', async () => {
    const events = decodeAll(await codec(esBulk), '{"index":{"_id"', ':"1"}}\n{"f":', '"v"}\n');
    expect(events).toHaveLength(1);
    expect(events[0]!.get('f')).toBe('v');
  });

  for (const ecs of ['disabled', 'v1', 'v8'] as const) {
    it(`makes no event from a line that is not bulk JSON, logs it and continues (ecs ${ecs})`, async () => {
      const ctx = testContext({ ecs }, 'codec', 'es_bulk');
      const c = await codec(esBulk, {}, ecs, ctx);
      expect(decodeAll(c, "something that isn't a bulk event\n")).toEqual([]);
      expect(ctx.logs.some((l) => l.level === 'error' && /JSON parse failure/.test(l.msg))).toBe(true);
      expect(decodeAll(c, "nope\n", '{"index":{"_id":"1"}}\n{"a":1}\n')).toHaveLength(1);
    });
  }

  it('does not encode', async () => {
    const c = await codec(esBulk);
    expect(() => c.encode(new Event())).toThrow();
  });
});

describe('graphite codec (graphite_spec.rb)', () => {
  const ts = 1_700_000_000;
  it('returns an event from a single full graphite line', async () => {
    const [e, ...rest] = decodeAll(await codec(graphite), `abc1xz 345.6789 ${ts}\n`);
    expect(rest).toEqual([]);
    expect(e!.get('abc1xz')).toEqual(new LsFloat(345.6789));
    expect(e!.timestamp.epochMs).toBe(ts * 1000);
  });

  it('returns multiple events given multiple graphite lines', async () => {
    const events = decodeAll(await codec(graphite), `a 1.5 ${ts}\nb 2 ${ts + 1}\nc 3.25 ${ts + 2}\n`);
    expect(events.map((e) => Object.keys(e.data).filter((k) => !k.startsWith('@')))).toEqual([['a'], ['b'], ['c']]);
    expect(events[1]!.get('b')).toEqual(new LsFloat(2));
    expect(events[2]!.timestamp.epochMs).toBe((ts + 2) * 1000);
  });

  it('returns no event until the newline is hit', async () => {
    const out: Event[] = [];
    const d = (await codec(graphite)).decoder((e) => out.push(e));
    d.push(`name 12.5 ${ts}`);
    expect(out).toHaveLength(0);
    d.push('\n');
    expect(out).toHaveLength(1);
    expect(out[0]!.get('name')).toEqual(new LsFloat(12.5));
  });

  it('emits a graphite formatted line', async () => {
    const c = await codec(graphite, { metrics: { 'abc': 123.456 } });
    expect(c.encode(new Event({ '@timestamp': '2023-11-14T22:13:20Z' }))).toBe(`abc 123.456 ${ts}\n`);
  });

  it('treats fields as metrics when fields_are_metrics is set, even if metrics is set', async () => {
    for (const metrics of [{}, { foo: 4 }]) {
      const c = await codec(graphite, { fields_are_metrics: true, metrics });
      const e = new Event({ xyz: 123.456, '@timestamp': '2023-11-14T22:13:20Z' });
      expect(c.encode(e)).toBe(`xyz 123.456 ${ts}\n`);
    }
  });

  it('changes the metric name format when metrics_format is set', async () => {
    const c = await codec(graphite, { metrics: { abc: 123.456 }, metrics_format: 'foo.bar.*.baz' });
    expect(c.encode(new Event({ '@timestamp': '2023-11-14T22:13:20Z' }))).toBe(`foo.bar.abc.baz 123.456 ${ts}\n`);
  });

  it('supports dynamic strings in metrics_format', async () => {
    const c = await codec(graphite, { metrics: { abc: 123.456 }, metrics_format: '%{host}.foo.bar.*.baz' });
    expect(c.encode(new Event({ host: 'localhost', '@timestamp': '2023-11-14T22:13:20Z' }))).toBe(`localhost.foo.bar.abc.baz 123.456 ${ts}\n`);
  });

  it('sprintfs names and values, writes floats as Ruby does, skips unresolved names by default', async () => {
    const c = await codec(graphite, { metrics: { '%{host}.load': '%{load}', '%{nope}.x': '1', 'count': '%{n}', 'text': 'abc' } });
    const out = c.encode(new Event({ host: 'h1', load: 2, n: '7 apples', '@timestamp': '2023-11-14T22:13:20Z' }));
    expect(out).toBe(`h1.load 2.0 ${ts}\ncount 7.0 ${ts}\ntext 0.0 ${ts}\n`);
  });

  it('honours include_metrics and exclude_metrics', async () => {
    const c = await codec(graphite, { fields_are_metrics: true, include_metrics: ['^cpu'], exclude_metrics: ['idle$'] });
    const out = c.encode(new Event({ cpu_user: 1, cpu_idle: 2, mem: 3, '@timestamp': '2023-11-14T22:13:20Z' }));
    expect(out).toBe(`cpu_user 1.0 ${ts}\n`);
  });

  it("parses values as Ruby's String#to_f", () => {
    expect([rubyToF('1.5'), rubyToF(' -2e3x'), rubyToF('abc'), rubyToF('1_000'), rubyToF('.5')]).toEqual([1.5, -2000, 0, 1000, 0.5]);
  });
});
