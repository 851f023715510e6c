// Examples of logstash-filter-kv 4.7.1's spec (spec/filters/kv_spec.rb), with its expected values.
// Not ported: the "short circuit" examples assert calls of the private has_value_splitter? (their
// observable results are checked below); "speed test" is a benchmark (bench/dissect.mjs measures kv);
// "timeouts explicitly disabled … blocks for at least 3 seconds" would block the test thread for good.
import { describe, expect, it } from 'vitest';
import kv from '../src/filters/kv.js';
import { runFilter, filterRun } from './helpers/run-filter.js';
import { PluginConfigError } from '../src/plugins/api.js';

const M = "hello=world foo=bar baz=fizz doublequoted=\"hello world\" singlequoted='hello world' bracketsone=(hello world) bracketstwo=[hello world] bracketsthree=<hello world>";
const M5 = "hello=world foo=bar baz=fizz doublequoted=\"hello world\" singlequoted='hello world'";

describe('kv spec: defaults and transforms', () => {
  it('defaults: unquoted, quoted and bracketed values', async () => {
    const e = await runFilter(kv, {}, M);
    expect(e.toObject()).toMatchObject({
      hello: 'world', foo: 'bar', baz: 'fizz', doublequoted: 'hello world', singlequoted: 'hello world',
      bracketsone: 'hello world', bracketstwo: 'hello world', bracketsthree: 'hello world',
    });
  });

  it('transform_key uppercase, transform_value lowercase', async () => {
    const e = await runFilter(kv, { transform_key: 'uppercase', transform_value: 'lowercase' },
      "hello = world Foo =Bar BAZ= FIZZ doublequoteD = \"hellO worlD\" Singlequoted= 'Hello World' brAckets =(hello World)");
    expect(e.toObject()).toMatchObject({ HELLO: 'world', FOO: 'bar', BAZ: 'fizz', DOUBLEQUOTED: 'hello world', SINGLEQUOTED: 'hello world', BRACKETS: 'hello world' });
  });

  it('transform_key lowercase, transform_value uppercase', async () => {
    const e = await runFilter(kv, { transform_key: 'lowercase', transform_value: 'uppercase' },
      "Hello = World fOo =bar baz= FIZZ DOUBLEQUOTED = \"hellO worlD\" singlequoted= 'hEllo wOrld' brackets =(HELLO world)");
    expect(e.toObject()).toMatchObject({ hello: 'WORLD', foo: 'BAR', baz: 'FIZZ', doublequoted: 'HELLO WORLD', singlequoted: 'HELLO WORLD', brackets: 'HELLO WORLD' });
  });

  it('transform_key and transform_value capitalize', async () => {
    const e = await runFilter(kv, { transform_key: 'capitalize', transform_value: 'capitalize' },
      "Hello = World fOo =bar baz= FIZZ DOUBLEQUOTED = \"hellO worlD\" singlequoted= 'hEllo wOrld' brackets =(HELLO world)");
    expect(e.toObject()).toMatchObject({ Hello: 'World', Foo: 'Bar', Baz: 'Fizz', Doublequoted: 'Hello world', Singlequoted: 'Hello world', Brackets: 'Hello world' });
  });

  it('spaces attached to the value separator (lenient)', async () => {
    const e = await runFilter(kv, {}, "hello = world foo =bar baz= fizz doublequoted = \"hello world\" singlequoted= 'hello world' brackets =(hello world)");
    expect(e.toObject()).toMatchObject({ hello: 'world', foo: 'bar', baz: 'fizz', doublequoted: 'hello world', singlequoted: 'hello world', brackets: 'hello world' });
  });
});

