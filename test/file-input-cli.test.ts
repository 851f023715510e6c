/**
 * The file input through the CLI: globs, fields with ECS on and off, start_position, read mode over a
 * directory of plain and gzip'd rotations in order with file_completed_action, per-file multiline,
 * max_open_files over 2,000 files, close_older, exclude, and config errors as Logstash words them.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLines, runCli, startCli, waitFor } from './helpers/cli.js';
import { checkConfig } from './helpers/pipeline-cli.js';
import { NumberedWriter, runFileInput, sleep, tempDir } from './helpers/file-tail.js';

const running: { child: import('node:child_process').ChildProcess }[] = [];
afterEach(() => { for (const r of running.splice(0)) r.child.kill('SIGKILL'); });

const numbered = (prefix: string, n: number): string => Array.from({ length: n }, (_, i) => `${prefix} ${i + 1}\n`).join('');

/** Run a config to completion (read mode with exit_after_read) and return its JSON lines. */
async function runToEnd(config: string, args: string[] = []): Promise<Record<string, unknown>[]> {
  const res = await runCli(['run', ...args, '-e', config], { timeoutMs: 60_000 });
  expect(res.code, res.stderr).toBe(0);
  return jsonLines(res.stdout);
}

describe('file input: tail mode', () => {
  it('reads three files found by a glob completely, each event with [log][file][path] and [host][name]', async () => {
    const dir = tempDir('glob');
    for (const name of ['a', 'b', 'c']) writeFileSync(join(dir, `${name}.log`), numbered(name, 100));
    writeFileSync(join(dir, 'ignored.txt'), 'not matched\n');
    const config = `input { file { path => ["${dir}/*.log"] start_position => "beginning" stat_interval => "100 ms" sincedb_path => "${dir}/sdb" } } output { stdout { codec => json_lines } }`;
    const cli = startCli(['run', '-e', config]);
    running.push(cli);
    await waitFor(() => jsonLines(cli.stdout()).length >= 300, 20_000, '300 events');
    await sleep(300);
    const events = jsonLines(cli.stdout());
    expect(events).toHaveLength(300);
    for (const name of ['a', 'b', 'c']) {
      const mine = events.filter((e) => (e.log as { file: { path: string } }).file.path === join(dir, `${name}.log`));
      expect(mine.map((e) => e.message)).toEqual(numbered(name, 100).trim().split('\n'));
    }
    const e = events[0]!;
    expect(e.host).toEqual({ name: execFileSync('hostname', { encoding: 'utf8' }).trim() });
    expect(e.event).toEqual({ original: e.message });
    expect(e['@version']).toBe('1');
    // The sincedb holds one Logstash-format line per file, at its end.
    cli.child.kill('SIGTERM');
    await cli.done;
    const sincedb = readFileSync(join(dir, 'sdb'), 'utf8').trim().split('\n');
    expect(sincedb).toHaveLength(3);
    for (const line of sincedb) {
      const [ino, major, minor, pos, active, ...path] = line.split(' ');
      expect(ino).toMatch(/^\d+$/);
      expect(major).toMatch(/^\d+$/);
      expect(minor).toMatch(/^\d+$/);
      expect(Number(active)).toBeGreaterThan(Date.now() / 1000 - 60);
      const file = path.join(' ');
      expect(Number(pos)).toBe(readFileSync(file).length);
    }
  }, 40_000);

  it('with ECS disabled the fields are path and host', async () => {
    const dir = tempDir('ecs-off');
    writeFileSync(join(dir, 'x.log'), 'hello\n');
    const config = `input { file { path => ["${dir}/x.log"] start_position => "beginning" stat_interval => "100 ms" sincedb_path => "/dev/null" ecs_compatibility => disabled } } output { stdout { codec => json_lines } }`;
    const cli = startCli(['run', '-e', config]);
    running.push(cli);
    await waitFor(() => jsonLines(cli.stdout()).length >= 1, 20_000, 'an event');
    const [e] = jsonLines(cli.stdout());
    expect(e!.path).toBe(join(dir, 'x.log'));
    expect(typeof e!.host).toBe('string');
    expect(e!.log).toBeUndefined();
    expect(e!.event).toBeUndefined();
  }, 30_000);

  it('start_position end skips what a file held at start-up; a file created later is read from its beginning', async () => {
    const dir = tempDir('start-end');
    const old = join(dir, 'old.log');
    writeFileSync(old, numbered('before', 5));
    const r = runFileInput(`path => ["${dir}/*.log"] stat_interval => "100 ms" discover_interval => 1 sincedb_path => "${dir}/sdb"`);
    running.push(r);
    await waitFor(() => r.stderr().includes('Pipelines running'), 20_000, 'start');
    await sleep(400);
    const w = new NumberedWriter(old);
    w.write(3);
    writeFileSync(join(dir, 'new.log'), numbered('fresh', 2));
    await waitFor(() => r.lines().length >= 5, 20_000, 'five lines');
    await sleep(300);
    const messages = r.lines().map((l) => l.split('|')[0]).sort();
    expect(messages).toEqual(['fresh 1', 'fresh 2', 'line 1', 'line 2', 'line 3']);
    w.close();
  }, 30_000);

  it('close_older flushes an unterminated last line; exclude leaves files out by name', async () => {
    const dir = tempDir('close-older');
    writeFileSync(join(dir, 'app.log'), 'complete\nno newline at the end');
    writeFileSync(join(dir, 'app.log.gzbak'), 'excluded\n');
    const r = runFileInput(`path => ["${dir}/app.log*"] exclude => ["*.gzbak"] start_position => "beginning" stat_interval => "100 ms" close_older => "1 sec" sincedb_path => "${dir}/sdb"`);
    running.push(r);
    await waitFor(() => r.lines().length >= 1, 20_000, 'the complete line');
    expect(r.lines()).toEqual([`complete|${dir}/app.log`]);
    await waitFor(() => r.lines().length >= 2, 10_000, 'the flushed last line');
    expect(r.lines()[1]).toBe(`no newline at the end|${dir}/app.log`);
    await sleep(300);
    expect(r.lines()).toHaveLength(2);
  }, 30_000);

  it('a multiline codec joins lines per file, never lines of two files', async () => {
    const dir = tempDir('multiline');
    const a = new NumberedWriter(join(dir, 'a.log'));
    const b = new NumberedWriter(join(dir, 'b.log'));
    const codec = 'codec => multiline { pattern => "^\\s" what => "previous" }';
    const config = `input { file { path => ["${dir}/*.log"] start_position => "beginning" stat_interval => "100 ms" sincedb_path => "/dev/null" ${codec} } } output { stdout { codec => json_lines } }`;
    const cli = startCli(['run', '-e', config]);
    running.push(cli);
    await waitFor(() => cli.stderr().includes('Pipelines running'), 20_000, 'start');
    for (let i = 1; i <= 20; i++) {
      a.raw(`A${i} head\n`);
      b.raw(`B${i} head\n`);
      a.raw(`  A${i} continued\n`);
      b.raw(`  B${i} continued\n`);
      await sleep(5);
    }
    a.raw('A-end\n');
    b.raw('B-end\n');
    await waitFor(() => jsonLines(cli.stdout()).length >= 40, 20_000, '40 joined events');
    const events = jsonLines(cli.stdout());
    for (const e of events) {
      const m = /^([AB])(\d+) head\n {2}\1\2 continued$/.exec(String(e.message));
      expect(m, String(e.message)).not.toBeNull();
      expect((e.log as { file: { path: string } }).file.path).toBe(join(dir, `${m![1]!.toLowerCase()}.log`));
      expect(e.tags).toEqual(['multiline']);
    }
    a.close();
    b.close();
  }, 30_000);

  it('2,000 files with max_open_files => 500: every file is read', async () => {
    const dir = tempDir('many');
    for (let i = 0; i < 2000; i++) writeFileSync(join(dir, `f${String(i).padStart(4, '0')}.log`), `file ${i} line 1\nfile ${i} line 2\n`);
    const r = runFileInput(`path => ["${dir}/*.log"] start_position => "beginning" max_open_files => 500 stat_interval => "100 ms" sincedb_path => "${dir}/sdb"`);
    running.push(r);
    await waitFor(() => r.lines().length >= 4000, 60_000, '4,000 lines');
    await sleep(300);
    const lines = r.lines();
    expect(lines).toHaveLength(4000);
    expect(new Set(lines).size).toBe(4000);
  }, 90_000);

  it('files that share a header are not taken for copies of a truncated one: a new one is read from its start', async () => {
    const dir = tempDir('shared-header');
    // Longer than the 256 bytes that identify a file: the two files' first bytes are the same.
    const header = `${Array.from({ length: 40 }, (_, i) => `column_${i}`).join(',')}\n`;
    const a = join(dir, 'a.csv');
    writeFileSync(a, header + numbered('a', 200));
    const r = runFileInput(`path => ["${dir}/*.csv"] start_position => "beginning" stat_interval => "100 ms" discover_interval => 1 sincedb_path => "${dir}/sdb"`);
    running.push(r);
    await waitFor(() => r.lines().length >= 201, 20_000, 'a.csv');
    // a.csv is truncated and starts again; then b.csv appears with the same header and more lines than a.csv had.
    writeFileSync(a, header);
    await sleep(400);
    writeFileSync(join(dir, 'b.csv'), header + numbered('b', 400));
    await waitFor(() => r.lines().filter((l) => l.startsWith('b ')).length >= 400, 20_000, 'all of b.csv');
    const b = r.lines().filter((l) => l.endsWith('/b.csv')).map((l) => l.split('|')[0]);
    expect(b[0]).toBe(header.trim());
    expect(b.slice(1)).toEqual(numbered('b', 400).trim().split('\n'));
  }, 30_000);

  it('a reused inode (a new file where a remembered one was) is read from its start, not from the old position', async () => {
    const dir = tempDir('inode-reuse');
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('old', 50));
    const options = `path => ["${log}"] start_position => "beginning" stat_interval => "100 ms" sincedb_path => "${dir}/sdb"`;
    const first = runFileInput(options);
    running.push(first);
    await waitFor(() => first.lines().length >= 50, 20_000, 'the old file');
    first.child.kill('SIGTERM');
    await first.done;
    // Same inode, other content: truncating and rewriting keeps the inode, as a reused one would be.
    writeFileSync(log, numbered('new', 60));
    const second = runFileInput(options);
    running.push(second);
    await waitFor(() => second.lines().length >= 60, 20_000, 'the new file');
    expect(second.lines()[0]).toBe(`new 1|${log}`);
  }, 40_000);
});

