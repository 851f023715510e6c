// Examples of logstash-filter-json's spec (spec/filters/json_spec.rb), with its expected values, and
// behaviours of its filter code (lib/logstash/filters/json.rb) beyond them.
// Not ported: "unsupported field name using `target`" / "without target" only run on Logstash 7.0–8.2
// (field references accept such names since 8.3; sluice follows 8.3+, see the last test here).
import { describe, expect, it } from 'vitest';
import json from '../src/filters/json.js';
import { LsFloat } from '../src/event/values.js';
import { Timestamp } from '../src/event/timestamp.js';
import { filterRun, runFilter } from './helpers/run-filter.js';
import { jsonLines, runCli } from './helpers/cli.js';

const DOC = '{ "hello": "world", "list": [ 1, 2, 3 ], "hash": { "k": "v" } }';

describe('json_spec.rb', () => {
  it('parses message into the event', async () => {
    const e = await runFilter(json, { source: 'message' }, DOC);
    expect(e.get('hello')).toBe('world');
    expect(e.get('list')).toEqual([1, 2, 3]);
    expect(e.get('hash')).toEqual({ k: 'v' });
  });

  it('parses message into a target field', async () => {
    const e = await runFilter(json, { source: 'message', target: 'data' }, DOC);
    expect(e.get('data')).toEqual({ hello: 'world', list: [1, 2, 3], hash: { k: 'v' } });
  });

  it('tags invalid json with every tag_on_failure', async () => {
    const e = await runFilter(json, { source: 'message', target: 'data', tag_on_failure: ['_jsonparsefailure', '_custom_failure_tag'] }, 'invalid json');
    expect(e.get('tags')).toEqual(['_jsonparsefailure', '_custom_failure_tag']);
  });

  it('fixing @timestamp (#pull 733)', async () => {
    const e = await runFilter(json, { source: 'message' }, '{ "@timestamp": "2013-10-19T00:14:32.996Z" }');
    expect(e.get('@timestamp')).toBeInstanceOf(Timestamp);
    expect(e.toJSON()).toContain('"@timestamp":"2013-10-19T00:14:32.996Z"');
  });

  it('source == target', async () => {
    const e = await runFilter(json, { source: 'example', target: 'example' }, { example: '{ "hello": "world" }' });
    expect(e.get('example')).toEqual({ hello: 'world' });
  });

  it('parses a JSON array into a target field', async () => {
    const e = await runFilter(json, { source: 'message', target: 'data' }, '[ { "k": "v" }, { "l": [1, 2, 3] } ]');
    expect(e.get('data')).toEqual([{ k: 'v' }, { l: [1, 2, 3] }]);
  });

  it('json that cannot be parsed: the failure tag, in an array', async () => {
    const e = await runFilter(json, { source: 'message' }, 'random_message');
    expect(e.get('tags')).toEqual(['_jsonparsefailure']);
  });

  it('keeps the former tags next to the failure tag', async () => {
    const e = await runFilter(json, { source: 'message' }, { message: 'random_message', tags: ['_anotherkinfoffailure'] });
    expect(e.get('tags')).toEqual(['_anotherkinfoffailure', '_jsonparsefailure']);
  });

  it('a top-level array without target is a failure', async () => {
    const e = await runFilter(json, { source: 'message' }, '[1, 2, 3]');
    expect(e.get('tags')).toContain('_jsonparsefailure');
  });

  it('a valid @timestamp becomes the event timestamp', async () => {
    const e = await runFilter(json, { source: 'message' }, '{"foo":"bar", "@timestamp":"2015-12-02T17:40:00.666Z"}');
    expect(e.timestamp.toString()).toBe('2015-12-02T17:40:00.666Z');
    expect(e.get('foo')).toBe('bar');
  });

  it('an invalid @timestamp: current time, _timestampparsefailure, value in _@timestamp', async () => {
    const before = Date.now();
    const e = await runFilter(json, { source: 'message' }, '{"foo":"bar", "@timestamp":"foobar"}');
    expect(e.timestamp).toBeInstanceOf(Timestamp);
    expect(e.timestamp.epochMs).toBeGreaterThanOrEqual(before);
    expect(e.get('tags')).toContain('_timestampparsefailure');
    expect(e.get('_@timestamp')).toBe('foobar');
  });

  it('no target in ECS mode works (and logs the target hint); a target keeps the top level clean', async () => {
    const r = await filterRun(json, { source: 'message' }, 'v1');
    expect((await r.run(' { "foo": "bar" } ')).get('foo')).toBe('bar');
    expect(r.ctx.logs.some((l) => l.level === 'info' && l.msg.startsWith('ECS compatibility is enabled but `target`'))).toBe(true);
    const t = await filterRun(json, { source: 'message', target: '[baz]' }, 'v1');
    const e = await t.run(' { "foo": "bar" } ');
    expect(e.includes('foo')).toBe(false);
    expect(e.get('baz')).toEqual({ foo: 'bar' });
    expect(t.ctx.logs.some((l) => l.level === 'info')).toBe(false);
  });

  describe('mixture of json and non-json content (skip_on_invalid_json)', () => {
    const message = 'this is not a json message';
    it('false: warns, keeps the source (remove_field not applied), tags', async () => {
      const r = await filterRun(json, { source: 'message', remove_field: ['message'], skip_on_invalid_json: false });
      const e = await r.run(message);
      expect(r.ctx.logs.some((l) => l.level === 'warn' && l.msg === 'Error parsing json')).toBe(true);
      expect(e.get('message')).toBe(message);
      expect(e.get('tags')).toEqual(['_jsonparsefailure']);
    });
    it('true: no warning, source kept, no tag', async () => {
      const r = await filterRun(json, { source: 'message', remove_field: ['message'], skip_on_invalid_json: true });
      const e = await r.run(message);
      expect(r.ctx.logs.filter((l) => l.level === 'warn')).toEqual([]);
      expect(e.get('message')).toBe(message);
      expect(e.get('tags')).toBeUndefined();
    });
  });
});