describe('kv spec: whitespace => strict', () => {
  it('unquoted values: an empty value is not captured', async () => {
    const e = await runFilter(kv, { whitespace: 'strict' }, 'IN=eth0 OUT= MAC=0f:5f:5e:aa:d3:a2:21:ff:09:00:0f:e1:c8:17 SRC=192.168.0.1');
    expect(e.get('IN')).toBe('eth0');
    expect(e.get('OUT')).toBeUndefined();
    expect(e.get('MAC')).toBe('0f:5f:5e:aa:d3:a2:21:ff:09:00:0f:e1:c8:17');
    expect(e.get('SRC')).toBe('192.168.0.1');
  });

  it('mixed quotations', async () => {
    const e = await runFilter(kv, { whitespace: 'strict' }, 'hello=world goodbye=cruel\\ world empty_quoted="" quoted="value1" empty_unquoted= unquoted=value2 empty_bracketed=[] bracketed=[value3] cake=delicious');
    expect(e.get('hello')).toBe('world');
    expect(e.get('goodbye')).toBe('cruel\\ world');
    expect(e.get('empty_quoted')).toBeUndefined();
    expect(e.get('quoted')).toBe('value1');
    expect(e.get('empty_unquoted')).toBeUndefined();
    expect(e.get('unquoted')).toBe('value2');
    expect(e.get('empty_bracketed')).toBeUndefined();
    expect(e.get('bracketed')).toBe('value3');
    expect(e.get('cake')).toBe('delicious');
  });

  it('sloppy input: only the unambiguous bits', async () => {
    const e = await runFilter(kv, { whitespace: 'strict' }, "hello = world foo =bar baz= fizz whitespace=none doublequoted = \"hello world\" singlequoted= 'hello world' brackets =(hello world) strict=true");
    expect(e.get('whitespace')).toBe('none');
    expect(e.get('strict')).toBe('true');
    expect(Object.keys(e.toObject()).sort()).toEqual(['@timestamp', '@version', 'message', 'strict', 'whitespace']);
  });
});

describe('kv spec: separators', () => {
  it('LOGSTASH-624: escaped spaces in keys and values', async () => {
    const e = await runFilter(kv, { value_split: ':' }, 'IKE:=Quick\\ Mode\\ completion IKE\\ IDs:=subnet:\\ x.x.x.x\\ (mask=\\ 255.255.255.254)\\ and\\ host:\\ y.y.y.y');
    expect(e.get('IKE')).toBe('=Quick\\ Mode\\ completion');
    expect(e.data['IKE\\ IDs']).toBe('=subnet:\\ x.x.x.x\\ (mask=\\ 255.255.255.254)\\ and\\ host:\\ y.y.y.y');
  });

  it('value_split alternate splitter', async () => {
    const e = await runFilter(kv, { value_split: ':' }, "hello:=world foo:bar baz=:fizz doublequoted:\"hello world\" singlequoted:'hello world' brackets:(hello world)");
    expect(e.toObject()).toMatchObject({ hello: '=world', foo: 'bar', 'baz=': 'fizz', doublequoted: 'hello world', singlequoted: 'hello world', brackets: 'hello world' });
  });

  it('field_split with several characters', async () => {
    const e = await runFilter(kv, { field_split: '?&' }, "?hello=world&foo=bar&baz=fizz&doublequoted=\"hello world\"&singlequoted='hello world'&ignoreme&foo12=bar12");
    expect(e.toObject()).toMatchObject({ hello: 'world', foo: 'bar', baz: 'fizz', doublequoted: 'hello world', singlequoted: 'hello world', foo12: 'bar12' });
  });

  it('include_brackets => false', async () => {
    const e = await runFilter(kv, { include_brackets: false }, 'bracketsone=(hello world) bracketstwo=[hello world]');
    expect(e.get('bracketsone')).toBe('(hello');
    expect(e.get('bracketstwo')).toBe('[hello');
  });

  it('LOGSTASH-733: a delimiter overrides the space default', async () => {
    const e = await runFilter(kv, { field_split: '|' }, 'field1=test|field2=another test|field3=test3');
    expect(e.toObject()).toMatchObject({ field1: 'test', field2: 'another test', field3: 'test3' });
  });

  it('field_split_pattern with literal backslashes', async () => {
    const e = await runFilter(kv, { source: 'headers', field_split_pattern: '\\\\r\\\\n', value_split_pattern: ': ', whitespace: 'strict', target: 'headerskv' },
      { headers: 'Host: foo.com\\r\\nUser-Agent: Qwerty/1.2.3 (www.qwerty.org)\\r\\nContent-Type: text/xml; charset=utf-8\\r\\nAccept: */*\\r\\nAccept-Encoding: gzip, deflate\\r\\nContent-Length: 123\\r\\nX-UUID: 0:15713435944943992\\r\\n\\r\\n' });
    expect(e.get('headerskv')).toEqual({
      Host: 'foo.com', 'User-Agent': 'Qwerty/1.2.3 (www.qwerty.org)', 'Content-Type': 'text/xml; charset=utf-8', Accept: '*/*',
      'Accept-Encoding': 'gzip, deflate', 'Content-Length': '123', 'X-UUID': '0:15713435944943992',
    });
  });

  it('keys without values (#22) are ignored', async () => {
    const e = await runFilter(kv, { field_split: '\r\n', value_split: ' ', trim_key: ':' },
      'AccountStatus: 4\r\nAdditionalInformation\r\n\r\nCode: \r\nHttpStatusCode: \r\nIsSuccess: True\r\nMessage: \r\n');
    expect(e.get('AccountStatus')).toBe('4');
    expect(e.get('IsSuccess')).toBe('True');
    for (const k of ['AdditionalInformation', 'Code', 'HttpStatusCode', 'Message']) expect(e.includes(k)).toBe(false);
  });
});