describe('file input: tail mode backlog', () => {
  it('with start_position => beginning, the rotated siblings found at start (gzip too) are read oldest first, then the live file is followed; a restart reads none of them again', async () => {
    const dir = tempDir('backlog');
    const now = Date.now() / 1000;
    const siblings: [string, string, number][] = [['app.log.3.gz', 'three', 4], ['app.log.2.gz', 'two', 3], ['app.log.1', 'one', 2], ['app.log', 'live', 1]];
    for (const [name, prefix, hoursAgo] of siblings) {
      const body = numbered(prefix, 3);
      writeFileSync(join(dir, name), name.endsWith('.gz') ? gzipSync(body) : body);
      utimesSync(join(dir, name), now - hoursAgo * 3600, now - hoursAgo * 3600);
    }
    const options = `path => ["${dir}/app.log*"] start_position => "beginning" stat_interval => "100 ms" sincedb_path => "${dir}/sdb"`;
    const r = runFileInput(options);
    running.push(r);
    await waitFor(() => r.lines().length >= 12, 20_000, 'the backlog');
    const live = new NumberedWriter(join(dir, 'app.log'));
    live.raw('live 4\n');
    await waitFor(() => r.lines().length >= 13, 20_000, 'the appended line');
    expect(r.lines().map((l) => l.split('|')[0])).toEqual([...['three', 'two', 'one', 'live'].flatMap((p) => [1, 2, 3].map((n) => `${p} ${n}`)), 'live 4']);
    r.child.kill('SIGTERM');
    await r.done;
    live.raw('live 5\n');
    const again = runFileInput(options);
    running.push(again);
    await waitFor(() => again.lines().length >= 1, 20_000, 'the line written while stopped');
    await sleep(500);
    expect(again.lines()).toEqual([`live 5|${join(dir, 'app.log')}`]);
    live.close();
  }, 40_000);
});

