/**
 * `pipeline.workers` N on worker threads (`pipeline.worker_threads: true`, src/runtime/threads.ts): the filters run on N threads, the
 * outputs on the pipeline thread. Through the real CLI: the same events come out as with one worker
 * (every event once, same fields), events made and dropped by filters cross back, the persisted queue
 * still delivers everything, and pipelines whose filters keep state across events stay on one thread.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../src/config/load.js';
import { threadCount, whyNotThreaded } from '../src/runtime/threads.js';
import { jsonLines, runCli, startCli, waitFor, type CliResult } from './helpers/cli.js';

const apache = readFileSync(new URL('../fixtures/data/apache_access_10k.log', import.meta.url), 'utf8').split('\n').filter(Boolean).slice(0, 3000);
const GROK = 'filter { grok { match => { "message" => "%{COMBINEDAPACHELOG}" } } date { match => ["timestamp", "dd/MMM/yyyy:HH:mm:ss Z"] } }';

/** Events without what differs between runs (the arrival time of events whose date did not parse). */
function comparable(events: Record<string, unknown>[]): string[] {
  return events.map((e) => {
    const tags = e.tags as string[] | undefined;
    if (tags?.includes('_grokparsefailure') || tags?.includes('_dateparsefailure')) delete e['@timestamp'];
    return JSON.stringify(e);
  }).sort();
}

/**
 * `sluice run -w 2` on threads with its input written once every thread is ready (the pipeline thread
 * filters what comes before), so that the threads do the work; with how many events each side filtered.
 */
async function runOnReadyThreads(args: string[], input: string): Promise<CliResult & { onThreads: number; onPipelineThread: number }> {
  const cli = startCli(['run', '-w', '2', '--pipeline.worker_threads', 'true', '--log.level', 'debug', ...args], { timeoutMs: 60_000 });
  await waitFor(() => /worker threads ready/.test(cli.stderr()), 30_000, 'the worker threads');
  cli.child.stdin!.end(input);
  const r = await cli.done;
  const done = /worker threads done \{:events_on_threads=>(\d+), :events_on_pipeline_thread=>(\d+)\}/.exec(r.stderr);
  if (!done) throw new Error(`no worker threads summary in: ${r.stderr.slice(-2000)}`);
  return { ...r, onThreads: Number(done[1]), onPipelineThread: Number(done[2]) };
}

