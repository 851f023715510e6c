// dissect behaviours beyond the spec examples, derived from logstash-filter-dissect 1.3.0's Java sources
// (Dissector.java, JavaDissectorLibrary.java, Converters.java): expected values follow that code.
import { describe, expect, it } from 'vitest';
import dissect from '../src/filters/dissect.js';
import { decimalToInteger, Dissector } from '../src/formats/dissect.js';
import { LsFloat } from '../src/event/values.js';
import { runFilter } from './helpers/run-filter.js';
import { jsonLines, runCli } from './helpers/cli.js';

describe('dissector edge cases', () => {
  it('a delimiter found at the very start gives an empty field without moving on (Position.moveNext)', () => {
    expect(Dissector.create('%{a} %{b}').dissect(' x')).toEqual(['', ' x']);
  });
  it('text after the last field is a hidden skip field: the last named field stops at it', () => {
    const d = Dissector.create('%{a} end');
    // The hidden field's delimiter is everything after the last `}`: " end".
    expect(d.dissect('foo end and more')).toEqual(['foo', ' and more']);
    expect(d.dissect('foo')).toBeUndefined();
  });
  it('a mapping that does not start with a field must match at the start', () => {
    expect(Dissector.create('<%{a}>').dissect('x<1>')).toBeUndefined();
    expect(Dissector.create('<%{a}>').dissect('<1>')).toEqual(['1', '']);
  });
  it('a mapping without fields is refused', () => {
    expect(() => Dissector.create('no fields')).toThrow();
  });
  it('BigDecimal#toBigInteger truncates and reads exponents', () => {
    expect([decimalToInteger('12.7'), decimalToInteger('-3.9'), decimalToInteger('1e3'), decimalToInteger('1E-2'), decimalToInteger('+5'), decimalToInteger('.5')]).toEqual([12n, -3n, 1000n, 0n, 5n, 0n]);
    expect([decimalToInteger(' 12'), decimalToInteger('1_000'), decimalToInteger('abc'), decimalToInteger('.')]).toEqual([undefined, undefined, undefined, undefined]);
  });
});

describe('dissect filter', () => {
  it('field names are field references', async () => {
    const e = await runFilter(dissect, { mapping: { message: '%{[a][b]} %{[a][c]}' } }, '1 2');
    expect(e.get('a')).toEqual({ b: '1', c: '2' });
  });

  it('append order and ordinals on events (plain names and nested ones give the same)', async () => {
    const a = await runFilter(dissect, { mapping: { message: '%{+a} %{a} %{+a} %{b}' } }, 'December 31 1999 quux');
    expect(a.toObject()).toMatchObject({ a: '31 December 1999', b: 'quux' });
    const n = await runFilter(dissect, { mapping: { message: '%{+[x][a]} %{[x][a]} %{+[x][a]} %{[x][b]}' } }, 'December 31 1999 quux');
    expect(n.get('x')).toEqual({ a: '31 December 1999', b: 'quux' });
    const o = await runFilter(dissect, { mapping: { message: '%{+a/2} %{+a/4} %{+a/1} %{+a/3}' } }, 'bar quux foo baz');
    expect(o.get('a')).toBe('foo bar baz quux');
  });

  it('append joins onto a value the event already has', async () => {
    const e = await runFilter(dissect, { mapping: { message: '%{+msg2} %{b}' } }, { message: 'x y', msg2: 'pre' });
    expect(e.get('msg2')).toBe('pre x');
  });

  it('several mapping entries: each match applies the common options, each failure tags', async () => {
    const e = await runFilter(dissect, { mapping: { a: '%{x} %{y}', b: '%{z}-%{w}', c: '%{q}:%{r}' }, add_field: { seen: 'yes' } },
      { a: '1 2', b: '3-4', c: 'no colon' });
    expect(e.toObject()).toMatchObject({ x: '1', y: '2', z: '3', w: '4', seen: ['yes', 'yes'], tags: ['_dissectfailure'] });
  });

  it('convert_datatype runs even when the mapping fails', async () => {
    const e = await runFilter(dissect, { mapping: { message: '%{a} %{b}' }, convert_datatype: { n: 'int', f: 'float', g: 'float' } }, { message: 'nospace', n: '42', f: '2.50', g: '3' });
    expect(e.toObject()).toMatchObject({ n: 42, f: new LsFloat(2.5), g: 3, tags: ['_dissectfailure'] });
  });

  it('custom tag_on_failure, and a number source is dissected as its text', async () => {
    expect((await runFilter(dissect, { mapping: { message: '%{a} %{b}' }, tag_on_failure: ['bad', 'worse'] }, 'x')).get('tags')).toEqual(['bad', 'worse']);
    expect((await runFilter(dissect, { mapping: { n: '%{i}.%{f}' } }, { n: new LsFloat(3.25) })).toObject()).toMatchObject({ i: '3', f: '25' });
  });
});

describe('dissect through the CLI', () => {
  it('dissects a syslog-like line, converts, tags a failure', async () => {
    const cfg = `input { stdin { codec => json_lines } }
filter { dissect { mapping => { "message" => "%{ts} %{+ts} %{+ts} %{host} %{prog}[%{pid}]: %{msg}" } convert_datatype => { "pid" => "int" } add_tag => ["dissected"] } }
output { stdout { codec => json_lines } }`;
    const r = await runCli(['run', '-e', cfg], { input: '{"message":"Mar 16 00:01:25 evita postfix/smtpd[1713]: connect from x"}\n{"message":"short"}\n' });
    expect(r.code).toBe(0);
    const [one, two] = jsonLines(r.stdout);
    expect(one).toMatchObject({ ts: 'Mar 16 00:01:25', host: 'evita', prog: 'postfix/smtpd', pid: 1713, msg: 'connect from x', tags: ['dissected'] });
    // Conversions run on failed events too: the missing pid is tagged.
    expect(two).toMatchObject({ message: 'short', tags: ['_dissectfailure', '_dataconversionnullvalue_pid_int'] });
  });

  it('refuses an invalid mapping at start-up', async () => {
    const r = await runCli(['run', '-e', 'input { stdin { } } filter { dissect { mapping => { "message" => "%{+&x}" } } } output { stdout { } }']);
    expect(r.code).not.toBe(0);
    expect(r.stderr + r.stdout).toContain('Field cannot prefix with both Append and Indirect Prefix');
  });
});
