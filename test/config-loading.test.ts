import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_STRING, loadPipeline, renderDiagnostics } from '../src/config/load.js';
import type { Step } from '../src/config/plan.js';
import { defineFilter, defineInput, defineOutput } from '../src/plugins/api.js';
import { registerPlugin } from '../src/plugins/registry.js';

const never = (): never => { throw new Error('not created in these tests'); };
const undo: (() => void)[] = [];
beforeAll(() => {
  undo.push(registerPlugin(defineInput({ name: 'zl_in', doc: '', options: {}, create: never })));
  undo.push(registerPlugin(defineFilter({ name: 'zl_f', doc: '', options: { tag: { type: 'string', doc: '' } }, create: never })));
  undo.push(registerPlugin(defineOutput({ name: 'zl_out', doc: '', options: {}, create: never })));
});
afterAll(() => { for (const u of undo) u(); });

const settings = { ecs: 'v8' as const, supportEscapes: false, env: {} };
const tags = (steps: Step[]): string[] => steps.map((s) => (s.type === 'plugin' ? String(s.plugin.options.tag) : 'if'));

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-load-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

describe('loading config files', () => {
  it('loads every file of a directory in sorted order, chaining filters and collecting outputs', async () => {
    const dir = dirWith({
      'b.conf': 'filter { zl_f { tag => "b" } } output { zl_out { id => "out_b" } }',
      'a.conf': 'input { zl_in {} } filter { zl_f { tag => "a1" } zl_f { tag => "a2" } }',
      'c.conf': 'filter { zl_f { tag => "c" } } output { zl_out { id => "out_c" } }',
      'c.conf~': 'this backup is skipped {',
      '.hidden.conf': 'this hidden file is skipped {',
      'sub/d.conf': 'directories are not entered {',
    });
    const r = await loadPipeline({ paths: [dir] }, settings);
    expect(r.diagnostics).toEqual([]);
    expect(tags(r.plan!.filters)).toEqual(['a1', 'a2', 'b', 'c']);
    expect(r.plan!.outputs.map((s) => (s.type === 'plugin' ? s.plugin.id : ''))).toEqual(['out_b', 'out_c']);
    expect([...r.sources.keys()]).toEqual(['a.conf', 'b.conf', 'c.conf'].map((f) => join(dir, f)));
  });

  it('expands globs, sorted', async () => {
    const dir = dirWith({ '2.conf': 'filter { zl_f { tag => "2" } }', '1.conf': 'input { zl_in {} } filter { zl_f { tag => "1" } }', 'x.txt': 'output { zl_out {} }' });
    const r = await loadPipeline({ paths: [join(dir, '*.conf')] }, settings);
    expect(tags(r.plan!.filters)).toEqual(['1', '2']);
  });

  it('takes several paths in the order given', async () => {
    const dir = dirWith({ 'z.conf': 'input { zl_in {} }', 'a.conf': 'output { zl_out {} }' });
    const r = await loadPipeline({ paths: [join(dir, 'z.conf'), join(dir, 'a.conf')] }, settings);
    expect([...r.sources.keys()]).toEqual([join(dir, 'z.conf'), join(dir, 'a.conf')]);
  });

  it('parses each file on its own, so errors name the right file and line, and other files are still checked', async () => {
    const dir = dirWith({
      '1.conf': 'input { zl_in {} }\n',
      '2.conf': 'filter {\n  zl_f { tag => "x", }\n}\n',
      '3.conf': 'output {\n  zl_outt {}\n}\n',
    });
    const r = await loadPipeline({ paths: [dir] }, settings);
    expect(r.plan).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.file, d.line, d.code])).toEqual([
      [join(dir, '2.conf'), 2, 'SLC_SYNTAX'],
      [join(dir, '3.conf'), 2, 'SLC_UNKNOWN_PLUGIN'],
    ]);
  });

  it('ignores a UTF-8 byte-order mark', async () => {
    const dir = dirWith({ 'bom.conf': '\uFEFFinput { zl_in {} } output { zl_out {} }' });
    const r = await loadPipeline({ paths: [join(dir, 'bom.conf')] }, settings);
    expect(r.diagnostics).toEqual([]);
  });

  it('reports a path that matches nothing, and an empty path', async () => {
    const r = await loadPipeline({ paths: ['/nonexistent/sluice.conf', '/nonexistent/*.conf', ''] }, settings);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SLC_CONFIG_NOT_FOUND', 'SLC_CONFIG_NOT_FOUND', 'SLC_CONFIG_NOT_FOUND']);
    expect(renderDiagnostics(r.diagnostics.slice(0, 1), r.sources, { color: false }))
      .toBe('/nonexistent/sluice.conf: error[SLC_CONFIG_NOT_FOUND]: cannot load configuration for path: /nonexistent/sluice.conf (no such file, or nothing matches)\n');
  });
});

