/**
 * The Ruby event API the ruby filter gives code, as Logstash defines it (logstash-core's
 * JrubyEventExtLibrary / JrubyTimestampExtLibrary, Event.java, Accessors.java, Valuefier/Rubyfier), and
 * values crossing between sluice and Ruby unchanged.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { Timestamp } from '../src/event/timestamp.js';
import { LsFloat } from '../src/event/values.js';
import type { FilterInstance } from '../src/plugins/api.js';
import ruby from '../src/filters/ruby/index.js';
import { createPlugin, testContext, type TestContext } from './helpers/plugin-context.js';

const open: FilterInstance[] = [];
afterAll(async () => { for (const f of open) await f.close?.(); });

async function filterOf(options: Record<string, unknown>, ctx: TestContext = testContext({}, 'filter', 'ruby')): Promise<FilterInstance> {
  const f = await createPlugin(ruby, options, ctx);
  open.push(f);
  return f;
}

/** Run code over events (one batch); returns the events in pipeline order (each followed by what it made). */
async function run(code: string, data: Record<string, unknown>[], extra: Record<string, unknown> = {}): Promise<{ out: Event[]; ok: readonly boolean[]; events: Event[] }> {
  const f = await filterOf({ code, ...extra });
  const events = data.map((d) => new Event(d as never));
  const made = new Map<Event, Event[]>();
  const ok = await f.filterBatch!(events, (e, parent) => { made.set(parent, [...(made.get(parent) ?? []), e]); });
  const out: Event[] = [];
  for (const e of events) { if (!e.cancelled) out.push(e); out.push(...(made.get(e) ?? [])); }
  return { out, ok, events };
}

async function one(code: string, data: Record<string, unknown> = {}): Promise<Event> {
  const { events } = await run(code, [data]);
  return events[0]!;
}

describe('field access', () => {
  it('get, set and remove top-level and nested fields, creating hashes on the way', async () => {
    const e = await one(`
      event.set('copy', event.get('message'))
      event.set('[a][b][c]', 1)
      event.set('n', event.get('[nested][x]'))
      event.set('gone', event.remove('[nested][y]'))
    `, { message: 'hi', nested: { x: 'X', y: 'Y' } });
    expect(e.get('copy')).toBe('hi');
    expect(e.get('a')).toEqual({ b: { c: 1 } });
    expect(e.get('n')).toBe('X');
    expect(e.get('gone')).toBe('Y');
    expect(e.get('nested')).toEqual({ x: 'X' });
  });

  it('indexes arrays, negative indexes from the end, and pads with nils when setting past the end', async () => {
    const e = await one(`
      event.set('first', event.get('[list][0]'))
      event.set('last', event.get('[list][-1]'))
      event.set('missing', event.get('[list][7]').inspect)
      event.set('[list][4]', 'e')
    `, { list: ['a', 'b', 'c'] });
    expect(e.get('first')).toBe('a');
    expect(e.get('last')).toBe('c');
    expect(e.get('missing')).toBe('nil');
    expect(e.get('list')).toEqual(['a', 'b', 'c', null, 'e']);
  });

  it('include? is true for a field holding nil and false for a missing one; get of a missing field is nil', async () => {
    const e = await one(`
      event.set('r', [event.include?('present'), event.include?('nothing'), event.include?('[h][k]'), event.include?('[h][z]'), event.get('nothing').nil?])
    `, { present: null, h: { k: 1 } });
    expect(e.get('r')).toEqual([true, false, true, false, true]);
  });

  it('get returns copies of hashes and arrays: changing them does not change the event', async () => {
    const e = await one(`
      h = event.get('h'); h['added'] = 1
      t = event.get('list'); t << 'x'
      event.to_hash['message'] = 'changed'
    `, { message: 'same', h: { k: 1 }, list: ['a'] });
    expect(e.get('h')).toEqual({ k: 1 });
    expect(e.get('list')).toEqual(['a']);
    expect(e.get('message')).toBe('same');
  });

  it('strings are shared, as in Logstash: changing one in place changes the event', async () => {
    const e = await one(`event.get('message').upcase!`, { message: 'loud' });
    expect(e.get('message')).toBe('LOUD');
  });

  it('[@metadata] is readable and writable and stays out of the serialized event', async () => {
    const e = await one(`
      event.set('[@metadata][target]', 'idx-' + event.get('[@metadata][base]'))
      event.set('seen', event.get('[@metadata]').keys.sort)
      event.set('in_hash', event.to_hash.key?('@metadata'))
      event.set('with_meta', event.to_hash_with_metadata['@metadata']['target'])
    `, { '@metadata': { base: 'logs' } });
    expect(e.get('[@metadata][target]')).toBe('idx-logs');
    expect(e.get('seen')).toEqual(['base', 'target']);
    expect(e.get('in_hash')).toBe(false);
    expect(e.get('with_meta')).toBe('idx-logs');
    expect(JSON.parse(e.toJSON())).not.toHaveProperty('@metadata');
  });

  it('an invalid field reference raises (and the event is tagged)', async () => {
    const e = await one(`event.set('[a', 1)`);
    expect(e.get('tags')).toEqual(['_rubyexception']);
  });
});

