/**
 * The exec output through the real CLI: a real `sh -c` command per event, sprintf'd with its fields, as
 * logstash-output-exec's docs describe; its output shows in the log unless `quiet`.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const input = (events: Record<string, unknown>[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

describe('exec output through the CLI', () => {
  it('runs the command for each event with its fields; output is logged at info level', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-exec-out-'));
    const r = await runCli(['run', '-w', '1', '-e', `input { stdin { codec => json_lines } } output { exec { command => "echo %{ip} >> ${dir}/blocked; echo blocked %{ip}" } }`], {
      input: input([{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }]),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'blocked'), 'utf8')).toBe('10.0.0.1\n10.0.0.2\n');
    expect(r.stderr).toMatch(/\[INFO \]\[logstash\.outputs\.exec\s*\]\[main\]\[exec_1\] blocked 10\.0\.0\.1/);
    expect(r.stderr).toMatch(/blocked 10\.0\.0\.2/);
  });

  it('quiet => true keeps the command\'s output out of the log; a conditional picks the events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-exec-out-'));
    const r = await runCli(['run', '-e', `input { stdin { codec => json_lines } } output { if [type] == "abuse" { exec { command => "echo %{ip} >> ${dir}/ran; echo secret-output" quiet => true } } }`], {
      input: input([{ type: 'abuse', ip: '1.2.3.4' }, { type: 'ok', ip: '5.6.7.8' }]),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'ran'), 'utf8')).toBe('1.2.3.4\n');
    expect(r.stderr).not.toContain('secret-output');
  });
});
