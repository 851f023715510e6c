/**
 * The file output through the real CLI, as a user runs it: `sluice run -e` with events as JSON lines on
 * stdin, files in a temporary directory. Behaviours of logstash-output-file (lib/logstash/outputs/file.rb):
 * one file per sprintf value, gzip members (a restart appends one), file_mode/dir_mode, overwrite, the
 * failure file for a path leaving the root, create_if_deleted, stale files closed.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zc, gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonLines, runCli, startCli, waitFor } from './helpers/cli.js';

const dirs: string[] = [];
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sluice-file-cli-'));
  dirs.push(d);
  return d;
}

const stdinTo = (output: string): string => `input { stdin { codec => json_lines } } output { file { ${output} } }`;
const input = (events: Record<string, unknown>[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';

async function run(output: string, events: Record<string, unknown>[]): Promise<string> {
  const r = await runCli(['run', '-e', stdinTo(output)], { input: input(events) });
  expect(r.code, r.stderr).toBe(0);
  return r.stderr;
}

const read = (path: string): Record<string, unknown>[] => (existsSync(path) ? jsonLines(readFileSync(path, 'utf8')) : []);

/** Paths the process has open (Linux). */
function openFiles(pid: number): string[] {
  return readdirSync(`/proc/${pid}/fd`).map((fd) => { try { return readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { return ''; } });
}

describe('file output through sluice run', () => {
  it('writes one file per sprintf value, each with its events in order', async () => {
    const dir = tempDir();
    await run(`path => "${dir}/%{app}/%{[log][level]}.log"`, [
      { app: 'web', log: { level: 'info' }, n: 1 }, { app: 'db', log: { level: 'warn' }, n: 2 },
      { app: 'web', log: { level: 'info' }, n: 3 }, { app: 'web', log: { level: 'error' }, n: 4 },
    ]);
    expect(readdirSync(dir).sort()).toEqual(['db', 'web']);
    expect(readdirSync(join(dir, 'web')).sort()).toEqual(['error.log', 'info.log']);
    expect(read(join(dir, 'web/info.log')).map((e) => e.n)).toEqual([1, 3]);
    expect(read(join(dir, 'web/error.log')).map((e) => e.n)).toEqual([4]);
    expect(read(join(dir, 'db/warn.log')).map((e) => e.n)).toEqual([2]);
  });

  it('gzip: the file is gzip that gunzip reads; a restart appends a second member, read as one stream', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.log.gz');
    await run(`path => "${out}" gzip => true`, [{ n: 1 }, { n: 2 }]);
    const first = readFileSync(out);
    expect(first.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(jsonLines(gunzipSync(first).toString()).map((e) => e.n)).toEqual([1, 2]);
    await run(`path => "${out}" gzip => true`, [{ n: 3 }]);
    const both = readFileSync(out);
    // Appended, not rewritten: the first run's member is still there, whole, and a new one follows it.
    expect(both.subarray(0, first.length)).toEqual(first);
    expect(both.subarray(first.length, first.length + 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(jsonLines(gunzipSync(both).toString()).map((e) => e.n)).toEqual([1, 2, 3]);
  });

  it('gzip: an event acknowledged is in the file already (sync-flushed), before the member is closed', async () => {
    const dir = tempDir();
    const out = join(dir, 'live.gz');
    const cli = startCli(['run', '-e', stdinTo(`path => "${out}" gzip => true`)]);
    cli.child.stdin!.write('{"n":1}\n');
    const partial = (): Record<string, unknown>[] => {
      if (!existsSync(out)) return [];
      return jsonLines(gunzipSync(readFileSync(out), { finishFlush: zc.Z_SYNC_FLUSH }).toString());
    };
    await waitFor(() => partial().length === 1, 15_000, 'the first event in the gzip file');
    expect(() => gunzipSync(readFileSync(out))).toThrow(/unexpected end/);
    cli.child.stdin!.end('{"n":2}\n');
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(jsonLines(gunzipSync(readFileSync(out)).toString()).map((e) => e.n)).toEqual([1, 2]);
  });

  it('file_mode and dir_mode (octal literals, as Logstash reads them) apply exactly to what it creates, umask aside', async () => {
    const dir = tempDir();
    const out = join(dir, 'a/b/out.log');
    // Group-writable modes: a umask of 022 would take the 2s away (JRuby ignores the umask here).
    await run(`path => "${out}" file_mode => 0662 dir_mode => 0771`, [{ n: 1 }]);
    const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);
    expect([mode(join(dir, 'a')), mode(join(dir, 'a/b')), mode(out)]).toEqual(['771', '771', '662']);
    expect(read(out).map((e) => e.n)).toEqual([1]);
  });

  it('write_behavior => overwrite leaves only the last event in the file', async () => {
    const dir = tempDir();
    const out = join(dir, 'state.json');
    await run(`path => "${out}" write_behavior => "overwrite" codec => json_lines`, [{ n: 1 }, { n: 2 }, { n: 3 }]);
    await run(`path => "${out}" write_behavior => "overwrite" codec => json_lines`, [{ n: 4 }, { n: 5 }]);
    expect(read(out).map((e) => e.n)).toEqual([5]);
  });

  it('a sprintf path leaving the root through .. goes to the failure file in the root, with a warning', async () => {
    const parent = tempDir();
    const dir = join(parent, 'logs');
    const stderr = await run(`path => "${dir}/%{name}.log" filename_failure => "_bad"`, [
      { name: 'ok', n: 1 }, { name: '../escaped', n: 2 }, { name: 'sub/../../../../etc/x', n: 3 }, { name: 'sub/../fine', n: 4 },
    ]);
    expect(readdirSync(parent)).toEqual(['logs']);
    expect(readdirSync(dir).sort()).toEqual(['_bad', 'fine.log', 'ok.log']);
    expect(read(join(dir, '_bad')).map((e) => e.n)).toEqual([2, 3]);
    expect(read(join(dir, 'fine.log')).map((e) => e.n)).toEqual([4]);
    expect(stderr).toMatch(/WARN.*outside the files root/);
  });

  it('refuses a path whose first directory is dynamic, at config check', async () => {
    const r = await runCli(['run', '-t', '-e', stdinTo('path => "/%{dir}/out.log"')]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/starting part of the path should not be dynamic/);
  });

  it('create_if_deleted (default): a file deleted while open is created again on the next event', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.log');
    const cli = startCli(['run', '-e', stdinTo(`path => "${out}"`)]);
    cli.child.stdin!.write('{"n":1}\n');
    await waitFor(() => read(out).length === 1, 15_000, 'the first event');
    rmSync(out);
    cli.child.stdin!.write('{"n":2}\n');
    await waitFor(() => read(out).length === 1, 15_000, 'the re-created file');
    cli.child.stdin!.end();
    expect((await cli.done).code).toBe(0);
    expect(read(out).map((e) => e.n)).toEqual([2]);
  });

  it('create_if_deleted => false: once the file is deleted, events go to the failure file', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.log');
    // The file must exist to be written at all.
    await run(`path => "${out}" create_if_deleted => false`, [{ n: 0 }]);
    expect(read(out)).toEqual([]);
    expect(read(join(dir, '_filepath_failures')).map((e) => e.n)).toEqual([0]);
    rmSync(join(dir, '_filepath_failures'));

    await run(`path => "${out}"`, [{ n: 1 }]);
    const cli = startCli(['run', '-e', stdinTo(`path => "${out}" create_if_deleted => false`)]);
    cli.child.stdin!.write('{"n":2}\n');
    await waitFor(() => read(out).length === 2, 15_000, 'the second event');
    rmSync(out);
    cli.child.stdin!.end('{"n":3}\n');
    expect((await cli.done).code).toBe(0);
    expect(existsSync(out)).toBe(false);
    expect(read(join(dir, '_filepath_failures')).map((e) => e.n)).toEqual([3]);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('closes a file not written to for stale_cleanup_interval, and opens it again for the next event', async () => {
    const dir = tempDir();
    const out = join(dir, 'idle.log');
    const cli = startCli(['run', '-e', stdinTo(`path => "${dir}/%{f}.log" stale_cleanup_interval => 1`)]);
    const pid = cli.child.pid!;
    cli.child.stdin!.write('{"f":"idle","n":1}\n');
    await waitFor(() => read(out).length === 1, 15_000, 'the first event');
    await waitFor(() => !openFiles(pid).includes(out), 15_000, 'the idle file to be closed');
    expect(cli.stderr()).toContain(`Closing file ${out}`);
    cli.child.stdin!.write('{"f":"idle","n":2}\n');
    await waitFor(() => read(out).length === 2, 15_000, 'the second event');
    cli.child.stdin!.end();
    const r = await cli.done;
    expect(r.code, r.stderr).toBe(0);
    expect(read(out).map((e) => e.n)).toEqual([1, 2]);
    expect(r.stderr.match(/Opening file \{:path=>"[^"]*idle\.log"\}/g)).toHaveLength(2);
  });
});
