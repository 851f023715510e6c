import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../src/config/load.js';
import type { PipelinePlan, PluginPlan } from '../src/config/plan.js';
import { isCodecPlan } from '../src/config/plan.js';
import { defineCodec, defineFilter, defineInput, defineOutput } from '../src/plugins/api.js';
import { registerPlugin } from '../src/plugins/registry.js';

const never = (): never => { throw new Error('not created in these tests'); };

// Fake plugins with one option of every kind; names chosen so they cannot clash with real plugins.
const fakes = [
  defineFilter({
    name: 'zz_opts',
    doc: 'test filter',
    options: {
      match: { type: 'hash', default: {}, doc: 'patterns' },
      names: { type: 'array', doc: 'names' },
      flag: { type: 'boolean', default: false, doc: 'a flag' },
      count: { type: 'number', default: 3, doc: 'a count' },
      mode: { type: 'string', values: ['fast', 'slow'], default: 'fast', doc: 'mode' },
      size: { type: 'bytes', default: '1 KiB', doc: 'size' },
      target: { type: 'field_reference', doc: 'target field' },
      hosts: { type: 'uri', list: true, doc: 'hosts' },
      ports: { type: 'number', list: true, doc: 'ports' },
      protocols: { type: 'array', list: true, values: ['TLSv1.2', 'TLSv1.3'], default: [], doc: 'protocols' },
      secret: { type: 'password', doc: 'secret' },
      file: { type: 'path', doc: 'a file' },
      label: { type: 'string', doc: 'label' },
      old: { type: 'string', deprecated: 'use `label` instead', doc: 'old' },
      gone: { type: 'string', obsolete: 'removed in 2.0', doc: 'gone' },
    },
    create: never,
  }),
  defineFilter({ name: 'zz_required', doc: 'needs x', options: { x: { type: 'string', required: true, doc: 'the x' }, l: { type: 'string', list: true, required: true, doc: 'the l' } }, create: never }),
  defineInput({ name: 'zz_in', doc: 'input', options: { codec: { type: 'codec', default: 'zz_codec', doc: 'codec' } }, create: never }),
  defineOutput({ name: 'zz_out', doc: 'output', options: {}, create: never }),
  defineCodec({ name: 'zz_codec', doc: 'codec', options: { charset: { type: 'string', default: 'UTF-8', values: ['UTF-8', 'ASCII'], doc: 'charset' } }, create: never }),
];
const undo: (() => void)[] = [];
beforeAll(() => { for (const f of fakes) undo.push(registerPlugin(f)); });
afterAll(() => { for (const u of undo) u(); });

async function load(text: string, env: Record<string, string> = {}, supportEscapes = false) {
  return loadPipeline({ text }, { ecs: 'v8', supportEscapes, env });
}