describe('values cross unchanged', () => {
  it('integers, floats (10.0 stays a float), big integers, strings, nil, booleans, arrays and hashes', async () => {
    const e = await one(`
      event.set('int', 10)
      event.set('float', 10.0)
      event.set('small', 1.5e-7)
      event.set('big', 2**70)
      event.set('neg_big', -(2**64))
      event.set('str', "héllo ✓")
      event.set('nil', nil)
      event.set('t', true)
      event.set('f', false)
      event.set('arr', [1, 2.0, 'x', nil, [true]])
      event.set('hash', { 'a' => { 'b' => 3.25 }, :sym => :value })
      event.set('classes', %w[in_int in_float in_big in_str in_nil in_bool in_arr in_hash].map { |k| event.get(k).class.name })
    `, {
      in_int: 7, in_float: new LsFloat(2), in_big: 12345678901234567890n, in_str: 's', in_nil: null, in_bool: true,
      in_arr: [1], in_hash: { k: 'v' },
    });
    expect(e.get('int')).toBe(10);
    expect(e.get('float')).toEqual(new LsFloat(10));
    expect(e.get('small')).toEqual(new LsFloat(1.5e-7));
    expect(e.get('big')).toBe(2n ** 70n);
    expect(e.get('neg_big')).toBe(-(2n ** 64n));
    expect(e.get('str')).toBe('héllo ✓');
    expect(e.get('nil')).toBeNull();
    expect(e.get('t')).toBe(true);
    expect(e.get('f')).toBe(false);
    expect(e.get('arr')).toEqual([1, new LsFloat(2), 'x', null, [true]]);
    expect(e.get('hash')).toEqual({ a: { b: new LsFloat(3.25) }, sym: 'value' });
    expect(e.get('classes')).toEqual(['Integer', 'Float', 'Integer', 'String', 'NilClass', 'TrueClass', 'Array', 'Hash']);
    // ... and the untouched input values are still what they were.
    expect(e.get('in_float')).toEqual(new LsFloat(2));
    expect(e.get('in_big')).toBe(12345678901234567890n);
    expect(e.toJSON()).toContain('"float":10.0');
  });

  it('floats that are not finite, timestamps in fields, and strings starting with NUL survive the trip', async () => {
    const ts = new Timestamp(Date.UTC(2020, 0, 2, 3, 4, 5, 678), 901_234);
    const e = await one(`
      event.set('copy_ts', event.get('when'))
      event.set('ts_class', event.get('when').class.name)
      event.set('nan', event.get('inf').nan?)
      event.set('nul_len', event.get('nul').length)
      event.set('nul_copy', event.get('nul'))
    `, { when: ts, inf: new LsFloat(Infinity), nul: '\u0000f1.5' });
    expect(e.get('copy_ts')).toEqual(ts);
    expect(e.get('ts_class')).toBe('LogStash::Timestamp');
    expect(e.get('inf')).toEqual(new LsFloat(Infinity));
    expect(e.get('nan')).toBe(false);
    expect(e.get('nul_len')).toBe(5);
    expect(e.get('nul')).toBe('\u0000f1.5');
  });

  it('Ruby values are converted as Logstash converts them: symbols to strings, Time to a timestamp', async () => {
    const e = await one(`
      event.set('sym', :abc)
      event.set('time', Time.at(0).utc)
      event.set('keys', { 1 => 'one', :two => 2 })
    `);
    expect(e.get('sym')).toBe('abc');
    expect(e.get('time')).toEqual(new Timestamp(0));
    expect(e.get('keys')).toEqual({ 1: 'one', two: 2 });
  });

  it('a value Logstash cannot store raises', async () => {
    const e = await one(`event.set('range', 1..2)`);
    expect(e.get('tags')).toEqual(['_rubyexception']);
    expect(e.get('range')).toBeUndefined();
  });
});

