/** `sluice plugins list`, as `bin/logstash-plugin list` prints it. */
import { describe, expect, it } from 'vitest';
import { pluginNames } from '../src/plugins/registry.js';
import { sluiceVersion } from '../src/services/package.js';
import { runCli } from './helpers/cli.js';

describe('sluice plugins list', () => {
  it('lists every plugin by its Logstash gem name, sorted', async () => {
    const r = await runCli(['plugins', 'list']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toContain('logstash-input-tcp');
    expect(lines).toContain('logstash-filter-grok');
    expect(lines).toContain('logstash-codec-json_lines');
    expect(lines).toContain('logstash-output-stdout');
    expect(lines).toEqual([...lines].sort());
    const all = (['input', 'filter', 'codec', 'output'] as const).reduce((n, k) => n + pluginNames(k).length, 0);
    expect(lines).toHaveLength(all);
  });

  it('--group keeps one kind, --verbose adds versions, a name filters', async () => {
    const r = await runCli(['plugins', 'list', '--verbose', '--group', 'codec']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(pluginNames('codec').length);
    for (const l of lines) expect(l).toMatch(new RegExp(`^logstash-codec-\\w+ \\(${sluiceVersion().replace(/\./g, '\\.')}\\)$`));
    const json = await runCli(['plugins', 'list', 'json']);
    expect(json.stdout.trim().split('\n')).toEqual(['logstash-codec-json', 'logstash-codec-json_lines', 'logstash-filter-json']);
  });

  it('refuses an unknown group or subcommand with exit 2', async () => {
    expect((await runCli(['plugins', 'list', '--group', 'outputs'])).code).toBe(2);
    const install = await runCli(['plugins', 'install', 'logstash-output-s3']);
    expect(install.code).toBe(2);
    expect(install.stderr).toMatch(/only `list` is supported/);
  });
});