async function filterOptions(body: string, env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const r = await load(`input { zz_in {} } filter { zz_opts { ${body} } } output { zz_out {} }`, env);
  if (!r.plan) throw new Error(r.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  const step = r.plan.filters[0]!;
  if (step.type !== 'plugin') throw new Error('expected a plugin step');
  return step.plugin.options;
}

async function problems(body: string, env: Record<string, string> = {}): Promise<{ code: string; message: string; hint?: string }[]> {
  const r = await load(`input { zz_in {} } filter { ${body} } output { zz_out {} }`, env);
  return r.diagnostics.map(({ code, message, hint }) => (hint === undefined ? { code, message } : { code, message, hint }));
}

describe('option coercion', () => {
  it('fills defaults, coerced like given values', async () => {
    const o = await filterOptions('');
    expect(o).toMatchObject({ match: {}, flag: false, count: 3, mode: 'fast', size: 1024, enable_metric: true, add_tag: [] });
    expect(o).not.toHaveProperty('label');
  });

  it('turns "true"/"false" into booleans and rejects anything else', async () => {
    expect((await filterOptions('flag => "true"')).flag).toBe(true);
    expect((await filterOptions('flag => false')).flag).toBe(false);
    expect(await problems('zz_opts { flag => "yes" }')).toEqual([{
      code: 'SLC_INVALID_VALUE', message: 'invalid value for option `flag` of filter `zz_opts`: Expected boolean \'true\' or \'false\', got "yes"',
    }]);
  });

  it('reads numbers from strings with Ruby round-trip rules', async () => {
    expect((await filterOptions('count => "42"')).count).toBe(42);
    expect((await filterOptions('count => "2.5"')).count).toBe(2.5);
    expect((await filterOptions('count => 7.0')).count).toBe(7);
    expect((await problems('zz_opts { count => "007" }'))[0]!.code).toBe('SLC_INVALID_VALUE');
    expect((await problems('zz_opts { count => "abc" }'))[0]!.message).toContain('Expected number, got "abc"');
    expect((await problems('zz_opts { count => [1, 2] }'))[0]!.message).toContain('Expected number, got [1, 2]');
  });

  it('reads integer literals with a leading zero as octal, as Ruby\'s Integer() does', async () => {
    expect((await filterOptions('count => 0640')).count).toBe(416);
    expect((await filterOptions('count => -010')).count).toBe(-8);
    expect((await problems('zz_opts { count => 08 }'))).toEqual([{ code: 'SLC_BAD_NUMBER', message: 'invalid number `08`', hint: 'a leading 0 makes an octal number (digits 0-7); remove it or quote the value' }]);
    expect((await problems('zz_opts { count => 4. }'))[0]).toMatchObject({ code: 'SLC_BAD_NUMBER', hint: 'write 4.0' });
  });

  it('wraps a scalar given to an array option', async () => {
    expect((await filterOptions('names => "one"')).names).toEqual(['one']);
    expect((await filterOptions('names => ["a", "b"]')).names).toEqual(['a', 'b']);
  });

  it('turns a flat array given to a hash option into a hash', async () => {
    expect((await filterOptions('match => ["message", "%{A}", "other", "%{B}"]')).match).toEqual({ message: '%{A}', other: '%{B}' });
    expect((await filterOptions('match => ["message", "a", "message", "b"]')).match).toEqual({ message: ['a', 'b'] });
    expect((await problems('zz_opts { match => ["message"] }'))[0]!.message).toContain('This field must contain an even number of items, got 1');
  });

  it('merges repeated attributes: hashes merge, arrays concatenate, scalars pair up', async () => {
    expect((await filterOptions('match => { "a" => "1" } match => { "b" => "2" }')).match).toEqual({ a: '1', b: '2' });
    expect((await filterOptions('match => { "a" => "1" } match => { "a" => "2" }')).match).toEqual({ a: ['1', '2'] });
    expect((await filterOptions('add_tag => ["a"] add_tag => ["b", "c"]')).add_tag).toEqual(['a', 'b', 'c']);
    expect((await filterOptions('names => "x" names => "y"')).names).toEqual(['x', 'y']);
    expect((await problems('zz_opts { label => "x" label => "y" }'))[0]!.message).toContain('Expected string, got ["x", "y"]');
    expect((await filterOptions('label => "x" label => "x"')).label).toBe('x');
  });

  it('checks allowed values', async () => {
    expect((await filterOptions('mode => slow')).mode).toBe('slow');
    expect(await problems('zz_opts { mode => "medium" }')).toEqual([{
      code: 'SLC_INVALID_VALUE',
      message: 'invalid value for option `mode` of filter `zz_opts`: Expected one of ["fast", "slow"], got "medium"',
      hint: 'allowed values: "fast", "slow"',
    }]);
  });

  it('reads byte sizes with binary and decimal units', async () => {
    expect((await filterOptions('size => "10 MiB"')).size).toBe(10 * 1024 * 1024);
    expect((await filterOptions('size => "10MB"')).size).toBe(10_000_000);
    expect((await filterOptions('size => "2kib"')).size).toBe(2048);
    expect((await filterOptions('size => 512')).size).toBe(512);
    expect((await filterOptions('size => "1.5 KiB"')).size).toBe(1536);
    expect((await problems('zz_opts { size => "ten" }'))[0]!.message).toContain('Unparseable filesize: ten');
  });

  it('validates field references; an empty one is unset', async () => {
    expect((await filterOptions('target => "[a][b]"')).target).toBe('[a][b]');
    expect(await filterOptions('target => ""')).not.toHaveProperty('target');
    expect((await problems('zz_opts { target => "[a" }'))[0]!.message).toContain('Expected a valid field reference, got "[a"');
  });

  it('validates each item of a list option; an empty list is unset', async () => {
    expect((await filterOptions('ports => "514"')).ports).toEqual([514]);
    expect((await filterOptions('ports => [1, "2"]')).ports).toEqual([1, 2]);
    expect((await filterOptions('hosts => "http://a:9200"')).hosts).toEqual(['http://a:9200']);
    expect((await filterOptions('hosts => "${HOSTS}"', { HOSTS: 'http://a:9200 http://b:9200' })).hosts).toEqual(['http://a:9200', 'http://b:9200']);
    expect(await filterOptions('ports => []')).not.toHaveProperty('ports');
    expect((await filterOptions('protocols => ["TLSv1.2", "TLSv1.3"]')).protocols).toEqual(['TLSv1.2', 'TLSv1.3']);
    expect((await filterOptions('protocols => "TLSv1.3"')).protocols).toEqual(['TLSv1.3']);
    expect((await problems('zz_opts { protocols => ["SSLv3"] }'))[0]!.message).toContain('Expected one of ["TLSv1.2", "TLSv1.3"], got "SSLv3"');
    // Logstash turns an empty list into nil, defaults included.
    expect(await filterOptions('')).not.toHaveProperty('protocols');
    expect((await problems('zz_opts { ports => [1, "x"] }'))[0]!.code).toBe('SLC_INVALID_VALUE');
  });

  it('checks that a path exists', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cfg-'));
    writeFileSync(join(dir, 'f.txt'), 'x');
    expect((await filterOptions(`file => "${join(dir, 'f.txt')}"`)).file).toBe(join(dir, 'f.txt'));
    expect((await problems(`zz_opts { file => "${join(dir, 'nope.txt')}" }`))[0]!.message).toContain('File does not exist or cannot be opened');
  });

  it('keeps passwords and numbers-as-strings', async () => {
    const o = await filterOptions('secret => "s3cr3t" label => 12');
    expect(o.secret).toBe('s3cr3t');
    expect(o.label).toBe('12');
  });
});

