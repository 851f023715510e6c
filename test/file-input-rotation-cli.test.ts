/**
 * The file input under a writer and the real logrotate (Debian's package, installed by .ci/run), through
 * the CLI as a user runs it: every numbered line arrives exactly once across create, copytruncate and
 * compress+delaycompress rotations, across SIGTERM and restarts, and nothing is lost across kill -9.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from './helpers/cli.js';
import { logrotate, missingAndDuplicated, NumberedWriter, numbersOf, runFileInput, sleep, tempDir, waitForNumbers } from './helpers/file-tail.js';

const running: ReturnType<typeof runFileInput>[] = [];
afterEach(() => { for (const r of running.splice(0)) r.child.kill('SIGKILL'); });

function start(options: string): ReturnType<typeof runFileInput> {
  const r = runFileInput(options);
  running.push(r);
  return r;
}

async function started(r: ReturnType<typeof runFileInput>): Promise<void> {
  await waitFor(() => r.stderr().includes('Pipelines running'), 20_000, 'Pipelines running');
}

const fast = (dir: string): string =>
  `start_position => "beginning" stat_interval => "100 ms" discover_interval => 2 sincedb_write_interval => "200 ms" sincedb_path => "${join(dir, 'sincedb')}"`;

/** Write `rounds` bursts of lines, rotating after each with `directives`, then a last burst. */
async function writeAndRotate(dir: string, writer: NumberedWriter, rounds: number, directives: string[], reopen: boolean): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < 10; i++) { writer.write(20); await sleep(15); }
    logrotate(dir, writer.path, directives);
    // Lines written between the rotation and the reopen go to the rotated file, as with a real application.
    writer.write(5);
    await sleep(30);
    if (reopen) writer.reopen();
  }
  writer.write(50);
}

describe('file input with logrotate', () => {
  it('five create rotations (rename + new file): every line exactly once', async () => {
    const dir = tempDir('rot-create');
    const log = join(dir, 'app.log');
    const writer = new NumberedWriter(log);
    writer.write(10);
    const r = start(`path => ["${log}"] ${fast(dir)}`);
    await started(r);
    await writeAndRotate(dir, writer, 5, ['create'], true);
    const total = writer.next - 1;
    await waitForNumbers(r.lines, total);
    await sleep(300);
    const { missing, duplicated } = missingAndDuplicated(numbersOf(r.lines()), total);
    expect({ missing, duplicated }).toEqual({ missing: [], duplicated: [] });
    // Per file, order is kept: the numbers arrive in increasing order.
    const nums = numbersOf(r.lines());
    expect(nums).toEqual([...nums].sort((a, b) => a - b));
    expect(existsSync(join(dir, 'app.log.5'))).toBe(true);
    writer.close();
  }, 60_000);

  it('five copytruncate rotations with a glob that also matches the copies: nothing lost, nothing read twice', async () => {
    const dir = tempDir('rot-copytruncate');
    const log = join(dir, 'app.log');
    const writer = new NumberedWriter(log);
    writer.write(10);
    const r = start(`path => ["${log}*"] ${fast(dir)}`);
    await started(r);
    await writeAndRotate(dir, writer, 5, ['copytruncate'], false);
    const total = writer.next - 1;
    await waitForNumbers(r.lines, total);
    await sleep(500);
    const { missing, duplicated } = missingAndDuplicated(numbersOf(r.lines()), total);
    expect({ missing, duplicated }).toEqual({ missing: [], duplicated: [] });
    writer.close();
  }, 60_000);

  it('copytruncate on a path that does not match the copies: everything written after each copy arrives, once', async () => {
    const dir = tempDir('rot-copytruncate-single');
    const log = join(dir, 'app.log');
    const writer = new NumberedWriter(log);
    writer.write(10);
    const r = start(`path => ["${log}"] ${fast(dir)}`);
    await started(r);
    const afterCopy: number[] = [];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 5; i++) { writer.write(20); await sleep(15); }
      logrotate(dir, log, ['copytruncate']);
      const from = writer.next;
      writer.write(30);
      for (let n = from; n < writer.next; n++) afterCopy.push(n);
      await sleep(400);
    }
    await waitFor(() => afterCopy.every((n) => numbersOf(r.lines()).includes(n)), 20_000, 'the lines written after each copy');
    const nums = numbersOf(r.lines());
    expect(missingAndDuplicated(nums, writer.next - 1).duplicated).toEqual([]);
    writer.close();
  }, 60_000);

  it('compress + delaycompress rotations: every line exactly once, gzip rotations are not read as text', async () => {
    const dir = tempDir('rot-compress');
    const log = join(dir, 'app.log');
    const writer = new NumberedWriter(log);
    writer.write(10);
    const r = start(`path => ["${log}*"] ${fast(dir)}`);
    await started(r);
    await writeAndRotate(dir, writer, 5, ['create', 'compress', 'delaycompress'], true);
    const total = writer.next - 1;
    await waitForNumbers(r.lines, total);
    await sleep(500);
    const { missing, duplicated } = missingAndDuplicated(numbersOf(r.lines()), total);
    expect({ missing, duplicated }).toEqual({ missing: [], duplicated: [] });
    expect(readdirSync(dir).filter((f) => f.endsWith('.gz')).length).toBeGreaterThanOrEqual(3);
    // Nothing but the numbered lines came out (no binary gzip content).
    expect(r.lines().every((l) => /^line \d+\|/.test(l))).toBe(true);
    writer.close();
  }, 60_000);

  it('a line cut by the rotation is joined with its rest from the new file (Upstart)', async () => {
    const dir = tempDir('rot-partial');
    const log = join(dir, 'app.log');
    const writer = new NumberedWriter(log);
    writer.write(3);
    const r = start(`path => ["${log}"] ${fast(dir)}`);
    await started(r);
    await waitForNumbers(r.lines, 3);
    writer.raw('line 4 first half');
    await sleep(300);
    logrotate(dir, log, ['create']);
    writer.reopen();
    writer.raw(' second half\n');
    writer.next = 5;
    writer.write(2);
    await waitFor(() => r.lines().length >= 6, 10_000, 'six lines');
    await sleep(300);
    expect(r.lines().map((l) => l.split('|')[0])).toEqual(['line 1', 'line 2', 'line 3', 'line 4 first half second half', 'line 5', 'line 6']);
    writer.close();
  }, 30_000);
});

