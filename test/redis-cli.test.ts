/**
 * The redis input and output through the real CLI against a real redis-server (test/helpers/redis-server.ts).
 * Behaviour from logstash-input-redis / logstash-output-redis docs and lib/ (list pops, channels,
 * `[@metadata][redis_channel]`, batch, congestion_threshold). Not ported: their RSpec suites mock the
 * redis gem's client (method-call expectations), which says nothing about a real server; `command_map`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jsonLines, runCli, startCli, waitFor } from './helpers/cli.js';
import { haveRedis, startRedis, type RedisServer } from './helpers/redis-server.js';

const lines = (n: number, from = 0): string => Array.from({ length: n }, (_, i) => JSON.stringify({ message: `event ${from + i}`, n: from + i })).join('\n') + '\n';
const count = (text: string): number => (text.match(/\n/g) ?? []).length;

describe.skipIf(!haveRedis)('redis input and output with a real redis-server', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => { server = await startRedis(); redis = new Redis({ port: server.port, host: '127.0.0.1' }); });
  afterAll(async () => { await redis?.quit(); await server?.stop(); });

  it('one shipper and two indexers move 200,000 events exactly once between them, sharing the work', async () => {
    const idx = (id: string) => startCli(['run', '-e', `input { redis { host => "127.0.0.1" port => ${server.port} key => "work" data_type => "list" batch_count => 250 id => "${id}" } } output { stdout { codec => json_lines } }`], { timeoutMs: 180_000 });
    const a = idx('a');
    const b = idx('b');
    await waitFor(() => /Pipelines running/.test(a.stderr()) && /Pipelines running/.test(b.stderr()), 20_000, 'indexers');
    const N = 200_000;
    const shipper = await runCli(['run', '-e', `input { stdin { codec => json_lines } } output { redis { host => ["127.0.0.1:${server.port}"] key => "work" data_type => "list" batch => true batch_events => 100 } }`], { input: lines(N), timeoutMs: 120_000 });
    expect(shipper.code).toBe(0);
    await waitFor(() => count(a.stdout()) + count(b.stdout()) >= N, 90_000, 'all events indexed');
    a.child.kill('SIGTERM'); b.child.kill('SIGTERM');
    const [ra, rb] = await Promise.all([a.done, b.done]);
    const ea = jsonLines(ra.stdout); const eb = jsonLines(rb.stdout);
    expect(ea.length + eb.length).toBe(N);
    expect(new Set([...ea, ...eb].map((e) => e.n)).size).toBe(N);
    // Both did a share of the work.
    expect(ea.length).toBeGreaterThan(N / 10);
    expect(eb.length).toBeGreaterThan(N / 10);
    expect(ea[0]).toMatchObject({ message: expect.stringMatching(/^event \d+$/) });
    expect(await redis.llen('work')).toBe(0);
  }, 240_000);

  it('a channel broadcasts to both subscribers; a pattern channel sets [@metadata][redis_channel]', async () => {
    const sub = (extra: string) => startCli(['run', '-e', `input { redis { host => "127.0.0.1" port => ${server.port} ${extra} } } filter { mutate { copy => { "[@metadata][redis_channel]" => "channel" } } } output { stdout { codec => json_lines } }`]);
    const a = sub('key => "news" data_type => "channel"');
    const b = sub('key => "news" data_type => "channel"');
    const p = sub('key => "ne*" data_type => "pattern_channel"');
    await waitFor(() => [a, b, p].every((c) => /Subscribed/.test(c.stderr())), 20_000, 'subscribers');
    const r = await runCli(['run', '-e', `input { stdin { codec => json_lines } } output { redis { host => ["127.0.0.1"] port => ${server.port} key => "news" data_type => "channel" } }`], { input: lines(1000) });
    expect(r.code).toBe(0);
    await waitFor(() => [a, b, p].every((c) => count(c.stdout()) >= 1000), 20_000, 'broadcast');
    for (const c of [a, b, p]) c.child.kill('SIGTERM');
    const outs = await Promise.all([a.done, b.done, p.done]);
    for (const o of outs) expect(new Set(jsonLines(o.stdout).map((e) => e.n)).size).toBe(1000);
    expect(jsonLines(outs[2]!.stdout)[0]!.channel).toBe('news');
  }, 60_000);

  it('reliable => true: values left in the processing list by a crash are recovered at start, and the list is emptied after', async () => {
    await redis.del('jobs', 'jobs:proc:0');
    // As a crashed reader leaves it: values moved into its processing list, never removed.
    await redis.rpush('jobs:proc:0', JSON.stringify({ message: 'left 1' }), JSON.stringify({ message: 'left 2' }));
    await redis.rpush('jobs', ...Array.from({ length: 500 }, (_, i) => JSON.stringify({ message: `new ${i}` })));
    const cli = startCli(['run', '-e', `input { redis { port => ${server.port} key => "jobs" data_type => "list" reliable => true processing_key => "jobs:proc" batch_count => 50 } } output { stdout { codec => json_lines } }`]);
    await waitFor(() => count(cli.stdout()) >= 502, 20_000, 'events');
    await waitFor(() => false, 500, 'settle').catch(() => undefined);
    expect(await redis.llen('jobs:proc:0')).toBe(0);
    expect(await redis.llen('jobs')).toBe(0);
    cli.child.kill('SIGTERM');
    const evs = jsonLines((await cli.done).stdout);
    expect(evs.slice(0, 2).map((e) => e.message)).toEqual(['left 1', 'left 2']);
    expect(evs).toHaveLength(502);
  }, 60_000);

  it('reliable => true with a persisted queue: a reader killed with SIGKILL loses nothing; the next start delivers what it held', async () => {
    await redis.del('crash', 'crash:proc:0');
    const N = 20_000;
    await redis.rpush('crash', ...Array.from({ length: N }, (_, i) => JSON.stringify({ n: i })));
    // The processing list is trimmed once the queue accepted the events: a persisted queue has them on disk.
    const data = mkdtempSync(join(tmpdir(), 'sluice-redis-'));
    const conf = (slow: string) => ['--path.data', data, '--queue.type', 'persisted', '-e', `input { redis { port => ${server.port} key => "crash" data_type => "list" reliable => true processing_key => "crash:proc" } } ${slow} output { stdout { codec => json_lines } }`];
    // A slow filter: its queue fills with values moved but not delivered.
    const first = startCli(['run', '-b', '10', '-w', '1', ...conf('filter { sleep { time => "0.5" every => 50 } }')]);
    await waitFor(() => false, 1500, 'fill').catch(() => undefined);
    first.child.kill('SIGKILL');
    await first.done;
    const seen = new Set(jsonLines(first.stdout().slice(0, first.stdout().lastIndexOf('\n') + 1)).map((e) => e.n));
    const second = startCli(['run', ...conf('')]);
    await waitFor(() => { const s = new Set([...seen, ...jsonLines(second.stdout()).map((e) => e.n)]); return s.size >= N; }, 30_000, 'every value delivered')
      .catch(async (err: Error) => { throw new Error(`${err.message}: first ${seen.size}, second ${jsonLines(second.stdout()).length}, list ${await redis.llen('crash')}, proc ${await redis.llen('crash:proc:0')} ${second.stderr().slice(-1500)}`); });
    second.child.kill('SIGTERM');
    await second.done;
    expect(await redis.llen('crash')).toBe(0);
  }, 60_000);

  it('congestion_threshold holds the output while the list is long, and it resumes when drained', async () => {
    await redis.del('cong');
    const cli = startCli(['run', '-b', '5', '-w', '1', '-e', `input { stdin { codec => json_lines } } output { redis { host => ["127.0.0.1"] port => ${server.port} key => "cong" data_type => "list" congestion_threshold => 20 congestion_interval => 1 } }`]);
    // Fed over a few seconds: the threshold is checked at most once per congestion_interval, as in Logstash.
    // Fed once the pipeline runs (a busy machine may start it late and read everything at once).
    await waitFor(() => /Pipelines running/.test(cli.stderr()), 20_000, 'the pipeline');
    void (async () => {
      for (let i = 0; i < 200; i += 10) { cli.child.stdin!.write(lines(10, i)); await new Promise((r) => setTimeout(r, 150)); }
      cli.child.stdin!.end();
    })();
    await waitFor(() => /congestion threshold 20/.test(cli.stderr()), 20_000, 'congestion warning');
    // Held: nothing more is pushed while the list stays over the threshold.
    const held = await redis.llen('cong');
    expect(held).toBeGreaterThan(20);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await redis.llen('cong')).toBe(held);
    let got = 0;
    while (got < 200) {
      const v = await redis.lpop('cong', 50);
      got += v?.length ?? 0;
      if (!v) await new Promise((r) => setTimeout(r, 100));
    }
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(got).toBe(200);
  }, 60_000);
});
