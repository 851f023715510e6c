// Examples of logstash-filter-dissect 1.3.0's specs, with their expected values:
// - spec/filters/dissect_spec.rb (the filter), its "Compatibility suite" (fixtures/dissect/dissect_tests.json);
// - src/test/java/org/logstash/dissect/DissectorTest.java (the dissector alone).
// Not ported: testUnicodeDelim is @Ignore'd upstream (issue #23), profileRepeatDelimsArgs is a profiling loop;
// the "metrics tracking" and "source field does not exist" examples mock metric calls: checked here through
// the counters. Partly ported: BigDecimal precision beyond a double (see the float conversion test).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import dissect from '../src/filters/dissect.js';
import { Dissector, saveDissected } from '../src/formats/dissect.js';
import { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import { PluginConfigError } from '../src/plugins/api.js';
import { filterRun, runFilter } from './helpers/run-filter.js';

/** The Java tests' `dissect(bytes, map)`: values into a plain map (pre-filled when given). */
function dissectMap(mapping: string, text: string, map: Map<string, string> = new Map()): { matched: boolean; map: Map<string, string> } {
  const d = Dissector.create(mapping);
  const values = d.dissect(text);
  if (values) saveDissected(d, values, { includes: (k) => map.has(k), get: (k) => map.get(k), set: (k, v) => { map.set(k, v); } }, (v) => v ?? 'null');
  return { matched: values !== undefined, map };
}
const obj = (m: Map<string, string>): Record<string, string> => Object.fromEntries(m);

describe('dissect_spec.rb', () => {
  it('basic dissection with right padding', async () => {
    const e = await runFilter(dissect, { mapping: { message: '[%{occurred_at}] %{code} %{service->} %{ic} %{svc_message}' } },
      '[25/05/16 09:10:38:425 BST] 00000001 SystemOut     O java.lang:type=MemoryPool,name=class storage');
    expect(e.toObject()).toMatchObject({ occurred_at: '25/05/16 09:10:38:425 BST', code: '00000001', service: 'SystemOut', ic: 'O', svc_message: 'java.lang:type=MemoryPool,name=class storage' });
    expect(e.get('tags')).toBeUndefined();
  });

  it('like CSV with missing fields', async () => {
    const e = await runFilter(dissect, { mapping: { message: '[%{occurred_at}] %{code} %{service} values: "%{v1}","%{v2}","%{v3}"%{rest}' } },
      '[25/05/16 09:10:38:425 BST] 00000001 SystemOut values: "f1","","f3"');
    expect(e.toObject()).toMatchObject({ occurred_at: '25/05/16 09:10:38:425 BST', code: '00000001', service: 'SystemOut', v1: 'f1', v2: '', v3: 'f3', rest: '' });
    expect(e.get('tags')).toBeUndefined();
  });

  it('datatype conversion, with an indirect field from a named skip', async () => {
    const e = await runFilter(dissect, {
      mapping: { message: '[%{occurred_at}] %{code} %{service} %{?ic}=%{&ic}% %{svc_message}' },
      convert_datatype: { cpu: 'float', code: 'int' },
    }, '[25/05/16 09:10:38:425 BST] 00000001 SystemOut cpu=95.43% java.lang:type=MemoryPool,name=class storage');
    expect(e.get('occurred_at')).toBe('25/05/16 09:10:38:425 BST');
    expect(e.get('code')).toBe(1);
    expect(e.get('service')).toBe('SystemOut');
    expect(e.get('cpu')).toEqual(new LsFloat(95.43));
    expect(e.get('svc_message')).toBe('java.lang:type=MemoryPool,name=class storage');
  });

  it('multibyte Unicode delimiters', async () => {
    const e = await runFilter(dissect, {
      mapping: { message: '[%{occurred_at}]྿྿྿%{code}྿%{service}྿྿྿྿%{?ic}=%{&ic}%྿྿%{svc_message}' },
      convert_datatype: { cpu: 'float', code: 'int' },
    }, '[25/05/16 09:10:38:425 BST]྿྿྿00000001྿SystemOut྿྿྿྿cpu=95.43%྿྿java.lang:type=MemoryPool,name=class storage');
    expect(e.toObject()).toMatchObject({ occurred_at: '25/05/16 09:10:38:425 BST', code: 1, service: 'SystemOut', svc_message: 'java.lang:type=MemoryPool,name=class storage' });
    expect(e.get('cpu')).toEqual(new LsFloat(95.43));
  });

  it('failing datatype conversions are tagged', async () => {
    const e = await runFilter(dissect, {
      mapping: { message: '[%{occurred_at}] %{code} %{service} %{?ic}=%{&ic}% %{svc_message}' },
      convert_datatype: { ccu: 'float', other: 'int' },
    }, { message: '[25/05/16 09:10:38:425 BST] 00000001 SystemOut cpu=95.43% java.lang:type=MemoryPool,name=class storage', other: {} });
    expect(e.get('code')).toBe('00000001');
    expect(e.get('tags')).toContain('_dataconversionnullvalue_ccu_float');
    expect(e.get('tags')).toContain('_dataconversionuncoercible_other_int');
  });

  it('a missing source field: no error, no tag, one failure counted', async () => {
    const r = await filterRun(dissect, { mapping: { msg: '[%{occurred_at}] %{code} %{service} %{?ic}=%{&ic}% %{svc_message}' } });
    const e = await r.run({ message: 'foo', other: {} });
    expect(e.get('tags')).toBeUndefined();
    expect(r.ctx.metrics.counter('failures').value).toBe(1);
    expect(r.ctx.logs.some((l) => l.level === 'warn' && l.msg === 'Dissector mapping, field not found in event')).toBe(true);
  });

  it('"integer" is not a datatype (only int)', async () => {
    await expect(runFilter(dissect, { convert_datatype: { code: 'integer' } }, 'x')).rejects.toBeInstanceOf(PluginConfigError);
  });

  it('int conversion keeps large integers exact', async () => {
    const e = await runFilter(dissect, { convert_datatype: { big_number: 'int' } }, { big_number: '43947404257507186289' });
    expect(e.get('big_number')).toBe(43947404257507186289n);
  });

  it('float conversion of a large decimal (upstream: a BigDecimal; here the nearest double)', async () => {
    const e = await runFilter(dissect, { convert_datatype: { big_number: 'float' } }, { big_number: '43947404257507186289.345324' });
    expect(e.get('big_number')).toEqual(new LsFloat(43947404257507186289.345324));
  });

  it('skip and append, with add_field', async () => {
    const e = await runFilter(dissect, {
      mapping: { message: '%{timestamp} %{+timestamp} %{+timestamp} %{logsource} %{} %{program}[%{pid}]: %{msg}' },
      add_field: { favorite_filter: 'why, dissect of course' },
    }, 'Mar 16 00:01:25 evita skip-this postfix/smtpd[1713]: connect from camomile.cloud9.net[168.100.1.3]');
    expect(e.get('tags')).toBeUndefined();
    expect(e.toObject()).toMatchObject({
      logsource: 'evita', timestamp: 'Mar 16 00:01:25', msg: 'connect from camomile.cloud9.net[168.100.1.3]',
      program: 'postfix/smtpd', pid: '1713', favorite_filter: 'why, dissect of course',
    });
  });

  it('a mapping key not in the event does not raise', async () => {
    const e = await runFilter(dissect, { mapping: { 'blah-di-blah': '%{timestamp} %{+timestamp}' } }, 'very random message :-)');
    expect(e.get('timestamp')).toBeUndefined();
  });

  it('valid field formats register', async () => {
    await expect(runFilter(dissect, { mapping: { message: '%{+timestamp/2} %{+timestamp/1} %{?no_name} %{&no_name} %{} %{program}[%{pid}]: %{msg}' } }, 'x')).resolves.toBeInstanceOf(Event);
  });

  it('append and indirect together are refused (+& and &+)', async () => {
    await expect(runFilter(dissect, { mapping: { message: '%{+&timestamp}' } }, 'x')).rejects.toThrow(/Field cannot prefix with both Append and Indirect Prefix .+/);
    await expect(runFilter(dissect, { mapping: { message: '%{&+timestamp}' } }, 'x')).rejects.toThrow(/Field cannot prefix with both Append and Indirect Prefix .+/);
  });

  it('metrics: a match and a failure are counted', async () => {
    const r = await filterRun(dissect, { mapping: { message: '%{a} %{b}' } });
    expect((await r.run('1 2')).toObject()).toMatchObject({ a: '1', b: '2' });
    expect([r.ctx.metrics.counter('matches').value, r.ctx.metrics.counter('failures').value]).toEqual([1, 0]);
    expect((await r.run('')).get('tags')).toEqual(['_dissectfailure']);
    expect([r.ctx.metrics.counter('matches').value, r.ctx.metrics.counter('failures').value]).toEqual([1, 1]);
  });

  it("delimiters containing '{' and '}'", async () => {
    const e = await runFilter(dissect, { mapping: { message: '{%{a}}{%{b}}%{rest}' } }, '{foo}{bar}');
    expect(e.toObject()).toMatchObject({ a: 'foo', b: 'bar', rest: '' });
    expect(e.get('tags')).toBeUndefined();
  });

  it('no source field: no tag; an empty one: _dissectfailure', async () => {
    expect((await runFilter(dissect, { mapping: { message: '%{a} %{b}' } }, {})).get('tags')).toBeUndefined();
    expect((await runFilter(dissect, { mapping: { message: '%{a} %{b}' } }, { message: '' })).get('tags')).toContain('_dissectfailure');
  });

  describe('compatibility suite (dissect_tests.json)', () => {
    const suite = JSON.parse(readFileSync(new URL('../fixtures/dissect/dissect_tests.json', import.meta.url), 'utf8')) as { name: string; tok: string; msg: string; expected: Record<string, string> }[];
    for (const t of suite) {
      it(t.name, async () => {
        const e = await runFilter(dissect, { mapping: { message: t.tok } }, t.msg);
        for (const [k, v] of Object.entries(t.expected)) expect(e.get(k)).toBe(v);
      });
    }
  });
});

describe('DissectorTest.java', () => {
  it('an empty mapping is refused', () => {
    expect(() => Dissector.create('')).toThrow('The mapping string cannot be empty');
  });
  it('testBasicArgs', () => {
    const r = dissectMap('%{a} %{b->} %{c}', 'foo bar   baz');
    expect(r.matched).toBe(true);
    expect(obj(r.map)).toEqual({ a: 'foo', b: 'bar', c: 'baz' });
  });
  it('missing delimiters at the beginning, middle, end do not match', () => {
    expect(dissectMap('%{a}%{b} %{c}', 'foo bar   baz').matched).toBe(false);
    expect(dissectMap('%{a} %{b}%{c} %{d}', 'foo bar baz').matched).toBe(false);
    expect(dissectMap('%{a} %{b} %{c}%{d}', 'foo bar baz quux').matched).toBe(false);
  });
  it('testBasicArgsWithSkip', () => expect(obj(dissectMap('%{a} %{} %{c}', 'foo bar baz').map)).toEqual({ a: 'foo', c: 'baz' }));
  it('testAppendArgs', () => expect(obj(dissectMap('%{a} %{b} %{+b} %{z}', 'foo bar baz quux').map)).toEqual({ a: 'foo', b: 'bar baz', z: 'quux' }));
  it('testRestArgs', () => expect(obj(dissectMap('%{a}------->%{b}', 'foo------->bar baz quux').map)).toEqual({ a: 'foo', b: 'bar baz quux' }));
  it('testEmptyRestArgs', () => expect(obj(dissectMap('%{a}------->%{}', 'foo------->bar baz quux').map)).toEqual({ a: 'foo' }));
  it('testRestAppendArgs', () => expect(obj(dissectMap('%{a} %{b} %{+a}', 'foo bar baz quux').map)).toEqual({ a: 'foo baz quux', b: 'bar' }));
  it('testReorderAppendArgs', () => expect(obj(dissectMap('%{+a} %{a} %{+a} %{b}', 'December 31 1999 quux').map)).toEqual({ a: '31 December 1999', b: 'quux' }));
  it('testReorderAppendArgsWithOrdinals', () => expect(obj(dissectMap('%{+a/2} %{+a/4} %{+a/1} %{+a/3}', 'bar quux foo baz').map)).toEqual({ a: 'foo bar baz quux' }));
  it('testOneAppendArgWhenFieldMissing', () => expect(obj(dissectMap('%{+a} %{b}', 'foo bar').map)).toEqual({ a: 'foo', b: 'bar' }));
  it('testAppendArgsWhenFieldMissing', () => expect(obj(dissectMap('%{+a} %{b} %{+a} %{c}', 'foo bar baz quux').map)).toEqual({ a: 'foo baz', b: 'bar', c: 'quux' }));
  it('testNonFieldStartArgs', () => expect(obj(dissectMap('[%{a}] %{b} %{c}', '[foo bar] baz quux').map)).toEqual({ a: 'foo bar', b: 'baz', c: 'quux' }));
  it('testIndirectFields', () => expect(obj(dissectMap('%{k1}=%{&k1}, %{k2}=%{&k2}', 'foo=bar, baz=quux').map)).toEqual({ k1: 'foo', k2: 'baz', foo: 'bar', baz: 'quux' }));
  it('testIndirectFieldsMissing', () => expect(obj(dissectMap('%{k1}=%{&k3}, %{k2}=%{&k4}', 'foo=bar, baz=quux').map)).toEqual({ k1: 'foo', k2: 'baz' }));
  it('testIndirectFieldsSkipsMissing', () => expect(obj(dissectMap('%{?k1}=%{&k3}, %{?k2}=%{&k4}', 'foo=bar, baz=quux').map)).toEqual({}));
  it('testIndirectFieldsWithSkipSources', () => expect(obj(dissectMap('%{?k1}=%{&k1}, %{?k2}=%{&k2}', 'foo=bar, baz=quux').map)).toEqual({ foo: 'bar', baz: 'quux' }));
  it('testIndirectFieldsWithMapSources', () => {
    const m = new Map([['k1', 'a'], ['k2', 'b'], ['k3', 'c']]);
    expect(obj(dissectMap('%{&k1}, %{&k2}, %{&k3}', 'foo, bar, baz', m).map)).toEqual({ k1: 'a', k2: 'b', k3: 'c', a: 'foo', b: 'bar', c: 'baz' });
  });
  it('testIndirectFieldsWithEventSources', async () => {
    const e = await runFilter(dissect, { mapping: { message: '%{&k1}, %{&k2}, %{&k3}' } }, { message: 'foo, bar, baz', k1: 'a', k2: 'b', k3: 'c' });
    expect(e.toObject()).toMatchObject({ a: 'foo', b: 'bar', c: 'baz' });
  });
  const complexSrc = '42 2016-05-25T14:47:23Z host.name.com RT_FLOW - RT_FLOW_SESSION_DENY: session denied 2.2.2.20/60000->1.1.1.10/8090 None 6(0) DEFAULT-DENY ZONE-UNTRUST ZONE-DMZ UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0';
  const complexMap = '%{} %{syslog_timestamp} %{hostname} %{rt}: %{reason} %{+reason} %{src_ip}/%{src_port}->%{dst_ip}/%{dst_port} %{polrt} %{+polrt} %{+polrt} %{from_zone} %{to_zone} %{rest}';
  const complexExpected = {
    syslog_timestamp: '2016-05-25T14:47:23Z', hostname: 'host.name.com', rt: 'RT_FLOW - RT_FLOW_SESSION_DENY', reason: 'session denied',
    src_ip: '2.2.2.20', src_port: '60000', dst_ip: '1.1.1.10', dst_port: '8090', polrt: 'None 6(0) DEFAULT-DENY',
    from_zone: 'ZONE-UNTRUST', to_zone: 'ZONE-DMZ', rest: 'UNKNOWN UNKNOWN N/A(N/A) ge-0/0/0.0',
  };
  it('testComplex', () => expect(obj(dissectMap(complexMap, complexSrc).map)).toEqual(complexExpected));
  it('testComplexWithEvent', async () => {
    expect((await runFilter(dissect, { mapping: { message: complexMap } }, complexSrc)).toObject()).toMatchObject(complexExpected);
  });
  it('invalid append / indirect fields', () => {
    expect(() => Dissector.create('%{+/2}')).toThrow('Field cannot be a prefix and a suffix without a name section');
    expect(() => Dissector.create('%{+&a_field}')).toThrow('Field cannot prefix with both Append and Indirect Prefix (+&): +&a_field');
    expect(() => Dissector.create('%{&+a_field}')).toThrow('Field cannot prefix with both Append and Indirect Prefix (&+): &+a_field');
  });
  it('testRepeatDelimsArgs', () => expect(obj(dissectMap('%{a->}   %{b->}---%{c}', 'foo            bar------------baz').map)).toEqual({ a: 'foo', b: 'bar', c: 'baz' }));
  it('testLeadingDelimiters', () => expect(dissectMap('%{?->}-%{a}', '-----666').map.get('a')).toBe('666'));
  it('testMissingFieldData', () => expect(obj(dissectMap('%{a},%{b},%{c},%{d},%{e},%{f}', '111,,333,,555,666').map)).toEqual({ a: '111', b: '', c: '333', d: '', e: '555', f: '666' }));
  it('testMultibyteCharacterStrings', () => {
    const r = dissectMap('%{a}.࿏.%{b}', '⟳༒.࿏.༒⟲');
    expect(r.matched).toBe(true);
    expect(obj(r.map)).toEqual({ a: '⟳༒', b: '༒⟲' });
  });
  it('testSingleMultibyteCharacterString', () => expect(obj(dissectMap('%{a}', '子').map)).toEqual({ a: '子' }));
  it('testNewlineInDelim', () => expect(obj(dissectMap('%{a}{\n}%{b}', 'aaa{\n}bbb').map)).toEqual({ a: 'aaa', b: 'bbb' }));
  it('testStartingDelimInMiddle', () => expect(dissectMap('MACHINE[%{a}] %{b}', '1234567890 MACHINE[foo] bar').matched).toBe(false));
  it('testNoMatchAtAll', () => expect(dissectMap('%{a} %{b} %{c}', 'foo:bar:baz').map.size).toBe(0));
  it('testTrailingDelimiter', () => expect(obj(dissectMap('/var/%{key1}/log/%{key2}.log', '/var/foo/log/bar.log').map)).toEqual({ key1: 'foo', key2: 'bar' }));
  it('testPaddingWithTextEnd', () => expect(obj(dissectMap('XXX %{y->} ZZZ', 'XXX YYY ZZZ').map)).toEqual({ y: 'YYY' }));
  it('testPaddingFollowingFieldEnd', () => expect(obj(dissectMap('XXX %{y->} %{z}', 'XXX YYY ZZZ').map)).toEqual({ y: 'YYY', z: 'ZZZ' }));
  it('testForConcurrentDelimitersAdditional', () => expect(obj(dissectMap('%{a}-%{b}', 'foo------bar').map)).toEqual({ a: 'foo', b: '-----bar' }));
  it('testForConcurrentDelimitersAdditionalWithEmptyMatches', () => expect(dissectMap('%{}|%{}|foo=%{field}', '||foo=bar').map.get('field')).toBe('bar'));
});