describe('file input restarts', () => {
  it('SIGTERM and restart with the same sincedb_path: nothing lost, nothing duplicated', async () => {
    const dir = tempDir('restart-term');
    const log = join(dir, 'app.log');
    const writer = new NumberedWriter(log);
    writer.write(500);
    const seen: number[] = [];
    for (let run = 0; run < 3; run++) {
      const r = start(`path => ["${log}"] ${fast(dir)}`);
      await started(r);
      for (let i = 0; i < 5; i++) { writer.write(100); await sleep(20); }
      await sleep(200);
      r.child.kill('SIGTERM');
      const res = await r.done;
      expect(res.code, res.stderr).toBe(0);
      seen.push(...numbersOf(r.lines()));
      // Written while sluice is down: read by the next run.
      writer.write(50);
    }
    const last = start(`path => ["${log}"] ${fast(dir)}`);
    await started(last);
    const total = writer.next - 1;
    await waitFor(() => new Set([...seen, ...numbersOf(last.lines())]).size >= total, 20_000, 'every line');
    await sleep(300);
    seen.push(...numbersOf(last.lines()));
    expect(missingAndDuplicated(seen, total)).toEqual({ missing: [], duplicated: [] });
    writer.close();
  }, 90_000);

  it('kill -9 and restart: nothing lost (at most what followed the last sincedb write is read again)', async () => {
    const dir = tempDir('restart-kill');
    const log = join(dir, 'app.log');
    const writer = new NumberedWriter(log);
    const seen: number[] = [];
    for (let run = 0; run < 3; run++) {
      const r = start(`path => ["${log}"] ${fast(dir)}`);
      await started(r);
      for (let i = 0; i < 20; i++) { writer.write(200); await sleep(10); }
      r.child.kill('SIGKILL');
      await r.done;
      seen.push(...numbersOf(r.lines()));
    }
    const last = start(`path => ["${log}"] ${fast(dir)}`);
    await started(last);
    const total = writer.next - 1;
    await waitFor(() => new Set([...seen, ...numbersOf(last.lines())]).size >= total, 30_000, 'every line');
    seen.push(...numbersOf(last.lines()));
    expect(missingAndDuplicated(seen, total).missing).toEqual([]);
    writer.close();
  }, 90_000);
});
