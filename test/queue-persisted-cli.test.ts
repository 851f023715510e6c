/**
 * The persisted queue through the real CLI, killed as production kills it: events accepted while the
 * output is stuck survive `kill -9` and SIGTERM, and are delivered once the pipeline runs again with an
 * output that works.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli, waitFor } from './helpers/cli.js';

function listeningPort(stderr: string): number | undefined {
  const m = /Starting tcp input listener \{:address=>"[^"]*:(\d+)"/.exec(stderr) ?? /tcp input: listening \{:address=>"[^"]*:(\d+)"/.exec(stderr);
  return m ? Number(m[1]) : undefined;
}

async function send(port: number, lines: number): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => { s.once('connect', () => r()); s.once('error', j); });
  let text = '';
  for (let i = 0; i < lines; i++) text += `line ${i}\n`;
  await new Promise<void>((r) => s.end(text, () => r()));
}

function dirBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  // Files come and go while the queue runs (checkpoint.tmp, deleted pages).
  return readdirSync(dir).reduce((n, f) => { try { return n + statSync(join(dir, f)).size; } catch { return n; } }, 0);
}

/** Wait until the queue directory stops growing (everything sent has been written to its pages). */
async function settled(dir: string): Promise<void> {
  let last = -1;
  for (let stable = 0; stable < 5;) {
    await new Promise((r) => setTimeout(r, 200));
    const now = dirBytes(dir);
    stable = now === last && now > 0 ? stable + 1 : 0;
    last = now;
  }
}

const stuck = (extra = ''): string[] => [
  'run', '-w', '1', '--queue.type', 'persisted', '--queue.checkpoint.writes', '1', ...extra.split(' ').filter(Boolean),
  '-e', 'input { tcp { port => 0 host => "127.0.0.1" } } output { pipeline { send_to => ["nowhere"] } }',
];

async function drainTo(data: string, expected: number): Promise<string[]> {
  const out = join(data, 'out.jsonl');
  const cli = startCli(['run', '-w', '1', '--path.data', data, '--queue.type', 'persisted', '-e',
    `input { tcp { port => 0 host => "127.0.0.1" } } output { file { path => "${out}" codec => json_lines } }`]);
  const count = (): number => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).length : 0);
  try {
    await waitFor(() => count() >= expected, 60_000, `${expected} events in the output`);
    await new Promise((r) => setTimeout(r, 500)); // and not one more
  } finally {
    cli.child.kill('SIGTERM');
    await cli.done;
  }
  return readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { message: string }).message);
}

const lines = (n: number): string[] => Array.from({ length: n }, (_, i) => `line ${i}`);

describe('persisted queue, end to end', () => {
  it('kill -9 with a stuck output loses nothing: a restart delivers every accepted event once', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sluice-pq-kill-'));
    const first = startCli([...stuck(), '--path.data', data]);
    await waitFor(() => listeningPort(first.stderr()) !== undefined, 20_000, 'the tcp input');
    await send(listeningPort(first.stderr())!, 20_000);
    await settled(join(data, 'queue', 'main'));
    first.child.kill('SIGKILL');
    await first.done;
    const got = await drainTo(data, 20_000);
    expect(got.length).toBe(20_000);
    expect(new Set(got).size).toBe(20_000);
    expect(got.sort()).toEqual(lines(20_000).sort());
  }, 120_000);

  it('SIGTERM with a stuck output exits promptly and leaves the events for the next start', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sluice-pq-term-'));
    const first = startCli([...stuck(), '--path.data', data]);
    await waitFor(() => listeningPort(first.stderr()) !== undefined, 20_000, 'the tcp input');
    await send(listeningPort(first.stderr())!, 5000);
    await settled(join(data, 'queue', 'main'));
    const t0 = Date.now();
    first.child.kill('SIGTERM');
    const r = await first.done;
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.code).toBe(0);
    const got = await drainTo(data, 5000);
    expect(got.length).toBe(5000);
    expect(new Set(got).size).toBe(5000);
  }, 120_000);

  it('a blocked output holds the sender back once the queue reaches queue.max_bytes; the directory stays within it', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sluice-pq-full-'));
    const first = startCli([...stuck('--queue.max_bytes 1mb --queue.page_capacity 256kb'), '--path.data', data]);
    try {
      await waitFor(() => listeningPort(first.stderr()) !== undefined, 20_000, 'the tcp input');
      let finished = false;
      const sending = send(listeningPort(first.stderr())!, 2_000_000).then(() => { finished = true; });
      sending.catch(() => undefined);
      await settled(join(data, 'queue', 'main'));
      expect(finished).toBe(false);
      expect(dirBytes(join(data, 'queue', 'main'))).toBeLessThanOrEqual(1024 * 1024);
    } finally {
      first.child.kill('SIGKILL');
      await first.done;
    }
  }, 60_000);
});
