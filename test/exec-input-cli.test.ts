/**
 * The exec input through the real CLI: real commands run by `sh -c`, events on stdout. From
 * logstash-input-exec's docs: the whole output is one event (plain codec), the ECS and legacy fields,
 * `interval` and `schedule`, and the config error when neither (or both) is given.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, startCli, waitFor } from './helpers/cli.js';
import { checkConfig } from './helpers/pipeline-cli.js';

// @metadata is not printed by json_lines: copy it where it can be seen.
const SHOW_META = 'filter { mutate { copy => { "[@metadata]" => "meta" } } }';

async function runFor(config: string, events: number): Promise<Record<string, unknown>[]> {
  const cli = startCli(['run', '-e', config]);
  try {
    await waitFor(() => jsonLines(cli.stdout()).length >= events, 20_000, `${events} events`);
  } finally {
    cli.child.kill('SIGTERM');
  }
  const r = await cli.done;
  expect(r.code, r.stderr).toBe(0);
  return jsonLines(r.stdout);
}

describe('exec input through the CLI', () => {
  it('runs the command every interval; its whole output is one event with the ECS fields', async () => {
    const events = await runFor(`input { exec { command => "echo one; echo two; exit 2" interval => 0.2 } } ${SHOW_META} output { stdout { codec => json_lines } }`, 2);
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const e of events.slice(0, 2)) {
      expect(e).toMatchObject({
        message: 'one\ntwo\n',
        host: { name: hostname() },
        process: { command_line: 'echo one; echo two; exit 2', exit_code: 2 },
        event: { original: 'one\ntwo\n' },
      });
      expect(Number.isInteger((e.meta as { input: { exec: { process: { elapsed_time: number } } } }).input.exec.process.elapsed_time)).toBe(true);
    }
  });

  it('with ECS disabled: host, command, [@metadata][exit_status] and [@metadata][duration]', async () => {
    const [e] = await runFor(`input { exec { command => "printf x" interval => 60 ecs_compatibility => disabled } } ${SHOW_META} output { stdout { codec => json_lines } }`, 1);
    expect(e).toMatchObject({ message: 'x', host: hostname(), command: 'printf x', meta: { exit_status: 0 } });
    expect(typeof (e!.meta as { duration: number }).duration).toBe('number');
    expect(e!.process).toBeUndefined();
  });

  it('the codec decodes the output (json_lines: one event per line), and decoded fields are not overwritten', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-exec-in-'));
    writeFileSync(join(dir, 'out.sh'), `printf '{"n":1,"host":"mine"}\\n{"n":2}\\n'\n`);
    const events = await runFor(`input { exec { command => "sh ${dir}/out.sh" interval => 60 codec => json_lines ecs_compatibility => disabled } } output { stdout { codec => json_lines } }`, 2);
    expect(events.map((e) => [e.n, e.host])).toEqual([[1, 'mine'], [2, hostname()]]);
  });

  it('runs on a cron schedule (every second)', async () => {
    const events = await runFor('input { exec { command => "echo tick" schedule => "* * * * * *" } } output { stdout { codec => json_lines } }', 2);
    expect(events.slice(0, 2).map((e) => e.message)).toEqual(['tick\n', 'tick\n']);
  });

  it('config errors: neither interval nor schedule, both, a schedule that does not parse', async () => {
    for (const opts of ['', 'interval => 5 schedule => "* * * * *"']) {
      const r = await checkConfig(`input { exec { command => "ls" ${opts} } } output { stdout {} }`);
      expect(r.code).toBe(1);
      expect(r.stderr + r.stdout).toContain("exec input: either 'interval' or 'schedule' option must be defined.");
    }
    const bad = await checkConfig('input { exec { command => "ls" schedule => "61 * * * *" } } output { stdout {} }');
    expect(bad.code).toBe(1);
    expect(bad.stderr + bad.stdout).toMatch(/invalid cron line/);
  });
});