describe('workers on threads', () => {
  it('-w 2 gives the same events as -w 1, each once, and says it runs on threads', async () => {
    const input = `${apache.join('\n')}\n`;
    const config = `input { stdin {} } ${GROK} output { stdout { codec => json_lines } }`;
    const one = await runCli(['run', '-w', '1', '-e', config], { input, timeoutMs: 60_000 });
    const two = await runOnReadyThreads(['-e', config], input);
    expect(two.code).toBe(0);
    expect(two.stderr).toMatch(/filters run on worker threads \{:pipeline_id=>"main", :threads=>2, :decodes_input=>"stdin_1"\}/);
    expect(two.onThreads).toBe(apache.length);
    const a = comparable(jsonLines(one.stdout));
    const b = comparable(jsonLines(two.stdout));
    expect(b).toHaveLength(apache.length);
    expect(b).toEqual(a);
  }, 120_000);

  it('events a filter makes or drops on a thread come back right: clone, drop in a conditional, split', async () => {
    const lines = Array.from({ length: 500 }, (_, i) => JSON.stringify({ n: i, gone: i % 5 === 0, parts: [i, i + 1] }));
    const config = `input { stdin { codec => json_lines } }
      filter {
        if [gone] { drop {} }
        clone { clones => ["copy"] }
        split { field => "parts" }
      }
      output { stdout { codec => json_lines } }`;
    const r = await runOnReadyThreads(['-e', config], `${lines.join('\n')}\n`);
    expect(r.stderr).toMatch(/filters run on worker threads/);
    expect(r.onThreads).toBe(lines.length);
    const events = jsonLines(r.stdout);
    // 400 kept, each with one clone, each split in two.
    expect(events).toHaveLength(400 * 2 * 2);
    const kept = new Set(events.map((e) => e.n));
    expect(kept.size).toBe(400);
    expect([...kept].some((n) => (n as number) % 5 === 0)).toBe(false);
    expect(events.filter((e) => (e.tags as string[] | undefined)?.includes('copy'))).toHaveLength(800);
  }, 60_000);

  it('encodes for stdout on the threads and still routes by the output conditionals, other outputs getting the events', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-threads-out-'));
    const file = join(dir, 'errors.ndjson');
    const input = `${apache.join('\n')}\n`;
    // stdout takes bytes the threads encoded (rubydebug and json_lines alike); the file output takes events.
    const config = `input { stdin {} } ${GROK}
      output {
        if [http][response][status_code] >= 400 { file { path => "${file}" codec => json_lines } stdout { codec => line { format => "E %{[http][response][status_code]}" } } }
        else { stdout { codec => json_lines } }
      }`;
    const one = await runCli(['run', '-w', '1', '-e', config.replace(file, `${file}.one`)], { input, timeoutMs: 60_000 });
    const two = await runOnReadyThreads(['-e', config], input);
    expect(two.code).toBe(0);
    expect(two.onThreads).toBe(apache.length);
    const lines = (out: string) => out.split('\n').filter(Boolean);
    const errors = (out: string) => lines(out).filter((l) => l.startsWith('E ')).sort();
    const json = (out: string) => comparable(lines(out).filter((l) => !l.startsWith('E ')).map((l) => JSON.parse(l) as Record<string, unknown>));
    expect(errors(two.stdout)).toEqual(errors(one.stdout));
    expect(errors(two.stdout).length).toBeGreaterThan(10);
    expect(json(two.stdout)).toEqual(json(one.stdout));
    expect(json(two.stdout).length + errors(two.stdout).length).toBe(apache.length);
    const fileEvents = (f: string) => comparable(readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>));
    expect(fileEvents(file)).toEqual(fileEvents(`${file}.one`));
    expect(fileEvents(file)).toHaveLength(errors(two.stdout).length);
  }, 120_000);

  it('threads decode stdin themselves: same events in the same order, the last line without newline, the input\'s type/tags/add_field', async () => {
    // CRLF and a last line without its newline; more than one pipe read (about 600 KB), so several chunks.
    const input = `${apache.join('\r\n')}\r\nlast line without newline`;
    const config = `input { stdin { type => "web" tags => ["in"] add_field => { "src" => "%{type}-x" } } } ${GROK} output { stdout { codec => json_lines } }`;
    const one = await runCli(['run', '-w', '1', '-e', config], { input, timeoutMs: 60_000 });
    const two = await runOnReadyThreads(['-e', config], input);
    expect(two.code).toBe(0);
    expect(two.stderr).toMatch(/:decodes_input=>"stdin_1"/);
    expect(two.onThreads).toBe(apache.length + 1);
    const strip = (events: Record<string, unknown>[]) => events.map((e) => {
      const tags = e.tags as string[] | undefined;
      if (tags?.includes('_grokparsefailure')) delete e['@timestamp'];
      return JSON.stringify(e);
    });
    const a = strip(jsonLines(one.stdout));
    const b = strip(jsonLines(two.stdout));
    expect(b).toHaveLength(apache.length + 1);
    // Not sorted: the order of the input is kept.
    expect(b).toEqual(a);
    const last = jsonLines(two.stdout).at(-1)!;
    expect(last).toMatchObject({ message: 'last line without newline', type: 'web', src: 'web-x' });
    expect(last.tags).toEqual(['in', '_grokparsefailure']);
    // The line codec keeps the CR of CRLF, as Logstash's does.
    expect(jsonLines(two.stdout)[0]!.message).toBe(`${apache[0]}\r`);
  }, 120_000);

  it('the pipeline thread filters what comes before the threads are ready, in order, and hands over to them', async () => {
    const config = `input { stdin {} } ${GROK} output { stdout { codec => json_lines } }`;
    // A short run: done before the threads are up, or partly on them; either way every event, in order.
    const short = await runCli(['run', '-w', '2', '--pipeline.worker_threads', 'true', '--log.level', 'debug', '-e', config], { input: `${apache.slice(0, 10).join('\n')}\n`, timeoutMs: 60_000 });
    expect(short.code).toBe(0);
    expect(jsonLines(short.stdout).map((e) => (e.event as { original: string }).original)).toEqual(apache.slice(0, 10));
    const sums = /worker threads done \{:events_on_threads=>(\d+), :events_on_pipeline_thread=>(\d+)\}/.exec(short.stderr)!;
    expect(Number(sums[1]) + Number(sums[2])).toBe(10);
    // Lines written before and after the threads are ready: both sides filter, the order is the input's.
    const cli = startCli(['run', '-w', '2', '--pipeline.worker_threads', 'true', '--log.level', 'debug', '-e', config], { timeoutMs: 60_000 });
    cli.child.stdin!.write(`${apache.slice(0, 1000).join('\n')}\n`);
    await waitFor(() => /worker threads ready/.test(cli.stderr()), 30_000, 'the worker threads');
    cli.child.stdin!.end(`${apache.slice(1000).join('\n')}\n`);
    const r = await cli.done;
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout).map((e) => (e.event as { original: string }).original)).toEqual(apache);
    const split = /worker threads done \{:events_on_threads=>(\d+), :events_on_pipeline_thread=>(\d+)\}/.exec(r.stderr)!;
    expect(Number(split[1])).toBeGreaterThanOrEqual(apache.length - 1000);
    expect(Number(split[1]) + Number(split[2])).toBe(apache.length);
  }, 120_000);

  // queue.drain: without it, Logstash's persisted queue keeps what is not processed when stdin ends.
  it('with a persisted queue (queue.drain), every event is delivered once', async () => {
    const data = mkdtempSync(join(tmpdir(), 'sluice-threads-pq-'));
    const input = `${apache.join('\n')}\n`;
    const r = await runCli(['run', '-w', '2', '--pipeline.worker_threads', 'true', '--path.data', data, '--queue.type', 'persisted', '--queue.drain', 'true', '-e',
      `input { stdin {} } ${GROK} output { stdout { codec => json_lines } }`], { input, timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    const messages = jsonLines(r.stdout).map((e) => (e.event as { original: string }).original);
    expect(messages).toHaveLength(apache.length);
    expect(new Set(messages).size).toBe(new Set(apache).size);
  }, 60_000);

  it('the syslog input\'s TCP frames are decoded on the threads: same events as -w 1, each connection in order, frame problems tagged', async () => {
    const n = 1500;
    // Connection A: octet-counted RFC 5424, with one frame past max_frame_size; B: LF-terminated RFC 3164;
    // C: an octet-counted frame cut short by the connection closing.
    const a = Buffer.concat(Array.from({ length: n }, (_, i) => {
      const msg = Buffer.from(`<165>1 2024-05-01T10:00:00.${String(i % 1000).padStart(3, '0')}Z web-1 app 42 ID7 [m@1 seq="${i}"] msg A ${i}${i === 700 ? ' ' + 'x'.repeat(300) : ''}`);
      return Buffer.concat([Buffer.from(`${msg.length} `), msg]);
    }));
    const b = Buffer.from(Array.from({ length: n }, (_, i) => `<34>May  1 10:00:${String(i % 60).padStart(2, '0')} db-2 sshd[7]: msg B ${i}\n`).join(''));
    const c = Buffer.from('500 <34>1 2024-05-01T10:00:00Z h app - - - cut short');
    const send = (port: number, bytes: Buffer): Promise<void> => new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(bytes); });
      s.on('error', reject);
      s.on('close', () => resolve());
    });
    const run = async (threads: boolean): Promise<Record<string, unknown>[]> => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-threads-syslog-'));
      const out = join(dir, 'out.json');
      const config = `input { syslog { port => 0 host => "127.0.0.1" max_frame_size => 200 } } output { file { path => '${out}' } }`;
      const cli = startCli(['run', ...(threads ? ['-w', '2', '--pipeline.worker_threads', 'true'] : ['-w', '1']), '--log.level', 'debug', '--api.enabled', 'false', '-e', config], { timeoutMs: 60_000 });
      try {
        const listening = /syslog input \(tcp\): listening .*127\.0\.0\.1:(\d+)/;
        await waitFor(() => listening.test(cli.stderr()), 20_000, 'the syslog listener');
        if (threads) {
          expect(cli.stderr()).toMatch(/filters run on worker threads \{:pipeline_id=>"main", :threads=>2, :decodes_input=>"syslog_1"\}/);
          await waitFor(() => /worker threads ready/.test(cli.stderr()), 30_000, 'the worker threads');
        }
        const port = Number(listening.exec(cli.stderr())![1]);
        await Promise.all([send(port, a), send(port, b), send(port, c)]);
        const lines = (): number => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).length : 0);
        await waitFor(() => lines() >= 2 * n + 1, 30_000, 'every event in the file');
      } finally {
        cli.child.kill('SIGTERM');
        await cli.done;
      }
      // Decoded, stamped and encoded on the threads, every frame.
      if (threads) expect(cli.stderr()).toMatch(new RegExp(`worker threads done \\{:events_on_threads=>${2 * n + 1}, :events_on_pipeline_thread=>0\\}`));
      return jsonLines(readFileSync(out, 'utf8'));
    };
    const one = await run(false);
    const two = await run(true);
    for (const events of [one, two]) {
      expect(events).toHaveLength(2 * n + 1);
      const seqOf = (prefix: string): number[] => events.flatMap((e) => {
        const m = new RegExp(`^msg ${prefix} (\\d+)`).exec(String(e.message));
        return m ? [Number(m[1])] : [];
      });
      // Each connection's events in the order they were sent.
      expect(seqOf('A')).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(seqOf('B')).toEqual(Array.from({ length: n }, (_, i) => i));
      expect(events.filter((e) => (e.tags as string[] | undefined)?.includes('_syslogframetoolong'))).toHaveLength(1);
      const cut = events.filter((e) => (e.tags as string[] | undefined)?.includes('_syslogframeincomplete'));
      expect(cut).toHaveLength(1);
      expect((cut[0]!.host as { ip: string }).ip).toBe('127.0.0.1');
    }
    // The same events, whatever thread decoded them (the cut frames' arrival time aside).
    const same = (events: Record<string, unknown>[]): string[] => events.map((e) => {
      if ((e.tags as string[] | undefined)?.some((t) => t.startsWith('_syslog'))) delete e['@timestamp'];
      return JSON.stringify(e);
    }).sort();
    expect(same(two)).toEqual(same(one));
  }, 120_000);

  it('the tcp input\'s lines are decoded on the threads: each connection in order, with its own host and port', async () => {
    const n = 2000;
    const lines = (tag: string): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => JSON.stringify({ msg: `${tag} ${i}` })).join('\n') + '\n');
    const send = (port: number, bytes: Buffer): Promise<number> => new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => { const local = s.localPort!; s.end(bytes, () => resolve(local)); });
      s.on('error', reject);
    });
    const cli = startCli(['run', '-w', '2', '--pipeline.worker_threads', 'true', '--log.level', 'debug', '--api.enabled', 'false', '--pipeline.ecs_compatibility', 'disabled',
      '-e', 'input { tcp { port => 0 host => "127.0.0.1" codec => json_lines dns_reverse_lookup_enabled => false add_field => { "via" => "tcp" } } } filter { mutate { add_field => { "seen" => "%{msg}" } } } output { stdout { codec => json_lines } }'], { timeoutMs: 60_000 });
    try {
      await waitFor(() => /worker threads ready/.test(cli.stderr()) && /tcp input: listening .*127\.0\.0\.1:(\d+)/.test(cli.stderr()), 30_000, 'the listener and the threads');
      const port = Number(/tcp input: listening .*127\.0\.0\.1:(\d+)/.exec(cli.stderr())![1]);
      const [pa, pb] = await Promise.all([send(port, lines('A')), send(port, lines('B'))]);
      await waitFor(() => cli.stdout().split('\n').filter(Boolean).length >= 2 * n, 30_000, 'every event');
      const events = jsonLines(cli.stdout());
      for (const [tag, localPort] of [['A', pa], ['B', pb]] as const) {
        const mine = events.filter((e) => String(e.msg).startsWith(`${tag} `));
        expect(mine.map((e) => e.msg)).toEqual(Array.from({ length: n }, (_, i) => `${tag} ${i}`));
        expect(new Set(mine.map((e) => `${String(e.host)}:${String(e.port)}`))).toEqual(new Set([`127.0.0.1:${localPort}`]));
        expect(mine.every((e) => e.via === 'tcp' && e.seen === e.msg)).toBe(true);
      }
    } finally {
      cli.child.kill('SIGTERM');
      await cli.done;
    }
    expect(cli.stderr()).toMatch(new RegExp(`worker threads done \\{:events_on_threads=>${2 * n}, :events_on_pipeline_thread=>0\\}`));
  }, 120_000);

  it('filters that keep state across events, and pipelines without filters, stay on the pipeline thread', async () => {
    const plan = async (text: string) => (await loadPipeline({ text }, { ecs: 'v8', supportEscapes: false })).plan!;
    expect(whyNotThreaded(await plan('input { stdin {} } filter { ruby { code => "event.set(\'a\', 1)" } } output { stdout {} }'), 2)).toMatch(/ruby/);
    expect(whyNotThreaded(await plan('input { stdin {} } output { stdout {} }'), 2)).toBe('no filters');
    expect(whyNotThreaded(await plan('input { stdin {} } filter { mutate { add_field => { "a" => "b" } } } output { stdout {} }'), 1)).toBe('one worker');
  });

  it('gives one thread per worker up to the cores (at least two); more workers stay concurrent batches', () => {
    const cores = availableParallelism();
    for (let workers = 2; workers <= 64; workers++) {
      const n = threadCount(workers);
      expect(n).toBeLessThanOrEqual(workers);
      expect(n).toBeGreaterThanOrEqual(2);
      // As many as the workers while there are cores for them, then no more.
      expect(n === workers || n === Math.max(2, cores)).toBe(true);
    }
    expect(threadCount(1000)).toBeLessThanOrEqual(Math.max(2, cores));
  });
});
