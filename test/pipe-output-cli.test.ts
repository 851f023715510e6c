/**
 * The pipe output through the real CLI: events written to the standard input of real commands, as
 * logstash-output-pipe's docs describe (`command` with sprintf, string or array form, `message_format`,
 * `ttl`).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, startCli, waitFor } from './helpers/cli.js';

const input = (events: Record<string, unknown>[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

describe('pipe output through the CLI', () => {
  it('writes each event as a JSON line to the command, one process per sprintf\'d command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-out-'));
    const r = await runCli(['run', '-w', '1', '-e', `input { stdin { codec => json_lines } } output { pipe { command => "cat >> ${dir}/%{host}.log" } }`], {
      input: input([{ host: 'a', n: 1 }, { host: 'b', n: 2 }, { host: 'a', n: 3 }]),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(readFileSync(join(dir, 'a.log'), 'utf8')).map((e) => e.n)).toEqual([1, 3]);
    expect(jsonLines(readFileSync(join(dir, 'b.log'), 'utf8'))).toEqual([expect.objectContaining({ host: 'b', n: 2, '@version': '1' })]);
  });

  it('array form as in the docs (tee -a), with message_format', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-out-'));
    const r = await runCli(['run', '-w', '1', '-e', `input { stdin { codec => json_lines } } output { pipe { command => ["tee", "-a", "${dir}/logstash-%{host}.log"] message_format => "%{host} said %{message}" } }`], {
      input: input([{ host: 'web', message: 'hi; rm -rf x' }, { host: 'web', message: 'bye' }]),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'logstash-web.log'), 'utf8')).toBe('web said hi; rm -rf x\nweb said bye\n');
  });

  it('ttl closes an idle pipe while sluice runs on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-out-'));
    const cli = startCli(['run', '-e', `input { stdin { codec => json_lines } } output { pipe { command => "cat >> ${dir}/got; echo closed >> ${dir}/closed" ttl => 1 } }`]);
    cli.child.stdin!.write(input([{ n: 1 }]));
    await waitFor(() => existsSync(join(dir, 'closed')), 20_000, 'the idle pipe to be closed');
    expect(jsonLines(readFileSync(join(dir, 'got'), 'utf8')).map((e) => e.n)).toEqual([1]);
    cli.child.stdin!.end(input([{ n: 2 }]));
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(readFileSync(join(dir, 'got'), 'utf8')).map((e) => e.n)).toEqual([1, 2]);
    expect(readFileSync(join(dir, 'closed'), 'utf8')).toBe('closed\nclosed\n');
  });

  it('an empty command is a config error', async () => {
    const r = await runCli(['run', '-t', '-e', 'input { stdin {} } output { pipe { command => [] } }']);
    expect(r.code).toBe(1);
    expect(r.stderr + r.stdout).toContain("The 'command' setting must not be empty");
  });
});
