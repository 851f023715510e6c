// kv behaviours beyond the spec examples. Expected values come from logstash-filter-kv 4.7.1's own
// register/parse code (lib/logstash/filters/kv.rb) run under CRuby 3.1 (Onigmo, like Logstash's Joni):
// the scanner's Ruby source and what String#scan makes of each text.
import { describe, expect, it } from 'vitest';
import kv from '../src/filters/kv.js';
import { KvParser, kvSources, localScan, type KvSpec } from '../src/formats/kv.js';
import type { Hash } from '../src/event/values.js';
import { filterRun, runFilter } from './helpers/run-filter.js';
import { runCli, jsonLines } from './helpers/cli.js';

const SPEC: KvSpec = {
  fieldSplit: ' ', valueSplit: '=', whitespace: 'lenient', includeBrackets: true,
  allowDuplicateValues: true, allowEmptyValues: false, recursive: false,
};

async function parse(over: Partial<KvSpec>, text: string): Promise<Hash> {
  const p = await KvParser.create({ ...SPEC, ...over });
  const out: Hash = {};
  p.parse(text, { include: [], exclude: [], prefix: '' }, out, localScan);
  return out;
}

describe('kv scanner: the Ruby regexp the plugin builds', () => {
  it('defaults', () => {
    expect(kvSources(SPEC).scan).toBe(String.raw`(?-mix:((?:\\.|[^= ])+))(?-mix:(?-mix: *)(?-mix:[=])(?-mix: *))(?-mix:(?-mix:(?-mix:")(?-mix:((?:\\.|[^"])+))?(?-mix:"))|(?-mix:(?-mix:')(?-mix:((?:\\.|[^'])+))?(?-mix:'))|(?-mix:(?-mix:\()(?-mix:((?:\\.|[^\)])+))?(?-mix:\)))|(?-mix:(?-mix:\[)(?-mix:((?:\\.|[^\]])+))?(?-mix:\]))|(?-mix:(?-mix:<)(?-mix:((?:\\.|[^>])+))?(?-mix:>))|(?-mix:((?:\\.|[^ ])+)))?(?-mix:(?-mix:[ ])|(?-mix:$))`);
  });
  it('with both patterns', () => {
    expect(kvSources({ ...SPEC, fieldSplitPattern: '_+', valueSplitPattern: ':+' }).scan).toBe(String.raw`(?-mix:((?:(?!(?-mix:(?-mix:(?-mix: *)(?-mix::+)(?-mix: *))|(?-mix:_+)))(?:\\.|.))+))(?-mix:(?-mix: *)(?-mix::+)(?-mix: *))(?-mix:(?-mix:(?-mix:")(?-mix:((?:\\.|[^"])+))?(?-mix:"))|(?-mix:(?-mix:')(?-mix:((?:\\.|[^'])+))?(?-mix:'))|(?-mix:(?-mix:\()(?-mix:((?:\\.|[^\)])+))?(?-mix:\)))|(?-mix:(?-mix:\[)(?-mix:((?:\\.|[^\]])+))?(?-mix:\]))|(?-mix:(?-mix:<)(?-mix:((?:\\.|[^>])+))?(?-mix:>))|(?-mix:((?:(?!(?-mix:_+))(?:\\.|.))+)))?(?-mix:(?-mix:_+)|(?-mix:$))`);
  });
  it('strict whitespace, several field characters, no brackets', () => {
    expect(kvSources({ ...SPEC, fieldSplit: '?&', whitespace: 'strict', includeBrackets: false }).scan).toBe(String.raw`(?-mix:((?:\\.|[^=?&])+))(?-mix:[=])(?-mix:(?-mix:(?-mix:")(?-mix:((?:\\.|[^"])+))?(?-mix:"))|(?-mix:(?-mix:')(?-mix:((?:\\.|[^'])+))?(?-mix:'))|(?-mix:((?:\\.|[^?&])+)))?(?-mix:(?-mix:[?&])|(?-mix:$))`);
  });
});

describe('kv scanner: what String#scan finds', () => {
  it('newlines: $ ends a value at a line end, unquoted values run over newlines', async () => {
    expect(await parse({}, 'a=1\nb=2 c=x\ny d="multi\nline"')).toEqual({ a: '1\nb=2', c: 'x\ny', d: 'multi\nline' });
  });
  it('keys keep spaces next to a non-space field separator', async () => {
    expect(await parse({ fieldSplit: ',' }, 'k=v1,k=v2, spaced = x ,[a][b]=nested')).toEqual({ k: ['v1', 'v2'], ' spaced ': 'x ', '[a][b]': 'nested' });
  });
  it('several value separator characters', async () => {
    expect(await parse({ valueSplit: '=:' }, 'a:1 b=2 c=:3')).toEqual({ a: '1', b: '2', c: ':3' });
  });
  it('non-ASCII keys and values', async () => {
    expect(await parse({}, 'ünï=çødé клю=знач')).toEqual({ 'ünï': 'çødé', 'клю': 'знач' });
  });
  it('an escaped backslash before a field separator', async () => {
    expect(await parse({ fieldSplit: '&' }, 'a=\\\\&b=2')).toEqual({ a: '\\\\', b: '2' });
  });
  it('characters with a meaning in classes are taken as the class says (- and ])', async () => {
    expect(await parse({ fieldSplit: '-' }, 'a=1-b=2')).toEqual({ a: '1', b: '2' });
    expect(await parse({ valueSplit: ']' }, 'a]1 b]2')).toEqual({ a: '1', b: '2' });
  });
  it('allow_duplicate_values => false: a value contained in the first string value is dropped (String#include?)', async () => {
    expect(await parse({ fieldSplit: '&', allowDuplicateValues: false }, 'foo=yeah&foo=ye&foo=x')).toEqual({ foo: ['yeah', 'x'] });
  });
});

