// Examples of logstash-codec-json's spec (spec/codecs/json_spec.rb) not already in codec-json.test.ts, with
// its expected values, and the codec's failure path (lib/logstash/codecs/json.rb#parse_json).
// Not ported: "should be fast" (a benchmark).
import { describe, expect, it } from 'vitest';
import type { Event } from '../src/event/event.js';
import json from '../src/codecs/json.js';
import { withDefaults } from '../src/plugins/context.js';
import type { EcsMode } from '../src/plugins/options.js';
import { testContext, type TestContext } from './helpers/plugin-context.js';
import { jsonLines, runCli } from './helpers/cli.js';

async function decode(text: string | Buffer, opts: Record<string, unknown> = {}, ecs: EcsMode = 'disabled'): Promise<{ events: Event[]; ctx: TestContext }> {
  const ctx = testContext({ ecs, id: 'json' }, 'codec', 'json');
  const c = await json.create(withDefaults(json, opts), ctx);
  const events: Event[] = [];
  c.decodeFrame!(text, (e) => events.push(e));
  return { events, ctx };
}

describe('json_spec.rb #decode', () => {
  it('falls back to plain text', async () => {
    const { events } = await decode("something that isn't json");
    expect(events).toHaveLength(1);
    expect(events[0]!.get('message')).toBe("something that isn't json");
    expect(events[0]!.get('tags')).toEqual(['_jsonparsefailure']);
  });

  // LogStash::Json.dump of each value: 123, "hello", "-1", " ".
  for (const valueJson of ['123', '"hello"', '"-1"', '" "']) {
    it(`scalar value ${valueJson}: stored in message, tagged`, async () => {
      const { events } = await decode(valueJson);
      expect(events).toHaveLength(1);
      expect(events[0]!.get('message')).toBe(valueJson);
      expect(events[0]!.get('tags')).toContain('_jsonparsefailure');
    });
  }

  it('an array root yields one event per object, in order', async () => {
    const { events } = await decode(JSON.stringify([{ foo: 'bar' }, { foo: 'baz' }]));
    expect(events.map((e) => e.get('foo'))).toEqual(['bar', 'baz']);
  });

  it('weird binary blobs fall back to plain text without crashing (LOGSTASH-1595)', async () => {
    const blob = Buffer.from(Array.from({ length: 128 }, (_, i) => 128 + i));
    const { events } = await decode(blob);
    expect(events).toHaveLength(1);
    expect(typeof events[0]!.get('message')).toBe('string');
    expect(events[0]!.get('tags')).toEqual(['_jsonparsefailure']);
  });

  it('logs the parse error at error level', async () => {
    const { ctx } = await decode('random_message');
    expect(ctx.logs.some((l) => l.level === 'error' && l.msg === 'JSON parse error, original data now in message field')).toBe(true);
  });

  for (const ecs of ['disabled', 'v1', 'v8'] as const) {
    describe(`ecs_compatibility => ${ecs}`, () => {
      const json1 = '{ "foo": "bar", "baz": { "0": [1, 2, 3], "1": true } } ';
      it('with target: one event, data under [root], [event][original] in ECS mode only', async () => {
        const { events } = await decode(json1, { target: 'root' }, ecs);
        expect(events).toHaveLength(1);
        const e = events[0]!;
        expect(e.includes('foo')).toBe(false);
        expect(e.includes('baz')).toBe(false);
        expect(e.get('[root][foo]')).toBe('bar');
        expect((e.get('[root][baz]') as Record<string, unknown>)['1']).toBe(true);
        if (ecs === 'disabled') expect(e.get('[event][original]')).toBeUndefined();
        else expect(e.get('[event][original]')).toBe(json1);
      });

      it('with target, an array: several events, no [event][original]', async () => {
        const { events } = await decode('[ {"foo": "bar"}, {"baz": { "v": 1.0 } }, {}]', { target: 'root' }, ecs);
        expect(events).toHaveLength(3);
        expect(events[0]!.get('[root][foo]')).toBe('bar');
        expect(JSON.parse(events[1]!.toJSON()).root).toEqual({ baz: { v: 1.0 } });
        for (const e of events) {
          expect(e.includes('foo')).toBe(false);
          expect(e.includes('[event][original]')).toBe(false);
        }
      });

      it('a decoded [event][original] is not overwritten', async () => {
        const { events } = await decode(' { "foo": "bar", "baz": { "0": [1, 2, 3], "1": true }, "event" : { "original" : "actual_original" } } ', {}, ecs);
        expect(events).toHaveLength(1);
        expect(events[0]!.get('[event][original]')).toBe('actual_original');
      });

      it('with target, invalid text is kept in message at the top level', async () => {
        const { events } = await decode('nope', { target: 'root' }, ecs);
        expect(events[0]!.toObject()).toMatchObject({ message: 'nope', tags: ['_jsonparsefailure'] });
        expect(events[0]!.includes('root')).toBe(false);
      });
    });
  }
});

describe('json codec through the CLI', () => {
  it('invalid documents become message + _jsonparsefailure events between valid ones', async () => {
    const cfg = 'input { stdin { codec => json { ecs_compatibility => disabled } } } output { stdout { codec => json_lines } }';
    const r = await runCli(['run', '-e', cfg], { input: '{"a":1}\nnot json at all\n123\n{"a":2}\n' });
    expect(r.code).toBe(0);
    const out = jsonLines(r.stdout);
    expect(out.map((e) => e.a ?? e.message)).toEqual([1, 'not json at all', '123', 2]);
    expect(out[1]).toMatchObject({ tags: ['_jsonparsefailure'] });
    expect(out[2]).toMatchObject({ tags: ['_jsonparsefailure'] });
    expect(out[0]!.tags).toBeUndefined();
  });
});