describe('the event object', () => {
  it('timestamp, timestamp= and LogStash::Timestamp', async () => {
    const e = await one(`
      t = event.timestamp
      event.set('iso', t.to_iso8601)
      event.set('to_i', t.to_i)
      event.set('to_f', t.to_f)
      event.set('year', t.year)
      event.set('usec', t.usec)
      event.set('time_class', t.time.class.name)
      event.set('from_time', LogStash::Timestamp.new(Time.at(86400).utc).to_s)
      event.set('parsed', LogStash::Timestamp.parse_iso8601('2014-09-23T00:00:00-0800').to_s)
      event.set('cmp', LogStash::Timestamp.at(1) < LogStash::Timestamp.at(2))
      event.set('diff', LogStash::Timestamp.at(10) - LogStash::Timestamp.at(4))
      event.timestamp = LogStash::Timestamp.at(1_500_000_000, 250_000)
    `, { '@timestamp': '2021-03-04T05:06:07.089Z' });
    expect(e.get('iso')).toBe('2021-03-04T05:06:07.089Z');
    expect(e.get('to_i')).toBe(1614834367);
    expect(e.get('to_f')).toEqual(new LsFloat(1614834367.089));
    expect(e.get('year')).toBe(2021);
    expect(e.get('usec')).toBe(89000);
    expect(e.get('time_class')).toBe('Time');
    expect(e.get('from_time')).toBe('1970-01-02T00:00:00.000Z');
    expect(e.get('parsed')).toBe('2014-09-23T08:00:00.000Z');
    expect(e.get('cmp')).toBe(true);
    expect(e.get('diff')).toEqual(new LsFloat(6));
    expect(String(e.timestamp)).toBe('2017-07-14T02:40:00.250Z');
  });

  it("setting @timestamp to something that is not a timestamp raises Logstash's TypeError", async () => {
    const e = await one(`
      begin
        event.set('@timestamp', 'yesterday')
      rescue TypeError => err
        event.set('error', err.message)
      end
    `);
    expect(e.get('error')).toBe('wrong argument type String (expected LogStash::Timestamp)');
  });

  it('tag adds a tag once; cancel drops the event; cancelled? reads it back', async () => {
    const { out, events } = await run(`
      event.tag('a'); event.tag('a'); event.tag('b')
      event.cancel if event.get('drop')
      event.set('was', event.cancelled?)
    `, [{ tags: 'x' }, { drop: true }]);
    expect(out).toHaveLength(1);
    expect(out[0]!.get('tags')).toEqual(['x', 'a', 'b']);
    expect(out[0]!.get('was')).toBe(false);
    expect(events[1]!.cancelled).toBe(true);
  });

  it('clone is a deep copy with its own @metadata; new events from LogStash::Event.new get @timestamp and @version', async () => {
    const { out } = await run(`
      c = event.clone
      c.set('[h][k]', 'copy')
      c.set('[@metadata][m]', 'copy')
      new_event_block.call(c)
      n = LogStash::Event.new('message' => 'fresh', 'count' => 2.5, '@metadata' => { 'x' => 1 })
      n.set('ts_class', n.timestamp.class.name)
      new_event_block.call(n)
    `, [{ message: 'orig', h: { k: 'orig' }, '@metadata': { m: 'orig' } }]);
    expect(out).toHaveLength(3);
    const [orig, copy, fresh] = out;
    expect(orig!.get('[h][k]')).toBe('orig');
    expect(orig!.get('[@metadata][m]')).toBe('orig');
    expect(copy!.get('[h][k]')).toBe('copy');
    expect(copy!.get('[@metadata][m]')).toBe('copy');
    expect(copy!.get('message')).toBe('orig');
    expect(fresh!.get('message')).toBe('fresh');
    expect(fresh!.get('count')).toEqual(new LsFloat(2.5));
    expect(fresh!.get('@version')).toBe('1');
    expect(fresh!.get('ts_class')).toBe('LogStash::Timestamp');
    expect(fresh!.get('[@metadata][x]')).toBe(1);
    expect(fresh!.timestamp).toBeInstanceOf(Timestamp);
  });

  it('LogStash::Event.new with an unparsable @timestamp tags _timestampparsefailure and keeps it in _@timestamp', async () => {
    const { out } = await run(`new_event_block.call(LogStash::Event.new('@timestamp' => 'not a date'))`, [{}]);
    expect(out[1]!.get('tags')).toEqual(['_timestampparsefailure']);
    expect(out[1]!.get('_@timestamp')).toBe('not a date');
  });

  it('to_hash has the timestamp as a LogStash::Timestamp; to_json and to_s as Logstash writes them', async () => {
    const e = await one(`
      event.set('ts_class', event.to_hash['@timestamp'].class.name)
      event.set('json', event.to_json)
      event.set('s', event.to_s)
    `, { '@timestamp': '2021-03-04T05:06:07.089Z', message: 'hello', host: 'box', big: new LsFloat(1e20) });
    expect(e.get('ts_class')).toBe('LogStash::Timestamp');
    const json = e.get('json') as string;
    expect(json).toContain('"big":1.0E20');
    expect(JSON.parse(json)).toMatchObject({ '@timestamp': '2021-03-04T05:06:07.089Z', message: 'hello', host: 'box' });
    expect(e.get('s')).toBe('2021-03-04T05:06:07.089Z box hello');
  });

  it('sprintf is sluice\'s (and Logstash\'s) sprintf', async () => {
    const e = await one(`event.set('s', event.sprintf('%{message} on %{[h][name]} in %{+YYYY.MM} %{missing}'))`,
      { '@timestamp': '2021-03-04T05:06:07.089Z', message: 'hello', h: { name: 'box' } });
    expect(e.get('s')).toBe('hello on box in 2021.03 %{missing}');
  });

  it('LogStash::Json loads and dumps', async () => {
    const e = await one(`
      event.set('parsed', LogStash::Json.load(event.get('raw')))
      event.set('dumped', LogStash::Json.dump({ 'a' => [1, 2] }))
      begin
        LogStash::Json.load('{oops')
      rescue LogStash::Json::ParserError
        event.set('bad', true)
      end
    `, { raw: '{"x":{"y":[1,2.5]}}' });
    expect(e.get('parsed')).toEqual({ x: { y: [1, new LsFloat(2.5)] } });
    expect(e.get('dumped')).toBe('{"a":[1,2]}');
    expect(e.get('bad')).toBe(true);
  });
});

