/**
 * The csv output through the real CLI: JSON lines on stdin, CSV files on disk. From logstash-output-csv's
 * docs (fields, csv_options, spreadsheet_safe, the file output's path with sprintf and its failure file).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { checkConfig } from './helpers/pipeline-cli.js';

const input = (events: Record<string, unknown>[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const tmp = (): string => mkdtempSync(join(tmpdir(), 'sluice-csv-out-'));

describe('csv output through the CLI', () => {
  it('writes the fields of each event as a line, to a file per sprintf\'d path', async () => {
    const dir = tmp();
    const r = await runCli(['run', '-w', '1', '-e', `input { stdin { codec => json_lines } } output { csv { path => "${dir}/%{app}/%{+yyyy}.csv" fields => ["app", "[req][status]", "msg", "absent"] } }`], {
      input: input([
        { app: 'web', req: { status: 200 }, msg: 'GET /a, /b', '@timestamp': '2024-03-01T00:00:00Z' },
        { app: 'db', req: { status: 500 }, msg: 'said "no"', '@timestamp': '2024-03-01T00:00:00Z' },
        { app: 'web', req: { status: 404 }, msg: '=HYPERLINK("x")', '@timestamp': '2024-03-01T00:00:00Z' },
      ]),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'web', '2024.csv'), 'utf8')).toBe('web,200,"GET /a, /b",\nweb,404,"\'=HYPERLINK(""x"")",\n');
    expect(readFileSync(join(dir, 'db', '2024.csv'), 'utf8')).toBe('db,500,"said ""no""",\n');
  });

  it('csv_options give tab-separated values with Windows line ends; a second run appends', async () => {
    const dir = tmp();
    const config = `input { stdin { codec => json_lines } } output { csv { path => "${dir}/out.tsv" fields => ["a", "b"] csv_options => { "col_sep" => "\t" "row_sep" => "\r\n" } spreadsheet_safe => false } }`;
    for (const a of ['x y', '-1']) {
      const r = await runCli(['run', '-e', config], { input: input([{ a, b: 'c\td' }]) });
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readFileSync(join(dir, 'out.tsv'), 'utf8')).toBe('x y\t"c\td"\r\n-1\t"c\td"\r\n');
  });

  it('a path escaping its directory through a field goes to the failure file', async () => {
    const dir = tmp();
    const r = await runCli(['run', '-e', `input { stdin { codec => json_lines } } output { csv { path => "${dir}/logs/%{name}.csv" fields => ["v"] } }`], { input: input([{ name: '../../evil', v: 1 }, { name: 'ok', v: 2 }]) });
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, 'logs', '_filepath_failures'), 'utf8')).toBe('1\n');
    expect(readFileSync(join(dir, 'logs', 'ok.csv'), 'utf8')).toBe('2\n');
    expect(existsSync(join(dir, 'evil.csv'))).toBe(false);
  });

  it('gzip => true writes a gzip stream', async () => {
    const dir = tmp();
    const r = await runCli(['run', '-e', `input { stdin { codec => json_lines } } output { csv { path => "${dir}/o.csv.gz" fields => ["v"] gzip => true } }`], { input: input([{ v: 'a' }, { v: 'b' }]) });
    expect(r.code, r.stderr).toBe(0);
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(readFileSync(join(dir, 'o.csv.gz'))).toString('utf8')).toBe('a\nb\n');
  });

  it('config errors: fields missing, a dynamic first directory, an unknown csv option', async () => {
    const noFields = await checkConfig('input { stdin {} } output { csv { path => "/tmp/x.csv" } }');
    expect(noFields.code).toBe(1);
    expect(noFields.stderr + noFields.stdout).toMatch(/fields/);
    const dynamic = await checkConfig('input { stdin {} } output { csv { path => "/%{app}/x.csv" fields => ["a"] } }');
    expect(dynamic.code).toBe(1);
    expect(dynamic.stderr + dynamic.stdout).toMatch(/The starting part of the path should not be dynamic/);
    const unknown = await checkConfig('input { stdin {} } output { csv { path => "/tmp/x.csv" fields => ["a"] csv_options => { "colsep" => ";" } } }');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr + unknown.stdout).toMatch(/unknown option colsep/);
  });
});
