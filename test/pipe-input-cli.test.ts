/**
 * The pipe input through the real CLI: a real long-running command whose output lines become events, as
 * logstash-input-pipe's docs describe; the command is run again 10 seconds after it exits (upstream's
 * fixed delay, so one test waits that long).
 */
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, startCli, waitFor } from './helpers/cli.js';

function run(config: string, timeoutMs = 60_000): ReturnType<typeof startCli> {
  return startCli(['run', '-w', '1', '-e', config], { timeoutMs });
}

async function stop(cli: ReturnType<typeof startCli>): Promise<Record<string, unknown>[]> {
  cli.child.kill('SIGTERM');
  const r = await cli.done;
  expect(r.code, r.stderr).toBe(0);
  return jsonLines(r.stdout);
}

describe('pipe input through the CLI', () => {
  it('each line of the command\'s output is an event (CRLF and a last line without newline included)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-in-'));
    writeFileSync(join(dir, 'out.sh'), "printf 'one\\r\\ntwo\\nthree'\nsleep 600\n");
    const cli = run(`input { pipe { command => "sh ${dir}/out.sh" } } output { stdout { codec => json_lines } }`);
    await waitFor(() => jsonLines(cli.stdout()).length >= 2, 20_000, 'two lines');
    const events = await stop(cli);
    expect(events.slice(0, 2).map((e) => e.message)).toEqual(['one', 'two']);
    expect(events[0]).toMatchObject({ host: { name: hostname() }, process: { command_line: `sh ${dir}/out.sh` } });
  });

  it('a command that exits is run again (10 s later), its last line without newline kept', async () => {
    const cli = run("input { pipe { command => 'printf once' ecs_compatibility => disabled } } output { stdout { codec => json_lines } }");
    await waitFor(() => jsonLines(cli.stdout()).length >= 2, 40_000, 'a second run');
    const events = await stop(cli);
    expect(events.slice(0, 2).map((e) => [e.message, e.command, e.host])).toEqual([['once', 'printf once', hostname()], ['once', 'printf once', hostname()]]);
  });

  it('follows a file with tail -F; the multiline codec joins indented lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-in-'));
    const file = join(dir, 'app.log');
    writeFileSync(file, '');
    const cli = run(`input { pipe { command => "tail -n +1 -F ${file}" codec => multiline { pattern => "^\\s" what => "previous" } } } output { stdout { codec => json_lines } }`);
    await waitFor(() => /Pipelines running/.test(cli.stderr()), 20_000, 'the pipeline');
    appendFileSync(file, 'Exception: boom\n  at a()\n  at b()\nnext line\nlast\n');
    await waitFor(() => jsonLines(cli.stdout()).length >= 2, 20_000, 'joined events');
    const events = await stop(cli);
    expect(events.slice(0, 2).map((e) => e.message)).toEqual(['Exception: boom\n  at a()\n  at b()', 'next line']);
  });
});
