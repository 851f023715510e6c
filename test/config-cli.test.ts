/** The config language as a user meets it: the real CLI (`npm test` builds dist/ first). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, ROOT, runCli } from './helpers/cli.js';

const PIPELINE = `
input { stdin { codec => json_lines } }
filter {
  if [a] and [b] and [c] or [d] { mutate { add_tag => "abcd" } }
  if ![s] { mutate { add_tag => "falsy_s" } }
  if [status] == 200 { mutate { add_tag => "int200" } }
  if "x" in ["x"] { mutate { add_tag => "single_element_is_a_field" } }
  if [m] =~ /^\\/api\\// { mutate { add_tag => "api" } } else if [m] in ["GET", "HEAD"] { mutate { add_tag => "read" } } else { mutate { add_tag => "other" } }
  if [env] == "\${SLUICE_E2E_STAGE}" { mutate { add_field => { "stage_ok" => "\${SLUICE_E2E_STAGE:none}" } } }
}
output { stdout { codec => json_lines } }
`;

describe('conditionals through the real pipeline', () => {
  it('route events with Logstash\'s precedence, typing, truthiness and in/regex rules', async () => {
    const input = [
      { d: 1 }, // Logstash reads a and b and c or d as a and ((b and c) or d): false
      { a: 1, d: 1, s: 'false', m: '/api/x' },
      { status: '200', s: 'yes', m: 'GET', x: 'y' },
      { status: 200, s: '', m: 'POST', '"x"': 'xyz', env: 'prod' },
    ].map((o) => JSON.stringify(o)).join('\n') + '\n';
    const r = await runCli(['run', '-e', PIPELINE], { input, env: { SLUICE_E2E_STAGE: 'prod' } });
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events.map((e) => e.tags)).toEqual([
      ['falsy_s', 'other'],
      ['abcd', 'falsy_s', 'api'],
      ['read'],
      ['falsy_s', 'int200', 'single_element_is_a_field', 'other'],
    ]);
    expect(events[3]!.stage_ok).toBe('prod');
  });
});

describe('config errors on the command line', () => {
  it('-t prints the same report as the fixture\'s .expected and exits 1', async () => {
    const r = await runCli(['run', '-t', '-f', 'fixtures/configs/invalid/many-errors.conf']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(readFileSync(join(ROOT, 'fixtures/configs/invalid/many-errors.expected'), 'utf8'));
  });

  it('-t accepts every valid fixture', async () => {
    const r = await runCli(['run', '-t', '-f', 'fixtures/configs/valid/multi-file']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Configuration OK\n');
    expect(r.code).toBe(0);
  });

  it('substitutes environment variables from the real environment', async () => {
    const cfg = 'input { tcp { port => "${SLUICE_E2E_PORT}" } } output { stdout { } }';
    const missing = await runCli(['run', '-t', '-e', cfg]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('config string:1:23: error[SLC_UNDEFINED_VARIABLE]: Cannot evaluate `${SLUICE_E2E_PORT}`');
    const set = await runCli(['run', '-t', '-e', cfg], { env: { SLUICE_E2E_PORT: '5044' } });
    expect(set.stdout).toBe('Configuration OK\n');
  });
});