describe('-e config strings', () => {
  it('names the source `config string`', async () => {
    const r = await loadPipeline({ text: 'input { zl_in {} }\nfilter { nope {} }' }, settings);
    expect(r.diagnostics[0]).toMatchObject({ file: CONFIG_STRING, line: 2, column: 10 });
  });

  it('adds Logstash\'s default stdin input and rubydebug stdout output when asked', async () => {
    const r = await loadPipeline({ text: 'filter { zl_f { tag => "t" } }' }, { ...settings, fillDefaults: true });
    expect(r.diagnostics).toEqual([]);
    expect(r.plan!.inputs).toMatchObject([{ name: 'stdin', options: { type: 'stdin' } }]);
    expect(r.plan!.outputs).toMatchObject([{ type: 'plugin', plugin: { name: 'stdout', options: { codec: { name: 'rubydebug' } } } }]);
  });

  it('keeps the config\'s own input and output, and adds both for an empty string', async () => {
    const own = await loadPipeline({ text: 'input { zl_in {} } output { zl_out {} }' }, { ...settings, fillDefaults: true });
    expect(own.plan!.inputs.map((p) => p.name)).toEqual(['zl_in']);
    expect(own.plan!.outputs).toHaveLength(1);
    const empty = await loadPipeline({ text: '' }, { ...settings, fillDefaults: true });
    expect(empty.plan!.inputs.map((p) => p.name)).toEqual(['stdin']);
    expect(empty.plan!.outputs).toHaveLength(1);
  });

  it('does not add defaults without fillDefaults', async () => {
    const r = await loadPipeline({ text: 'filter { zl_f {} }' }, settings);
    expect(r.plan).toEqual({ inputs: [], filters: [expect.objectContaining({ type: 'plugin' })], outputs: [] });
  });
});

describe('rendering', () => {
  it('shows file:line:col, the code, the source line, a caret under the column and the hint', async () => {
    const r = await loadPipeline({ text: 'input { zl_in {} }\nfilter {\n\tzl_f { tga => "x" }\n}' }, settings);
    expect(renderDiagnostics(r.diagnostics, r.sources, { color: false })).toBe([
      'config string:3:9: error[SLC_UNKNOWN_OPTION]: unknown option `tga` for filter `zl_f`',
      '3 | \tzl_f { tga => "x" }',
      '  | \t       ^',
      'hint: did you mean `tag`?',
      '',
    ].join('\n'));
  });

  it('colours only when asked', async () => {
    const r = await loadPipeline({ text: 'filter { nope {} }' }, settings);
    expect(renderDiagnostics(r.diagnostics, r.sources, { color: true })).toContain('\x1b[31merror[SLC_UNKNOWN_PLUGIN]\x1b[0m');
    expect(renderDiagnostics(r.diagnostics, r.sources, { color: false })).not.toContain('\x1b[');
  });

  // How long this takes is measured by bench/config-check.mjs, not asserted here.
  it('checks a large config (300 plugins in 150 conditionals) without a problem', async () => {
    const body = Array.from({ length: 150 }, (_, i) => `  if [f${i}] == ${i} and "x" in [tags] { zl_f { tag => "t${i}" } } else { zl_f { } }`).join('\n');
    const r = await loadPipeline({ text: `input { zl_in {} }\nfilter {\n${body}\n}\noutput { zl_out {} }` }, settings);
    expect(r.diagnostics).toEqual([]);
    expect(r.plan!.filters).toHaveLength(150);
  });
});
