import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

function confFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'sluice-check-')), 'pipeline.conf');
  writeFileSync(file, text);
  return file;
}

describe('plugins judge their own options at config-check time', () => {
  it('sluice run -t reports what plugins reject, at their location, with the other problems', async () => {
    const file = confFile([
      'input { tcp { port => 5000 codec => multiline { pattern => "^\\s" } } }',
      'filter {',
      '  mutate { convert => { "a" => "integr" } }',
      '  date { match => [ "ts", "MMM dd wwww" ] }',
      '  mutat { }',
      '}',
    ].join('\n'));
    const r = await runCli(['run', '-t', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:1:37: error[SLC_PLUGIN_CONFIG]: codec \`multiline\` rejects its configuration`);
    expect(r.stderr).toMatch(/`what` is required/);
    expect(r.stderr).toContain(`${file}:3:3: error[SLC_PLUGIN_CONFIG]: filter \`mutate\``);
    expect(r.stderr).toMatch(/Invalid conversion type 'integr'/);
    expect(r.stderr).toContain(`${file}:4:3: error[SLC_PLUGIN_CONFIG]: filter \`date\``);
    expect(r.stderr).toContain(`${file}:5:3: error[SLC_UNKNOWN_PLUGIN]`);
    expect(r.stderr).toMatch(/Configuration has 4 errors/);
  });

  it('a plugin whose options already failed validation is not checked again', async () => {
    const file = confFile('filter { mutate { convert => { "a" => "integr" } add_tag => { "x" => "y" } } }\n');
    const r = await runCli(['run', '-t', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain('SLC_PLUGIN_CONFIG');
    expect(r.stderr).toMatch(/Configuration has 1 error\b/);
  });

  it('an undefined or cyclic grok pattern is a config error naming the pattern, at the grok filter', async () => {
    const file = confFile([
      'filter {',
      '  grok { match => { "message" => "%{COMBINEDAPACHELOGX} %{IP:ip}" } }',
      '  grok { match => { "message" => "%{A}" } pattern_definitions => { "A" => "%{B}" "B" => "x%{A}" } }',
      '}',
    ].join('\n'));
    const r = await runCli(['run', '-t', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:2:3: error[SLC_GROK_UNDEFINED_PATTERN]`);
    expect(r.stderr).toMatch(/%\{COMBINEDAPACHELOGX\} is not defined/);
    expect(r.stderr).toContain(`${file}:3:3: error[SLC_GROK_CYCLIC_PATTERN]`);
    expect(r.stderr).toMatch(/A → B → A/);
  });
});