describe('kv filter', () => {
  it('keys are field references at the top level, plain keys under target', async () => {
    const top = await runFilter(kv, { field_split: ',' }, '[a][b]=1,c=2');
    expect(top.get('[a][b]')).toBe('1');
    const under = await runFilter(kv, { field_split: ',', target: 't' }, '[a][b]=1,c=2');
    expect(under.get('t')).toEqual({ '[a][b]': '1', c: '2' });
  });

  it('an array source: every string in it is parsed into one set of pairs', async () => {
    const e = await runFilter(kv, {}, { message: ['a=1', 7, 'a=2 b=3'] });
    expect(e.get('a')).toEqual(['1', '2']);
    expect(e.get('b')).toBe('3');
  });

  it('a source of another type is ignored with a warning', async () => {
    const r = await filterRun(kv, { add_tag: ['ok'] });
    const e = await r.run({ message: { a: 1 } });
    expect(e.get('tags')).toBeUndefined();
    expect(r.ctx.logs.some((l) => l.level === 'warn' && l.msg === 'kv filter has no support for this type of data')).toBe(true);
  });

  it('default_keys alone make a success; found keys win', async () => {
    const e = await runFilter(kv, { default_keys: { a: 'x', d: 'y' }, add_tag: ['ok'] }, 'no pairs here');
    expect(e.toObject()).toMatchObject({ a: 'x', d: 'y', tags: ['ok'] });
    expect((await runFilter(kv, { default_keys: { a: 'x' } }, 'a=1')).get('a')).toBe('1');
  });

  it('prefix and include_keys take sprintf', async () => {
    const e = await runFilter(kv, { prefix: '%{p}_' }, { message: 'a=1', p: 'z' });
    expect(e.get('z_a')).toBe('1');
  });

  it('logs the ECS target hint at info in ECS mode without target', async () => {
    const r = await filterRun(kv, {}, 'v8');
    expect(r.ctx.logs.some((l) => l.level === 'info' && l.msg.startsWith('ECS compatibility is enabled but `target`'))).toBe(true);
    const d = await filterRun(kv, {}, 'disabled');
    expect(d.ctx.logs.some((l) => l.level === 'info')).toBe(false);
  });

  it('a value with many backslashes cannot hang the pipeline: it runs under the timeout', async () => {
    // (?:\\.|[^= ])+ has two ways to read each "\x": a long run not followed by "=" backtracks exponentially.
    const e = await runFilter(kv, { timeout_millis: 300 }, `k=1 ${'\\a'.repeat(40)}`);
    expect(e.get('tags')).toEqual(['_kv_filter_timeout']);
  });

  it('an invalid regexp in an option is a config error naming it', async () => {
    await expect(runFilter(kv, { field_split_pattern: '(' }, 'x')).rejects.toMatchObject({ option: 'field_split_pattern' });
    await expect(runFilter(kv, { trim_key: '' }, 'x')).rejects.toMatchObject({ option: 'trim_key' });
    await expect(runFilter(kv, { field_split: '^' }, 'x')).rejects.toMatchObject({ option: 'field_split' });
  });
});

describe('kv through the CLI', () => {
  it('parses pairs, applies add_tag, tags failures', async () => {
    const cfg = `input { stdin { codec => json_lines } }
filter { kv { source => "msg" target => "kv" field_split => "&?" add_tag => ["kv_ok"] include_keys => ["a", "b"] } }
output { stdout { codec => json_lines } }`;
    const r = await runCli(['run', '-e', cfg], { input: '{"msg":"?a=1&b=two&c=3"}\n{"msg":"nothing"}\n' });
    expect(r.code).toBe(0);
    const [one, two] = jsonLines(r.stdout);
    expect(one).toMatchObject({ kv: { a: '1', b: 'two' }, tags: ['kv_ok'] });
    expect(two!.kv).toBeUndefined();
    expect(two!.tags).toBeUndefined();
  });

  it('times out a pathological event and goes on with the next', async () => {
    const cfg = `input { stdin { codec => json_lines } }
filter { kv { value_split_pattern => "(?:=+=+)+:" timeout_millis => 2000 } }
output { stdout { codec => json_lines } }`;
    const r = await runCli(['run', '-e', cfg], { input: `{"message":"foo========:bar baz${'='.repeat(48)}bingo"}\n{"message":"foo==:bar"}\n` });
    expect(r.code).toBe(0);
    const [one, two] = jsonLines(r.stdout);
    expect(one!.tags).toEqual(['_kv_filter_timeout']);
    expect(two).toMatchObject({ foo: 'bar' });
  });
});