describe('file input: read mode', () => {
  it('reads gzip and plain rotations oldest first, logs each completed file, and exits with exit_after_read', async () => {
    const dir = tempDir('read');
    const logs = join(dir, 'logs');
    execFileSync('mkdir', ['-p', logs]);
    const files: [string, string, number][] = [
      ['app.log.3.gz', 'three', 4], ['app.log.2.gz', 'two', 3], ['app.log.1', 'one', 2], ['app.log', 'live', 1],
    ];
    const now = Date.now() / 1000;
    for (const [name, prefix, hoursAgo] of files) {
      const body = numbered(prefix, 3);
      writeFileSync(join(logs, name), name.endsWith('.gz') ? gzipSync(body) : body);
      utimesSync(join(logs, name), now - hoursAgo * 3600, now - hoursAgo * 3600);
    }
    const done = join(dir, 'completed.log');
    const events = await runToEnd(`input { file { path => ["${logs}/app.log*"] mode => "read" exit_after_read => true file_completed_action => "log" file_completed_log_path => "${done}" sincedb_path => "${dir}/sdb" } } output { stdout { codec => json_lines } }`);
    expect(events.map((e) => e.message)).toEqual(['three', 'two', 'one', 'live'].flatMap((p) => [1, 2, 3].map((n) => `${p} ${n}`)));
    expect(readFileSync(done, 'utf8')).toBe(files.map(([name]) => `${join(logs, name)}\n`).join(''));
    // Read again with the same sincedb: nothing is read twice.
    const again = await runToEnd(`input { file { path => ["${logs}/app.log*"] mode => "read" exit_after_read => true file_completed_action => "log" file_completed_log_path => "${done}" sincedb_path => "${dir}/sdb" } } output { stdout { codec => json_lines } }`);
    expect(again).toEqual([]);
  }, 60_000);

  it('file_sort_by => path, descending; the default action deletes completed files; a last line without newline is read', async () => {
    const dir = tempDir('read-delete');
    for (const n of [1, 2, 3]) writeFileSync(join(dir, `part-${n}.txt`), `part ${n} a\npart ${n} b`);
    const events = await runToEnd(`input { file { path => ["${dir}/part-*.txt"] mode => "read" exit_after_read => true file_sort_by => "path" file_sort_direction => "desc" sincedb_path => "${dir}/sdb" } } output { stdout { codec => json_lines } }`);
    expect(events.map((e) => e.message)).toEqual(['part 3 a', 'part 3 b', 'part 2 a', 'part 2 b', 'part 1 a', 'part 1 b']);
    for (const n of [1, 2, 3]) expect(existsSync(join(dir, `part-${n}.txt`))).toBe(false);
  }, 30_000);

  it('check_archive_validity skips a truncated gzip file and reads the good one', async () => {
    const dir = tempDir('read-gz-bad');
    const good = gzipSync(numbered('good', 2));
    writeFileSync(join(dir, 'a.gz'), good);
    writeFileSync(join(dir, 'b.gz'), gzipSync(numbered('bad', 2000)).subarray(0, 40));
    const res = await runCli(['run', '-e', `input { file { path => ["${dir}/*.gz"] mode => "read" exit_after_read => true check_archive_validity => true file_completed_action => "log" file_completed_log_path => "${dir}/done" sincedb_path => "${dir}/sdb" } } output { stdout { codec => json_lines } }`], { timeoutMs: 30_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(jsonLines(res.stdout).map((e) => e.message)).toEqual(['good 1', 'good 2']);
    expect(res.stderr).toContain('b.gz');
  }, 30_000);
});

describe('file input: configuration errors', () => {
  it('a relative path is refused at start-up, as Logstash does', async () => {
    const res = await checkConfig('input { file { path => ["logs/app.log"] } } output { stdout {} }');
    expect(res.code).toBe(1);
    expect(res.stderr + res.stdout).toContain('File paths must be absolute, relative path specified: logs/app.log');
  });

  it('file_completed_action => log needs file_completed_log_path; exit_after_read needs read mode; durations are checked', async () => {
    const a = await checkConfig('input { file { path => ["/tmp/x.log"] mode => "read" file_completed_action => "log" } } output { stdout {} }');
    expect(a.code).toBe(1);
    expect(a.stderr + a.stdout).toContain('file_completed_log_path');
    const b = await checkConfig('input { file { path => ["/tmp/x.log"] exit_after_read => true } } output { stdout {} }');
    expect(b.code).toBe(1);
    expect(b.stderr + b.stdout).toContain('The "exit_after_read" setting only works when the "mode" is set to "read"');
    const c = await checkConfig('input { file { path => ["/tmp/x.log"] close_older => "soon" } } output { stdout {} }');
    expect(c.code).toBe(1);
    expect(c.stderr + c.stdout).toContain("is not a valid duration string");
    const ok = await checkConfig('input { file { path => ["/tmp/x.log"] close_older => "2 hours" stat_interval => "250 ms" sincedb_clean_after => "2 weeks" } } output { stdout {} }');
    expect(ok.code, ok.stderr).toBe(0);
  });
});
