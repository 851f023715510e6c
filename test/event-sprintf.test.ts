import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { compileSprintf, javaDoubleToString, sprintf, SprintfError } from '../src/event/sprintf.js';
import { Timestamp } from '../src/event/timestamp.js';
import { LsFloat } from '../src/event/values.js';

// The subject of Logstash's legacy_ruby_event_spec "#sprintf" examples.
function subject(): Event {
  return new Event({
    '@timestamp': '2013-01-01T00:00:00.000Z',
    type: 'sprintf',
    message: 'hello world',
    tags: ['tag1'],
    source: '/home/foo',
    a: 'b',
    c: { d: 'f', e: { f: 'g' } },
    f: { g: { h: 'i' } },
    j: { k1: 'v', k2: ['w', 'x'], k3: { 4: 'm' }, k4: [{ nested: 'cool' }], 5: 7 },
    nilfield: null,
    '@metadata': { fancy: 'pants', 'have-to-go': { deeper: 'inception' } },
  });
}

describe('sprintf as Logstash StringInterpolation', () => {
  it('reports a unix timestamp for %{+%s}', () => {
    expect(sprintf('%{+%s}', subject())).toBe('1356998400');
  });

  it('returns text without references unchanged', () => {
    expect(sprintf('bonjour', subject())).toBe('bonjour');
  });

  it('prints nothing for date forms when @timestamp is missing', () => {
    const e = subject();
    e.remove('[@timestamp]');
    expect(sprintf('hello-%{+%s}', e)).toBe('hello-');
    expect(sprintf('logstash-%{+YYYY}', e)).toBe('logstash-');
    expect(sprintf('x%{{yyyy}}', e)).toBe('x');
  });

  it('formats @timestamp with Joda patterns in UTC', () => {
    const e = subject();
    expect(sprintf('%{+YYYY}', e)).toBe('2013');
    expect(sprintf('%{+MM}', e)).toBe('01');
    expect(sprintf('%{+HH}', e)).toBe('00');
    expect(sprintf('foo %{+YYYY-MM-dd} %{type}', e)).toBe('foo 2013-01-01 sprintf');
    expect(sprintf('logstash-%{+yyyy.MM.dd}', e)).toBe('logstash-2013.01.01');
  });

  it('formats @timestamp with java.time patterns in %{{…}}', () => {
    const e = new Event({ '@timestamp': '2021-08-11T10:20:30.123456789Z' });
    expect(sprintf('%{{yyyy-MM-dd}}', e)).toBe('2021-08-11');
    // Logstash's own example: `%{{YYYY-'W'ww}}` -> `2021-W32`.
    expect(sprintf("%{{YYYY-'W'ww}}", e)).toBe('2021-W32');
    expect(sprintf('%{{HH:mm:ss.SSSSSSSSS}}', e)).toBe('10:20:30.123456789');
    expect(sprintf('%{+HH:mm:ss.SSS}', e)).toBe('10:20:30.123');
  });

  it('prints the current time for %{{TIME_NOW}}', () => {
    const before = Date.now();
    const out = sprintf('%{{TIME_NOW}}', subject());
    const t = Timestamp.parse(out)!;
    expect(t.epochMs).toBeGreaterThanOrEqual(before - 1);
    expect(t.epochMs).toBeLessThanOrEqual(Date.now() + 1);
  });

  it('reports fields, deep fields and metadata', () => {
    const e = subject();
    expect(sprintf('%{type}', e)).toBe('sprintf');
    expect(sprintf('%{message}', e)).toBe('hello world');
    expect(sprintf('%{[j][k1]}', e)).toBe('v');
    expect(sprintf('%{[j][k2][0]}', e)).toBe('w');
    expect(sprintf('%{[j][k2][-1]}', e)).toBe('x');
    expect(sprintf('super-%{[@metadata][fancy]}', e)).toBe('super-pants');
    expect(sprintf('%{[@metadata][have-to-go][deeper]}', e)).toBe('inception');
  });

  it('prints a hash as JSON', () => {
    expect(sprintf('%{[j][k3]}', subject())).toBe('{"4":"m"}');
  });

  it('does not strip the last character', () => {
    expect(sprintf('%{type}%{message}|', subject())).toBe('sprintfhello world|');
  });

  it('leaves missing and null fields as written', () => {
    const e = subject();
    expect(sprintf('%{unknown_pattern}', e)).toBe('%{unknown_pattern}');
    expect(sprintf('a %{nilfield} b', e)).toBe('a %{nilfield} b');
    expect(sprintf('%{[c][zz]}-%{a}', e)).toBe('%{[c][zz]}-b');
  });

  it('joins arrays with commas, nulls as empty strings, nested arrays flattened', () => {
    const e = subject();
    e.set('foo', [null, 'baz']);
    expect(sprintf('%{[foo]}', e)).toBe(',baz');
    e.set('foo', ['bar', null, 'baz']);
    expect(sprintf('%{[foo]}', e)).toBe('bar,,baz');
    e.set('foo', ['bar', null]);
    expect(sprintf('%{[foo]}', e)).toBe('bar,');
    e.set('[foo]', [[12, null], 56]);
    expect(sprintf('%{[foo]}', e)).toBe('12,,56');
  });

  it('prints numbers, booleans and timestamps as Java does', () => {
    const e = new Event({ '@timestamp': '2015-05-28T23:02:05.350Z', i: 42, f: new LsFloat(1.5), w: new LsFloat(10), big: new LsFloat(1e20), b: true, n: 12345678901234567890n });
    expect(sprintf('%{i} %{f} %{w} %{big} %{b} %{n}', e)).toBe('42 1.5 10.0 1.0E20 true 12345678901234567890');
    expect(sprintf('%{@timestamp}', e)).toBe('2015-05-28T23:02:05.350Z');
  });

  it('treats a body that is a prefix of "+%s" as epoch seconds, like Logstash', () => {
    const e = subject();
    expect(sprintf('%{}', e)).toBe('1356998400');
    expect(sprintf('%{+}', e)).toBe('1356998400');
  });

  it('fails at evaluation for an illegal Joda pattern', () => {
    const f = compileSprintf('%{+yyyy-qq}');
    expect(() => f(subject())).toThrow(SprintfError);
    expect(() => f(subject())).toThrow(/Illegal pattern component: qq/);
  });

  it('compiles each format once', () => {
    expect(compileSprintf('%{a}-%{+%s}')).toBe(compileSprintf('%{a}-%{+%s}'));
  });
});

describe('Java Double.toString', () => {
  it.each([
    [1, '1.0'], [0.5, '0.5'], [1234.455, '1234.455'], [0.001, '0.001'], [0.0001, '1.0E-4'],
    [1e7, '1.0E7'], [12345678.9, '1.23456789E7'], [9999999, '9999999.0'], [-2.5e-5, '-2.5E-5'], [0, '0.0'],
  ])('%d prints %s', (n, s) => {
    expect(javaDoubleToString(n)).toBe(s);
  });
});