describe('option declarations', () => {
  it('reports an unknown option with the nearest known name', async () => {
    expect(await problems('zz_opts { mach => { "a" => "b" } }')).toEqual([{
      code: 'SLC_UNKNOWN_OPTION', message: 'unknown option `mach` for filter `zz_opts`', hint: 'did you mean `match`?',
    }]);
  });

  it('reports missing required options, and an empty list as missing', async () => {
    const p = await problems('zz_required { l => [] }');
    expect(p.map((d) => d.code)).toEqual(['SLC_REQUIRED_OPTION', 'SLC_REQUIRED_OPTION']);
    expect(p[0]!.message).toBe('missing required option `x` for filter `zz_required`');
  });

  it('warns about deprecated options and rejects obsolete ones', async () => {
    const r = await load('input { zz_in {} } filter { zz_opts { old => "x" } } output { zz_out {} }');
    expect(r.plan).toBeDefined();
    expect(r.diagnostics).toMatchObject([{ code: 'SLC_DEPRECATED_OPTION', severity: 'warning' }]);
    const p = await problems('zz_opts { gone => "x" }');
    expect(p).toEqual([{ code: 'SLC_OBSOLETE_OPTION', message: 'option `gone` of filter `zz_opts` is obsolete: removed in 2.0' }]);
  });

  it('reports an unknown plugin with the nearest plugin name', async () => {
    expect(await problems('zz_opt { }')).toEqual([{ code: 'SLC_UNKNOWN_PLUGIN', message: 'unknown filter plugin `zz_opt`', hint: 'did you mean `zz_opts`?' }]);
  });

  it('says when an unknown name is a plugin of another kind', async () => {
    expect(await problems('zz_codec { }')).toEqual([{ code: 'SLC_UNKNOWN_PLUGIN', message: 'unknown filter plugin `zz_codec`', hint: '`zz_codec` is a codec plugin, not a filter' }]);
  });

  it('reports every problem of a config in one pass', async () => {
    const p = await problems('zz_opts { flag => "maybe" count => "x" nope => 1 } zz_required { } nosuch { }');
    expect(p.map((d) => d.code)).toEqual(['SLC_INVALID_VALUE', 'SLC_INVALID_VALUE', 'SLC_UNKNOWN_OPTION', 'SLC_REQUIRED_OPTION', 'SLC_REQUIRED_OPTION', 'SLC_UNKNOWN_PLUGIN']);
  });

  it('rejects duplicate keys in one hash literal', async () => {
    expect((await problems('zz_opts { match => { "a" => 1 "a" => 2 } }'))[0]!.code).toBe('SLC_DUPLICATE_KEY');
  });

  it('rejects a plugin as the value of a non-codec option', async () => {
    expect((await problems('zz_opts { label => zz_codec { } }'))[0]!.code).toBe('SLC_PLUGIN_VALUE');
  });
});