describe('kv spec: recursive', () => {
  it('nested key=value in a bracketed value', async () => {
    const e = await runFilter(kv, { recursive: true }, 'IKE="Quick Mode completion" IKE\\ IDs = (subnet= x.x.x.x mask= 255.255.255.254 and host=y.y.y.y)');
    expect(e.get('IKE')).toBe('Quick Mode completion');
    expect(e.data['IKE\\ IDs']).toEqual({ subnet: 'x.x.x.x', mask: '255.255.255.254', host: 'y.y.y.y' });
  });

  it('a value without an inner splitter stays a string', async () => {
    const e = await runFilter(kv, { recursive: 'true' }, 'foo=bar');
    expect(e.get('foo')).toBe('bar');
  });

  it('foo=1 bar=(baz=2)', async () => {
    const e = await runFilter(kv, { recursive: 'true' }, 'foo=1 bar=(baz=2)');
    expect(e.get('foo')).toBe('1');
    expect(e.get('[bar][baz]')).toBe('2');
  });
});

describe('kv spec: keys', () => {
  it('prefix', async () => {
    const e = await runFilter(kv, { prefix: '__' }, M5);
    expect(e.toObject()).toMatchObject({ __hello: 'world', __foo: 'bar', __baz: 'fizz', __doublequoted: 'hello world', __singlequoted: 'hello world' });
  });

  it('include_keys', async () => {
    const e = await runFilter(kv, { include_keys: ['foo', 'singlequoted'] }, M5);
    expect(e.get('foo')).toBe('bar');
    expect(e.get('singlequoted')).toBe('hello world');
    expect(e.includes('hello')).toBe(false);
  });

  it('exclude_keys', async () => {
    const e = await runFilter(kv, { exclude_keys: ['foo', 'singlequoted'] }, M5);
    expect(e.toObject()).toMatchObject({ hello: 'world', baz: 'fizz', doublequoted: 'hello world' });
    expect(e.includes('foo')).toBe(false);
  });

  it('include_keys with prefix (matched before the prefix)', async () => {
    const e = await runFilter(kv, { include_keys: ['foo', 'singlequoted'], prefix: '__' }, M5);
    expect(e.get('__foo')).toBe('bar');
    expect(e.get('__singlequoted')).toBe('hello world');
  });

  it('exclude_keys with prefix', async () => {
    const e = await runFilter(kv, { exclude_keys: ['foo', 'singlequoted'], prefix: '__' }, M5);
    expect(e.toObject()).toMatchObject({ __hello: 'world', __baz: 'fizz', __doublequoted: 'hello world' });
    expect(e.includes('__foo')).toBe(false);
  });

  it('include_keys with a dynamic key', async () => {
    const e = await runFilter(kv, { source: 'data', include_keys: ['%{key}'] }, { data: 'foo=bar baz=fizz', key: 'foo' });
    expect(e.get('foo')).toBe('bar');
    expect(e.get('baz')).toBeUndefined();
  });

  it('exclude_keys with a dynamic key', async () => {
    const e = await runFilter(kv, { source: 'data', exclude_keys: ['%{key}'] }, { data: 'foo=bar baz=fizz', key: 'foo' });
    expect(e.get('foo')).toBeUndefined();
    expect(e.get('baz')).toBe('fizz');
  });

  it('include_keys and exclude_keys of the same keys exclude everything', async () => {
    const e = await runFilter(kv, { include_keys: ['foo', 'singlequoted'], exclude_keys: ['foo', 'singlequoted'] }, M5);
    for (const f of ['hello', 'foo', 'baz', 'doublequoted', 'singlequoted']) expect(e.includes(f)).toBe(false);
  });

  it('default_keys', async () => {
    const e = await runFilter(kv, { default_keys: ['foo', 'xxx', 'goo', 'yyy'] }, M5);
    expect(e.toObject()).toMatchObject({ hello: 'world', foo: 'bar', goo: 'yyy', baz: 'fizz', doublequoted: 'hello world', singlequoted: 'hello world' });
  });

  it('trim_key / trim_value: only leading and trailing spaces (#10)', async () => {
    const e = await runFilter(kv, { field_split: '|', value_split: '=', trim_value: ' ', trim_key: ' ' }, 'key1= value1 with spaces | key2 with spaces =value2');
    expect(e.get('key1')).toBe('value1 with spaces');
    expect(e.data['key2 with spaces']).toBe('value2');
  });

  it('trim_key / trim_value: repeated same-character sequence', async () => {
    const e = await runFilter(kv, { field_split: '|', value_split: '=', trim_value: ' ', trim_key: ' ' }, 'key1=  value1 with spaces    |  key2 with spaces  =value2');
    expect(e.get('key1')).toBe('value1 with spaces');
    expect(e.data['key2 with spaces']).toBe('value2');
  });

  it('trim_key / trim_value: multi-character sequence', async () => {
    const e = await runFilter(kv, { field_split: ' ', value_split: '=', trim_value: '<>,', trim_key: '%+' },
      'to=<foo@example.com>, orig_to=<bar@example.com>, %+relay=mail.example.com[private/dovecot-lmtp], delay=2.2, delays=1.9/0.01/0.01/0.21, dsn=2.0.0, status=sent (250 2.0.0 <foo@example.com> YERDHejiRSXFDSdfUXTV Saved) ');
    expect(e.toObject()).toMatchObject({
      to: 'foo@example.com', orig_to: 'bar@example.com', relay: 'mail.example.com[private/dovecot-lmtp]', delay: '2.2',
      delays: '1.9/0.01/0.01/0.21', dsn: '2.0.0', status: 'sent',
    });
  });

  it('remove_char_key / remove_char_value: everywhere in the text', async () => {
    const e = await runFilter(kv, { field_split: '|', value_split: '=', remove_char_value: ' ', remove_char_key: ' ' }, 'key1= value1 with spaces | key2 with spaces =value2');
    expect(e.get('key1')).toBe('value1withspaces');
    expect(e.get('key2withspaces')).toBe('value2');
  });
});

