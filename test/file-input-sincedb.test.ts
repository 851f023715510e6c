/**
 * The file input's sincedb format and duration options, with the examples of logstash-input-file's
 * spec/filewatch/sincedb_record_serializer_spec.rb and spec/inputs/friendly_durations_spec.rb ported
 * (our own test code), and a sincedb written by Logstash resumed through the CLI.
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deviceNumbers, formatSincedb, parseSincedb, saveSincedb, loadSincedb } from '../src/inputs/file/sincedb.js';
import { parseDuration } from '../src/plugins/coerce.js';
import { waitFor } from './helpers/cli.js';
import { runFileInput, sleep, tempDir } from './helpers/file-tail.js';

describe('sincedb records (sincedb_record_serializer_spec.rb)', () => {
  it('reads V1 records (inode major minor position)', () => {
    const [e] = parseSincedb('5391297 1 4 12\n');
    expect(e).toMatchObject({ key: '5391297 1 4', position: 12 });
  });

  it('reads V2 records with the last active time and the path', () => {
    const now = 1519319662.852678;
    const [e] = parseSincedb(`5391298 1 4 12 ${now} /a/path/to/1.log\n`);
    expect(e).toEqual({ key: '5391298 1 4', position: 12, lastActive: now, path: '/a/path/to/1.log' });
  });

  it('keeps spaces in a file name', () => {
    const [e] = parseSincedb('53912987 1 4 12 1519319662.5 /a/path/to/log log.log\n');
    expect(e!.path).toBe('/a/path/to/log log.log');
  });

  it('writes entries as Logstash does (no path when none is known)', () => {
    expect(formatSincedb([{ key: '42424242 2 5', position: 42, lastActive: 1519319662.852678, path: '' }])).toBe('42424242 2 5 42 1519319662.852678\n');
    expect(formatSincedb([{ key: '1 2 3', position: 7, lastActive: 10.5, path: '/var/log/a b.log' }])).toBe('1 2 3 7 10.5 /var/log/a b.log\n');
  });

  it('does not write entries older than sincedb_clean_after (14 days, then 2 days)', () => {
    const dir = tempDir('sincedb-expiry');
    const now = Date.now() / 1000;
    const twelveDaysAgo = now - 12 * 86400;
    const sixteenDaysAgo = twelveDaysAgo - 4 * 86400;
    const path = join(dir, 'sdb');
    const expired = saveSincedb(path, [
      { key: '42424242 2 5', position: 42, lastActive: twelveDaysAgo, path: '' },
      { key: '18181818 1 6', position: 99, lastActive: sixteenDaysAgo, path: '' },
    ], 14 * 86400, now);
    expect(expired).toEqual(['18181818 1 6']);
    expect([...loadSincedb(path).keys()]).toEqual(['42424242 2 5']);
    const oneDayAgo = now - 86400;
    saveSincedb(path, [
      { key: '42424242 2 5', position: 42, lastActive: oneDayAgo, path: '' },
      { key: '18181818 1 6', position: 99, lastActive: oneDayAgo - 2 * 86400, path: '' },
    ], 2 * 86400, now);
    expect([...loadSincedb(path).keys()]).toEqual(['42424242 2 5']);
  });

  it('splits a Linux dev_t into major and minor as glibc does', () => {
    expect(deviceNumbers(0x0801)).toEqual([8, 1]);
    expect(deviceNumbers(259 * 256 + 3)).toEqual([259, 3]);
    // glibc's makedev(0x1234, 0x56789): the low bits of each in the low word, the high bits above.
    const makedev = (major: bigint, minor: bigint): bigint => (minor & 0xffn) | ((major & 0xfffn) << 8n) | ((minor & ~0xffn) << 12n) | ((major & ~0xfffn) << 32n);
    expect(deviceNumbers(makedev(0x1234n, 0x56789n))).toEqual([0x1234, 0x56789]);
  });
});

describe('durations (friendly_durations_spec.rb)', () => {
  it('refuses what is not a duration', () => {
    expect(parseDuration('foobar')).toBeUndefined();
    expect(parseDuration('5 5 days')).toBeUndefined();
  });

  it('reads a bare number in the option\'s unit', () => {
    expect(parseDuration(14, 'days')).toBe(1209600);
    expect(parseDuration('10')).toBe(10);
  });

  const table: [string, number][] = [
    ['10.5 s', 10.5], ['10.75 secs', 10.75], ['11 second', 11], ['10 seconds', 10], ['500 ms', 0.5],
    ['750.9 msec', 0.7509], ['750.9 msecs', 0.7509], ['750.9 us', 0.0007509], ['750.9 usec', 0.0007509],
    ['750.9 usecs', 0.0007509], ['1.5m', 90], ['2.5 m', 150], ['1.25 min', 75], ['1 minute', 60],
    ['2.5 minutes', 150], ['2h', 7200], ['2 h', 7200], ['1 hour', 3600], ['1hour', 3600], ['3 hours', 10800],
    ['0.5d', 43200], ['1day', 86400], ['1 day', 86400], ['2days', 172800], ['14 days', 1209600], ['1w', 604800],
    ['1 w', 604800], ['1 week', 604800], ['2weeks', 1209600], ['2 weeks', 1209600], ['1.5 weeks', 907200],
  ];
  it.each(table)('%s is %d seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
});

describe('a sincedb written by Logstash', () => {
  const running: ReturnType<typeof runFileInput>[] = [];
  afterEach(() => { for (const r of running.splice(0)) r.child.kill('SIGKILL'); });

  it('is resumed: only what follows the recorded position is read', async () => {
    const dir = tempDir('sincedb-logstash');
    const log = join(dir, 'app.log');
    writeFileSync(log, 'already read 1\nalready read 2\nnew 1\nnew 2\n');
    const st = statSync(log);
    const [major, minor] = deviceNumbers(st.dev);
    // What Logstash writes: inode, major, minor, position, last active, path (no fingerprint sidecar).
    writeFileSync(join(dir, 'sdb'), `${st.ino} ${major} ${minor} ${'already read 1\nalready read 2\n'.length} ${Date.now() / 1000} ${log}\n`);
    const r = runFileInput(`path => ["${log}"] start_position => "beginning" stat_interval => "100 ms" sincedb_path => "${join(dir, 'sdb')}"`);
    running.push(r);
    await waitFor(() => r.lines().length >= 2, 20_000, 'the new lines');
    await sleep(300);
    expect(r.lines()).toEqual([`new 1|${log}`, `new 2|${log}`]);
  }, 30_000);
});