describe('the filter', () => {
  it('init runs once, in the same object as code: instance variables and methods persist across events', async () => {
    const { out } = await run('@count += 1; event.set("n", @count); event.set("twice", double(@count))', [{}, {}, {}],
      { init: '@count = 0; def double(x) = x * 2' });
    expect(out.map((e) => [e.get('n'), e.get('twice')])).toEqual([[1, 2], [2, 4], [3, 6]]);
  });

  it('@logger writes to the pipeline log', async () => {
    const ctx = testContext({}, 'filter', 'ruby');
    const f = await filterOf({ code: '@logger.warn("odd event", :id => event.get("id")); @logger.debug? && @logger.debug("dbg")' }, ctx);
    await f.filter(new Event({ id: 7 }), () => {});
    expect(ctx.logs).toContainEqual({ level: 'warn', msg: 'odd event', data: { id: 7 } });
    expect(ctx.logs).toContainEqual({ level: 'debug', msg: 'dbg' });
  });

  it('tag_on_exception and tag_with_exception_message; the common options only on success', async () => {
    const { out, ok } = await run('raise ArgumentError, "bad input" if event.get("bad"); event.set("done", true)',
      [{ bad: true }, { bad: false }], { tag_on_exception: '_oops', tag_with_exception_message: true });
    expect(ok).toEqual([false, true]);
    expect(out[0]!.get('tags')).toEqual(['_oops: bad input', '_oops']);
    expect(out[0]!.get('done')).toBeUndefined();
    expect(out[1]!.get('done')).toBe(true);
  });

  it('what the code did before raising stays done', async () => {
    const e = await one('event.set("before", 1); nil.upcase; event.set("after", 1)');
    expect(e.get('before')).toBe(1);
    expect(e.get('after')).toBeUndefined();
    expect(e.get('tags')).toEqual(['_rubyexception']);
  });

  it('exception logs are rate-limited and counted', async () => {
    const ctx = testContext({}, 'filter', 'ruby');
    const f = await filterOf({ code: 'raise "always"' }, ctx);
    const events = Array.from({ length: 50 }, () => new Event({}));
    const ok = await f.filterBatch!(events, () => {});
    expect(ok.every((x) => !x)).toBe(true);
    expect(events.every((e) => e.hasTag('_rubyexception'))).toBe(true);
    const errors = ctx.logs.filter((l) => l.level === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.length).toBeLessThan(50);
    expect(errors[0]!.msg).toBe('Ruby exception occurred: always');
  });

  it('a whole batch crosses into Ruby once: events keep their order, made events follow their parent', async () => {
    const { out, ok } = await run(`
      event.set('i', event.get('i') * 10)
      if event.get('i') == 20
        e = event.clone
        e.set('copy', true)
        new_event_block.call(e)
      end
      event.cancel if event.get('i') == 30
    `, [{ i: 1 }, { i: 2 }, { i: 3 }, { i: 4 }]);
    expect(ok).toEqual([true, true, true, true]);
    expect(out.map((e) => [e.get('i'), e.get('copy') ?? false])).toEqual([[10, false], [20, false], [20, true], [40, false]]);
  });

  it('filter() per event gives the same results as filterBatch', async () => {
    const f = await filterOf({ code: "event.to_hash.keys.each { |k| event.set(k.gsub('.','_'), event.remove(k)) if k.include?('.') }" });
    const a = new Event({ 'a.b': 1, c: { 'd.e': new LsFloat(2) }, 'x.y.z': 'q' });
    const b = a.clone();
    await f.filter(a, () => {});
    await f.filterBatch!([b], () => {});
    expect(a.toObject()).toEqual(b.toObject());
    expect(Object.keys(a.data).sort()).toEqual(['@timestamp', '@version', 'a_b', 'c', 'x_y_z']);
    expect(a.get('c')).toEqual({ 'd.e': new LsFloat(2) });
  });

  it('an event the code did not touch is left as it was', async () => {
    const f = await filterOf({ code: 'event.include?("x")' });
    const e = new Event({ x: 1 });
    const data = e.data;
    await f.filter(e, () => {});
    expect(e.data).toBe(data);
    expect(e.get('x')).toBe(1);
  });

  it('Ruby libraries load as in Logstash (json, time, digest, securerandom, base64, ipaddr)', async () => {
    const e = await one(`
      require 'digest'
      event.set('md5', Digest::MD5.hexdigest('abc'))
      event.set('b64', Base64.strict_encode64('abc'))
      event.set('in_net', IPAddr.new('10.0.0.0/8').include?(event.get('ip')))
      event.set('uuid_len', SecureRandom.uuid.length)
      event.set('parsed', Time.parse('2020-01-01T00:00:00Z').to_i)
    `, { ip: '10.1.2.3' });
    expect(e.get('md5')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(e.get('b64')).toBe('YWJj');
    expect(e.get('in_net')).toBe(true);
    expect(e.get('uuid_len')).toBe(36);
    expect(e.get('parsed')).toBe(1577836800);
  });
});

describe('path scripts', () => {
  it('register gets script_params; returning [] drops the event; new events are passed on after the original', async () => {
    const { fileURLToPath } = await import('node:url');
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'sluice-ruby-'));
    const path = join(dir, 'split.rb');
    writeFileSync(path, `
      def register(params)
        @sep = params['separator']
        @keep = params['keep_empty']
        @factor = params['factor']
      end

      def filter(event)
        return [] if event.get('drop')
        return nil if event.get('nil')
        parts = event.get('message').split(@sep)
        event.set('factor_class', @factor.class.name)
        [event] + parts.map { |p| LogStash::Event.new('part' => p) }
      end
    `);
    void fileURLToPath;
    const f = await filterOf({ path, script_params: { separator: ',', keep_empty: false, factor: new LsFloat(2) } });
    const events = [new Event({ message: 'a,b' }), new Event({ drop: true }), new Event({ nil: true, message: 'x' })];
    const made: Event[] = [];
    const ok = await f.filterBatch!(events, (e) => { made.push(e); });
    expect(ok).toEqual([true, true, true]);
    expect(events[0]!.cancelled).toBe(false);
    expect(events[0]!.get('factor_class')).toBe('Float');
    expect(made.map((e) => e.get('part'))).toEqual(['a', 'b']);
    expect(events[1]!.cancelled).toBe(true);
    // nil is not an array: the plugin tags the event (after filter_matched) and passes it on
    expect(events[2]!.cancelled).toBe(false);
    expect(events[2]!.get('tags')).toEqual(['_rubyexception']);
  });
});
