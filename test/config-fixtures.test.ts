/**
 * Config fixtures: fixtures/configs/valid/* (files and directories) load with the real plugins and no
 * diagnostics; each fixtures/configs/invalid/<name>.conf renders exactly <name>.expected (no colour).
 * Set SLUICE_UPDATE_FIXTURES=1 to rewrite the .expected files (then review the diff).
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline, renderDiagnostics } from '../src/config/load.js';

const root = join(import.meta.dirname, '..');
const validDir = 'fixtures/configs/valid';
const invalidDir = 'fixtures/configs/invalid';
const settings = { ecs: 'v8' as const, supportEscapes: false, env: {}, cwd: root };

describe('valid config fixtures', () => {
  const entries = readdirSync(join(root, validDir)).sort();
  it('has fixtures', () => expect(entries.length).toBeGreaterThanOrEqual(5));
  for (const entry of entries) {
    it(`${entry} loads without diagnostics`, async () => {
      const r = await loadPipeline({ paths: [join(validDir, entry)] }, settings);
      expect(renderDiagnostics(r.diagnostics, r.sources, { color: false })).toBe('');
      expect(r.plan).toBeDefined();
      expect(r.plan!.inputs.length).toBeGreaterThan(0);
      expect(r.plan!.outputs.length).toBeGreaterThan(0);
    });
  }

  it('chains a directory\'s files in name order', async () => {
    const r = await loadPipeline({ paths: [join(validDir, 'multi-file')] }, settings);
    const plan = r.plan!;
    expect([...r.sources.keys()]).toEqual(['01-inputs.conf', '02-parse.conf', '03-dates.conf', '04-more-outputs.conf'].map((f) => join(validDir, 'multi-file', f)));
    expect(plan.inputs.map((p) => p.id)).toEqual(['from_stdin']);
    expect(plan.filters.map((s) => s.type)).toEqual(['plugin', 'if']);
    expect(plan.outputs.map((s) => (s.type === 'plugin' ? s.plugin.name : s.type))).toEqual(['stdout', 'file']);
    expect(plan.outputs.map((s) => (s.type === 'plugin' ? s.plugin.location.file : ''))).toEqual([
      join(validDir, 'multi-file', '03-dates.conf'), join(validDir, 'multi-file', '04-more-outputs.conf')]);
  });
});

describe('invalid config fixtures', () => {
  const confs = readdirSync(join(root, invalidDir)).filter((f) => f.endsWith('.conf')).sort();
  it('has fixtures', () => expect(confs.length).toBeGreaterThanOrEqual(10));
  for (const conf of confs) {
    it(`${conf} renders its .expected errors`, async () => {
      const path = join(invalidDir, conf);
      const r = await loadPipeline({ paths: [path] }, settings);
      expect(r.plan).toBeUndefined();
      const text = renderDiagnostics(r.diagnostics, r.sources, { color: false });
      const expectedFile = join(root, invalidDir, conf.replace(/\.conf$/, '.expected'));
      if (process.env.SLUICE_UPDATE_FIXTURES === '1' || !existsSync(expectedFile)) writeFileSync(expectedFile, text);
      expect(text).toBe(readFileSync(expectedFile, 'utf8'));
    });
  }
});

describe('the syslog example of the Logstash documentation', () => {
  it('merges the two flat add_field arrays into one hash', async () => {
    const r = await loadPipeline({ paths: [join(validDir, 'docs-syslog-example.conf')] }, settings);
    const branch = r.plan!.filters[0]!;
    if (branch.type !== 'if') throw new Error('expected a conditional');
    const grok = branch.branches[0]!.steps[0]!;
    if (grok.type !== 'plugin') throw new Error('expected grok');
    expect(grok.plugin.options.add_field).toEqual({ received_at: '%{@timestamp}', received_from: '%{host}' });
    expect(r.plan!.inputs.map((p) => p.options.type)).toEqual(['syslog', 'syslog']);
  });
});

describe('environment variables in the env-defaults fixture', () => {
  it('uses the defaults when unset and the environment when set', async () => {
    const unset = await loadPipeline({ paths: [join(validDir, 'env-defaults.conf')] }, settings);
    expect(unset.plan!.inputs[0]!.options).toMatchObject({ port: 5044, tags: ['from_tcp'] });
    const out = unset.plan!.outputs[0]!;
    expect(out.type === 'plugin' && out.plugin.options).toMatchObject({ path: '/tmp/sluice-env-%{+YYYY-MM-dd}.log', file_mode: 0o640 });
    const set = await loadPipeline({ paths: [join(validDir, 'env-defaults.conf')] }, { ...settings, env: { SLUICE_FIXTURE_TCP_PORT: '6000', SLUICE_FIXTURE_OUT_DIR: '/var/log' } });
    expect(set.plan!.inputs[0]!.options.port).toBe(6000);
    const setOut = set.plan!.outputs[0]!;
    expect(setOut.type === 'plugin' && setOut.plugin.options.path).toBe('/var/log/sluice-env-%{+YYYY-MM-dd}.log');
  });
});
