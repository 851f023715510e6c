/**
 * logstash.yml, pipelines.yml and the flags, through the real CLI: Logstash's precedence (flags over the
 * file), flat and nested keys, ${VAR:default}, errors at file:line for unknown keys and bad values,
 * several pipelines in one process joined by the pipeline bus, and the path.data lock.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, startCli, waitFor } from './helpers/cli.js';

function settingsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-settings-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const generator = (n: number, message = 'hello'): string => `input { generator { count => ${n} message => "${message}" } } output { stdout { codec => json_lines } }`;

describe('logstash.yml', () => {
  it('reads flat and nested keys with ${VAR:default}; flags win over the file', async () => {
    const dir = settingsDir({ 'logstash.yml': 'pipeline:\n  batch:\n    size: ${BATCH_SIZE:3}\npipeline.id: "${PIPE:custom}"\npipeline.workers: 1\n' });
    const r = await runCli(['run', '--path.settings', dir, '-e', generator(4)]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toHaveLength(4);
    expect(r.stderr).toMatch(/"pipeline\.batch\.size"=>3/);
    expect(r.stderr).toMatch(/\[custom\] Pipeline started/);
    const env = await runCli(['run', '--path.settings', dir, '-b', '9', '-e', generator(1)], { env: { PIPE: 'fromenv' } });
    expect(env.code).toBe(0);
    expect(env.stderr).toMatch(/"pipeline\.batch\.size"=>9/);
    expect(env.stderr).toMatch(/\[fromenv\] Pipeline started/);
  });

  it('refuses an unknown setting and a bad value, at file:line, with the nearest name', async () => {
    const dir = settingsDir({ 'logstash.yml': '# settings\npipline.workers: 2\nqueue:\n  type: persistent\n' });
    const r = await runCli(['run', '--path.settings', dir, '-e', generator(1)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`logstash\\.yml:2:1: error\\[SLC_UNKNOWN_SETTING\\]: unknown setting \`pipline\\.workers\``));
    expect(r.stderr).toMatch(/did you mean `pipeline\.workers`\?/);
    expect(r.stderr).toMatch(/logstash\.yml:4:9: error\[SLC_SETTING_VALUE\]: invalid value for setting `queue\.type`: expected one of memory, persisted, got "persistent"/);
    expect(r.stdout).toBe('');
  });

  it('accepts X-Pack and Java-only settings with a warning', async () => {
    const dir = settingsDir({ 'logstash.yml': 'xpack.monitoring.enabled: false\nhttp.host: "0.0.0.0"\npipeline.plugin_classloaders: true\n' });
    const r = await runCli(['run', '--path.settings', dir, '-t', '-e', generator(1)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Configuration OK\n');
    expect(r.stderr).toMatch(/warning\[SLC_SETTING_IGNORED\]: setting `xpack\.monitoring\.enabled` is ignored/);
    expect(r.stderr).toMatch(/setting `http\.host` is deprecated; use `api\.http\.host`/);
  });

  it('rejects an unknown flag with exit 2', async () => {
    const r = await runCli(['run', '--pipeline.wokers', '2', '-e', generator(1)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown flag --pipeline\.wokers/);
  });
});

describe('pipelines.yml', () => {
  it('runs several pipelines joined by pipeline output and input; every event passes', async () => {
    const dir = settingsDir({
      'logstash.yml': 'pipeline.workers: 1\n',
      'pipelines.yml': [
        '- pipeline.id: upstream',
        '  config.string: \'input { generator { count => 300 message => "up" } } output { pipeline { send_to => ["down"] } }\'',
        '- pipeline.id: downstream',
        '  pipeline.batch.size: 50',
        '  config.string: \'input { pipeline { address => "down" } } filter { mutate { add_field => { "via" => "bus" } } } output { stdout { codec => json_lines } }\'',
      ].join('\n') + '\n',
    });
    const r = await runCli(['run', '--path.settings', dir]);
    const events = jsonLines(r.stdout);
    expect(events).toHaveLength(300);
    expect(events.every((e) => e.message === 'up' && e.via === 'bus')).toBe(true);
    expect(r.stderr).toMatch(/Pipelines running \{:count=>2, :running_pipelines=>\[(:upstream, :downstream|:downstream, :upstream)\], :non_running_pipelines=>\[\]\}/);
    expect(r.code).toBe(0);
  }, 60_000);

  it('a pipeline that fails to compile is reported and the others run', async () => {
    const dir = settingsDir({
      'pipelines.yml': [
        '- pipeline.id: good',
        '  config.string: \'input { generator { count => 2 } } output { stdout { codec => json_lines } }\'',
        '- pipeline.id: bad',
        '  config.string: \'input { generator { count => 2 } } filter { mutat {} } output { stdout {} }\'',
      ].join('\n') + '\n',
    });
    const r = await runCli(['run', '--path.settings', dir]);
    expect(jsonLines(r.stdout)).toHaveLength(2);
    expect(r.stderr).toMatch(/unknown filter plugin `mutat`/);
    expect(r.stderr).toMatch(/:running_pipelines=>\[:good\], :non_running_pipelines=>\[:bad\]/);
    expect(r.code).toBe(1);
  });

  it('-e ignores pipelines.yml with Logstash\'s warning', async () => {
    const dir = settingsDir({ 'pipelines.yml': '- pipeline.id: other\n  config.string: "input { generator { count => 5 } } output { stdout {} }"\n' });
    const r = await runCli(['run', '--path.settings', dir, '-e', generator(1, 'from-e')]);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((e) => e.message)).toEqual(['from-e']);
    expect(r.stderr).toMatch(/Ignoring the 'pipelines\.yml' file because modules or command line options are specified/);
  });

  it('refuses entries without pipeline.id, with both config sources, or with a process-wide setting', async () => {
    const dir = settingsDir({ 'pipelines.yml': '- path.config: "/tmp/x.conf"\n- pipeline.id: b\n  path.config: /tmp/x.conf\n  config.string: "input {}"\n- pipeline.id: c\n  log.level: debug\n  config.string: "input { stdin {} }"\n' });
    const r = await runCli(['run', '--path.settings', dir, '-t']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/pipelines\.yml:1:3: error\[SLC_PIPELINE_ENTRY\]: a pipeline in pipelines\.yml has no `pipeline\.id`/);
    expect(r.stderr).toMatch(/pipeline `b` needs exactly one of `path\.config` or `config\.string`/);
    expect(r.stderr).toMatch(/pipelines\.yml:6:3: error\[SLC_SETTING_NOT_PER_PIPELINE\]: setting `log\.level` cannot be set per pipeline/);
  });
});

describe('path.data', () => {
  it('belongs to one process: a second one on the same directory refuses to start', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sluice-data-'));
    mkdirSync(data, { recursive: true });
    const first = startCli(['run', '--path.data', data, '-e', 'input { generator { count => 0 } } filter { drop {} } output { stdout {} }']);
    try {
      await waitFor(() => /Pipelines running/.test(first.stderr()), 20_000, 'the first process');
      const second = await runCli(['run', '--path.data', data, '-e', generator(1)]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(/already another instance using the configured data directory/);
      expect(second.stdout).toBe('');
    } finally {
      first.child.kill('SIGKILL');
      await first.done;
    }
    // The lock of a process killed with -9 does not keep the next one out.
    const third = await runCli(['run', '--path.data', data, '-e', generator(1)]);
    expect(third.code).toBe(0);
  }, 60_000);
});