describe('json filter (json.rb behaviours)', () => {
  it('a missing source does nothing (no tag, common options not applied)', async () => {
    const e = await runFilter(json, { source: 'nope', add_tag: ['x'] }, 'whatever');
    expect(e.get('tags')).toBeUndefined();
  });

  it('common options apply on success', async () => {
    const e = await runFilter(json, { source: 'message', add_tag: ['parsed'], remove_field: ['message'] }, '{"a":1}');
    expect(e.toObject()).toMatchObject({ a: 1, tags: ['parsed'] });
    expect(e.includes('message')).toBe(false);
  });

  it('numbers keep their kind: floats stay floats, big integers exact', async () => {
    const e = await runFilter(json, { source: 'message' }, '{"f":10.0,"i":10,"big":12345678901234567890}');
    expect(e.get('f')).toEqual(new LsFloat(10));
    expect(e.get('i')).toBe(10);
    expect(e.get('big')).toBe(12345678901234567890n);
  });

  it('keys are field references at the top level', async () => {
    const e = await runFilter(json, { source: 'message' }, '{"[a][b]":1,"c":{"d":2}}');
    expect(e.get('[a][b]')).toBe(1);
    expect(e.get('[c][d]')).toBe(2);
  });

  it('a scalar or null with a target replaces the target; without one it is a failure', async () => {
    expect((await runFilter(json, { source: 'message', target: 't' }, '"hello"')).get('t')).toBe('hello');
    expect((await runFilter(json, { source: 'message', target: 't' }, { message: 'x', t: 'old' })).get('t')).toBe('old');
    expect((await runFilter(json, { source: 'message', target: 't' }, { message: '', t: 'old' })).get('t')).toBeNull();
    expect((await runFilter(json, { source: 'message' }, '42')).get('tags')).toEqual(['_jsonparsefailure']);
  });

  it('a non-string @timestamp is a timestamp failure, its text kept', async () => {
    const e = await runFilter(json, { source: 'message' }, '{"@timestamp":12345}');
    expect(e.get('tags')).toEqual(['_timestampparsefailure']);
    expect(e.get('_@timestamp')).toBe('12345');
  });

  it('a null @timestamp is dropped', async () => {
    const e = await runFilter(json, { source: 'message' }, '{"@timestamp":null,"a":1}');
    expect(e.get('tags')).toBeUndefined();
    expect(e.get('a')).toBe(1);
    expect(e.get('@timestamp')).toBeInstanceOf(Timestamp);
  });

  it('a key that cannot be set tags the event', async () => {
    const e = await runFilter(json, { source: 'message' }, '{"a":"x","[a][b]":1}');
    expect(e.get('tags')).toEqual(['_jsonparsefailure']);
  });

  it('with target, odd key names are kept as they are (Logstash 8.3+)', async () => {
    const e = await runFilter(json, { source: 'message', target: 'data' }, '{"okay":true, "un[sup]]ported": "foo", "another": "okay"}');
    expect(e.get('data')).toEqual({ okay: true, 'un[sup]]ported': 'foo', another: 'okay' });
  });
});

describe('json filter through the CLI', () => {
  it('parses application JSON from a line, tags what is not JSON', async () => {
    const cfg = `input { stdin { } }
filter { json { source => "message" target => "app" add_tag => ["json_ok"] } }
output { stdout { codec => json_lines } }`;
    const r = await runCli(['run', '-e', cfg], { input: '{"user":"ann","n":1.5}\nnot json\n[1,2]\n' });
    expect(r.code).toBe(0);
    const [a, b, c] = jsonLines(r.stdout);
    expect(a).toMatchObject({ app: { user: 'ann', n: 1.5 }, tags: ['json_ok'] });
    expect(b).toMatchObject({ message: 'not json', tags: ['_jsonparsefailure'] });
    expect(b!.app).toBeUndefined();
    expect(c).toMatchObject({ app: [1, 2] });
  });

  it('top level with @timestamp, and skip_on_invalid_json', async () => {
    const cfg = `input { stdin { } }
filter { json { source => "message" skip_on_invalid_json => true } }
output { stdout { codec => json_lines } }`;
    const r = await runCli(['run', '-e', cfg], { input: '{"@timestamp":"2020-01-02T03:04:05.678Z","x":1}\n{"@timestamp":"later"}\nplain\n' });
    expect(r.code).toBe(0);
    const [a, b, c] = jsonLines(r.stdout);
    expect(a).toMatchObject({ '@timestamp': '2020-01-02T03:04:05.678Z', x: 1 });
    expect(b).toMatchObject({ '_@timestamp': 'later', tags: ['_timestampparsefailure'] });
    expect(c!.tags).toBeUndefined();
  });
});