describe('kv spec: values', () => {
  it('allow_duplicate_values => false drops repeated pairs', async () => {
    const e = await runFilter(kv, { field_split: '&', source: 'source', allow_duplicate_values: false }, { source: 'foo=bar&foo=yeah&foo=yeah' });
    expect(e.get('foo')).toEqual(['bar', 'yeah']);
  });

  it('duplicate pairs are kept by default', async () => {
    const e = await runFilter(kv, { field_split: '&', source: 'source' }, { source: 'foo=bar&foo=yeah&foo=yeah' });
    expect(e.get('foo')).toEqual(['bar', 'yeah', 'yeah']);
  });

  it('allow_empty_values', async () => {
    const e = await runFilter(kv, { field_split: ' ', source: 'source', allow_empty_values: true, whitespace: 'strict' },
      { source: "present=one empty= emptyquoted='' present=two emptybracketed=[] endofinput=" });
    expect(e.get('present')).toEqual(['one', 'two']);
    expect(e.get('empty')).toBe('');
    expect(e.get('emptyquoted')).toBe('');
    expect(e.get('emptybracketed')).toBe('');
    expect(e.get('endofinput')).toBe('');
  });
});

describe('kv spec: source, target and common options', () => {
  it('add_tag applies on success only', async () => {
    const ok = await runFilter(kv, { add_tag: ['hello'] }, 'hello=world');
    expect(ok.get('hello')).toBe('world');
    expect(ok.get('tags')).toContain('hello');
    const no = await runFilter(kv, { add_tag: ['hello'] }, 'this is not key value');
    expect(no.get('tags')).toBeUndefined();
  });

  it('add_field applies on success only', async () => {
    const ok = await runFilter(kv, { add_field: ['whoa', 'fancypants'] }, 'hello=world');
    expect(ok.get('whoa')).toBe('fancypants');
    const no = await runFilter(kv, { add_field: ['whoa', 'fancypants'] }, 'this is not key value');
    expect(no.get('whoa')).toBeUndefined();
  });

  it('target', async () => {
    const e = await runFilter(kv, { target: 'kv' }, M5);
    expect(e.get('kv')).toEqual({ hello: 'world', foo: 'bar', baz: 'fizz', doublequoted: 'hello world', singlequoted: 'hello world' });
  });

  it('target with nothing found is not created', async () => {
    const e = await runFilter(kv, { target: 'kv' }, 'hello:world:foo:bar:baz:fizz');
    expect(e.get('kv')).toBeUndefined();
  });

  it('source from a sub field', async () => {
    const e = await runFilter(kv, { source: 'data' }, { data: M5 });
    expect(e.toObject()).toMatchObject({ hello: 'world', foo: 'bar', baz: 'fizz', doublequoted: 'hello world', singlequoted: 'hello world' });
  });

  it('source from @data', async () => {
    const e = await runFilter(kv, { source: '@data' }, { '@data': M5 });
    expect(e.toObject()).toMatchObject({ hello: 'world', foo: 'bar', baz: 'fizz' });
  });

  it('source and target', async () => {
    const e = await runFilter(kv, { source: 'data', target: 'kv' }, { data: M5 });
    expect(Object.keys(e.get('kv') as object)).toHaveLength(5);
  });

  it('a missing source does nothing and warns about nothing', async () => {
    const r = await filterRun(kv, { source: 'non-exisiting-field', target: 'kv' });
    const e = await r.run('');
    expect(e.get('non-exisiting-field')).toBeUndefined();
    expect(e.get('kv')).toBeUndefined();
    expect(r.ctx.logs.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('overwriting a string field (the source) with target', async () => {
    const e = await runFilter(kv, { source: 'happy', target: 'happy' }, { happy: 'foo=bar baz=fizz' });
    expect(e.get('[happy][foo]')).toBe('bar');
    expect(e.get('[happy][baz]')).toBe('fizz');
  });
});

describe('kv spec: configuration errors', () => {
  it('an empty value_split is refused', async () => {
    await expect(runFilter(kv, { value_split: '' }, 'random message')).rejects.toBeInstanceOf(PluginConfigError);
  });
  it('an empty value_split_pattern is refused', async () => {
    await expect(runFilter(kv, { value_split_pattern: '' }, 'x')).rejects.toBeInstanceOf(PluginConfigError);
  });
  it('an empty field_split_pattern is refused', async () => {
    await expect(runFilter(kv, { field_split_pattern: '' }, 'x')).rejects.toBeInstanceOf(PluginConfigError);
  });
});

describe('kv spec: multi character splitting', () => {
  const all = {
    hello: 'world', foo: 'bar', baz: 'fizz', doublequoted: 'hello world', singlequoted: 'hello world',
    bracketsone: 'hello world', bracketstwo: 'hello world', bracketsthree: 'hello world',
  };
  const cases: [string, Record<string, unknown>, string][] = [
    ['single split', { field_split: ' ', value_split: ':' }, M.replaceAll('=', ':')],
    ['value split multi', { field_split: ' ', value_split_pattern: '::' }, M.replaceAll('=', '::')],
    ['field and value split multi', { field_split_pattern: '__', value_split_pattern: '::' },
      "hello::world__foo::bar__baz::fizz__doublequoted::\"hello world\"__singlequoted::'hello world'__bracketsone::(hello world)__bracketstwo::[hello world]__bracketsthree::<hello world>"],
    ['field and value split multi with regex', { field_split_pattern: '_+', value_split_pattern: ':+' },
      "hello:world_foo::bar__baz:::fizz___doublequoted:::\"hello world\"____singlequoted:::::'hello world'____bracketsone:::(hello world)__bracketstwo:[hello world]_bracketsthree::::::<hello world>"],
    ['field and value split multi using single char', { field_split_pattern: ' ', value_split_pattern: ':' }, M.replaceAll('=', ':')],
    ['field and value split multi using escaping', { field_split_pattern: '\\?\\?', value_split_pattern: '\\+\\+' },
      "hello++world??foo++bar??baz++fizz??doublequoted++\"hello world\"??singlequoted++'hello world'??bracketsone++(hello world)??bracketstwo++[hello world]??bracketsthree++<hello world>"],
  ];
  for (const [name, opts, message] of cases) {
    it(name, async () => {
      expect((await runFilter(kv, opts, message)).toObject()).toMatchObject(all);
    });
  }

  it('multi-char field split pattern with a value that begins quoted and goes on unquoted', async () => {
    const e = await runFilter(kv, { field_split_pattern: '!!!!!' },
      'foo=bar!!!!!baz="quoted stuff" and more unquoted!!!!!msg="fully-quoted with a part! of the separator"!!!!!blip="this!!!!!is it"!!!!!empty=""!!!!!non-empty="foo"');
    expect(e.get('foo')).toBe('bar');
    expect(e.get('baz')).toBe('"quoted stuff" and more unquoted');
    expect(e.get('msg')).toBe('fully-quoted with a part! of the separator');
    expect(e.get('blip')).toBe('this!!!!!is it');
    expect(e.get('empty')).toBeUndefined();
    expect(e.get('non-empty')).toBe('foo');
  });

  it('standard field split with a value that begins quoted: the rest is cut off', async () => {
    const e = await runFilter(kv, {}, 'foo=bar baz="quoted stuff" and more unquoted msg="some fully-quoted message " empty="" non-empty="foo"');
    expect(e.get('foo')).toBe('bar');
    expect(e.get('baz')).toBe('quoted stuff');
    expect(e.get('msg')).toBe('some fully-quoted message ');
    expect(e.get('empty')).toBeUndefined();
    expect(e.get('non-empty')).toBe('foo');
  });

  it('example from @guyboertje in #15 (lookahead in field_split_pattern)', async () => {
    const e = await runFilter(kv, { field_split_pattern: ';\\s*(?=key.+?:)|;$', value_split_pattern: ':\\s+' },
      'key1: val1; key2: val2; key3:  https://site/?g={......"...;  CLR  rv:11.0)"..}; key4: val4;');
    expect(e.get('key1')).toBe('val1');
    expect(e.get('key2')).toBe('val2');
    expect(e.get('key3')).toBe('https://site/?g={......"...;  CLR  rv:11.0)"..}');
    expect(e.get('key4')).toBe('val4');
  });

  for (const [name, opts] of [['char class splitters', { field_split: '|', value_split: '=' }], ['pattern splitters', { field_split_pattern: '\\|', value_split_pattern: '=' }]] as const) {
    it(`empty values with ${name}`, async () => {
      const e = await runFilter(kv, opts, 'a=1|b=|c=3');
      expect(e.get('a')).toBe('1');
      expect(e.get('b')).toBeUndefined();
      expect(e.get('c')).toBe('3');
    });
  }
});

describe('kv spec: runtime errors', () => {
  // The spec makes parse raise; here the error is real: a key that is not a valid field reference.
  it('tags _kv_filter_error, logs, does not throw', async () => {
    const r = await filterRun(kv, {});
    const e = await r.run('foo=bar a[b=1');
    expect(e.get('tags')).toContain('_kv_filter_error');
    expect(r.ctx.logs.some((l) => l.level === 'warn' && l.msg === 'Exception while parsing KV')).toBe(true);
  });
  it('custom tag_on_failure (one or several)', async () => {
    expect((await runFilter(kv, { tag_on_failure: 'KV-ERROR' }, 'a[b=1')).get('tags')).toEqual(['KV-ERROR']);
    expect((await runFilter(kv, { tag_on_failure: ['kv_FAIL_one', '_kv_fail_TWO'] }, 'a[b=1')).get('tags')).toEqual(['kv_FAIL_one', '_kv_fail_TWO']);
  });
});

describe('kv spec: timeouts', () => {
  // Patterns of the form /(?:x+x+)+y/ backtrack exponentially on long runs of x not followed by y.
  const base = { value_split_pattern: '(?:=+=+)+:', timeout_millis: 250 };
  const pathological = 'foo========:bar baz================================================bingo';

  it('a pathological input is tagged _kv_filter_timeout, without default_keys or add_field', async () => {
    const started = Date.now();
    const e = await runFilter(kv, { ...base, default_keys: { default: 'key' }, add_field: { kv: 'success' } }, pathological);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(e.get('tags')).toEqual(['_kv_filter_timeout']);
    expect(e.includes('default')).toBe(false);
    expect(e.includes('kv')).toBe(false);
    expect(e.includes('foo')).toBe(false);
  });

  it('custom tag_on_timeout', async () => {
    const e = await runFilter(kv, { ...base, tag_on_timeout: 'BADKV' }, pathological);
    expect(e.get('tags')).toEqual(['BADKV']);
  });

  it('a non-pathological input is parsed, with or without the timeout', async () => {
    for (const timeout_millis of [250, 0]) {
      const e = await runFilter(kv, { ...base, timeout_millis }, 'foo==:bar baz==:bingo');
      expect(e.get('foo')).toBe('bar');
      expect(e.get('baz')).toBe('bingo');
    }
  });

  it('the next event after a timeout is parsed normally', async () => {
    // A longer timeout than upstream's 250 ms: the normal event must not time out on a loaded machine.
    const r = await filterRun(kv, { ...base, timeout_millis: 2000 });
    try {
      expect((await r.run(pathological)).get('tags')).toEqual(['_kv_filter_timeout']);
      expect((await r.run('foo==:bar')).get('foo')).toBe('bar');
    } finally { await r.close(); }
  });
});