describe('codecs', () => {
  async function inputPlan(text: string): Promise<PluginPlan> {
    const r = await load(`input { ${text} } output { zz_out {} }`);
    if (!r.plan) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
    return r.plan.inputs[0]!;
  }

  it('resolves a codec block to a CodecPlan with validated options and defaults', async () => {
    const p = await inputPlan('zz_in { codec => zz_codec { charset => "ASCII" } }');
    expect(isCodecPlan(p.options.codec)).toBe(true);
    expect(p.options.codec).toMatchObject({ name: 'zz_codec', options: { charset: 'ASCII', enable_metric: true } });
  });

  it('accepts a codec name as a bare string', async () => {
    const p = await inputPlan('zz_in { codec => "zz_codec" }');
    expect(p.options.codec).toMatchObject({ name: 'zz_codec', options: { charset: 'UTF-8' } });
  });

  it('leaves the codec unset when not given, so the plugin picks its default', async () => {
    expect((await inputPlan('zz_in { }')).options).not.toHaveProperty('codec');
  });

  it('validates codec options like plugin options', async () => {
    const r = await load('input { zz_in { codec => zz_codec { charset => "EBCDIC" bogus => 1 } } } output { zz_out {} }');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SLC_INVALID_VALUE', 'SLC_UNKNOWN_OPTION']);
    const unknown = await load('input { zz_in { codec => jsn } } output { zz_out {} }');
    expect(unknown.diagnostics[0]).toMatchObject({ code: 'SLC_UNKNOWN_PLUGIN', message: 'unknown codec plugin `jsn`' });
  });
});

describe('ids', () => {
  const ids = (plan: PipelinePlan): string[] => [
    ...plan.inputs.map((p) => p.id),
    ...plan.filters.map((s) => (s.type === 'plugin' ? s.plugin.id : '?')),
    ...plan.outputs.map((s) => (s.type === 'plugin' ? s.plugin.id : '?')),
  ];

  it('generates <name>_<n> in config order and keeps explicit ids', async () => {
    const r = await load('input { zz_in {} zz_in { id => "zz_in_2" } zz_in {} } filter { zz_opts {} zz_opts {} } output { zz_out {} }');
    expect(ids(r.plan!)).toEqual(['zz_in_1', 'zz_in_2', 'zz_in_3', 'zz_opts_1', 'zz_opts_2', 'zz_out_1']);
  });

  it('rejects two plugins with the same id', async () => {
    const r = await load('input { zz_in { id => "a" } } filter { zz_opts { id => "a" } } output { zz_out {} }');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SLC_DUPLICATE_ID']);
    expect(r.plan).toBeUndefined();
  });
});

describe('environment variables and escapes in values', () => {
  it('substitutes ${VAR} and ${VAR:default} anywhere in strings, in arrays and hash values', async () => {
    const o = await filterOptions('label => "http://${HOST}:${PORT:9200}/x" names => ["${HOST}"] match => { "k" => "${HOST}" } count => "${N}"', { HOST: 'es', N: '5' });
    expect(o).toMatchObject({ label: 'http://es:9200/x', names: ['es'], match: { k: 'es' }, count: 5 });
  });

  it('reports an undefined variable without default at its location', async () => {
    const r = await load('input { zz_in {} }\nfilter {\n  zz_opts { label => "${MISSING_VAR}" }\n}\noutput { zz_out {} }');
    expect(r.diagnostics).toMatchObject([{ code: 'SLC_UNDEFINED_VARIABLE', line: 3, column: 22, file: 'config string' }]);
  });

  it('keeps backslashes as written unless config.support_escapes is on', async () => {
    const raw = await load('input { zz_in {} } filter { zz_opts { label => "a\\tb\\"c\\\\d\\qe" } } output { zz_out {} }');
    const rawLabel = (raw.plan!.filters[0] as { plugin: PluginPlan }).plugin.options.label;
    expect(rawLabel).toBe('a\\tb\\"c\\\\d\\qe');
    const esc = await load('input { zz_in {} } filter { zz_opts { label => "a\\tb\\"c\\\\d\\qe\\n" } } output { zz_out {} }', {}, true);
    expect((esc.plan!.filters[0] as { plugin: PluginPlan }).plugin.options.label).toBe('a\tb"c\\d\\qe\n');
  });
});
