/**
 * The examples of logstash-output-file's spec/outputs/file_spec.rb (logstash-plugins/logstash-output-file,
 * HEAD daa3ed3), rewritten for sluice: the plugin is created from its definition as the runtime does and
 * given batches; the two `agent` examples (a generator pipeline) run the real CLI.
 *
 * Differences from the Ruby spec:
 * - `#register` "doesnt allow the root directory to have some dynamic part": the Ruby examples assign a local
 *   `path` that the `let(:path)` never sees, so they all test `/%{name}`; here each listed path is tested.
 * - "with non-zero flush interval / eventually flushes without receiving additional events" is not ported as
 *   written: it asserts that fewer than 10 lines are in the file before the flusher runs (then sleeps 6 s).
 *   sluice writes every batch before acknowledging it, so the opposite holds and is what is tested here.
 * - The random counts (`10000 + rand(500)`, `Flores::Random`) are fixed numbers.
 * - The create_if_deleted=false example writes its failure file next to a Tempfile (in /tmp itself); here
 *   everything is in a temporary directory of its own.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { OutputInstance } from '../src/plugins/api.js';
import { runCli } from './helpers/cli.js';
import { delivery, fileOutputFixtures } from './helpers/file-output.js';
import { testContext } from './helpers/plugin-context.js';

const { tempDir, output } = fileOutputFixtures('file-spec');
const send = async (o: OutputInstance, events: Event[]): Promise<void> => {
  expect(await o.receive(events, delivery)).toBeUndefined();
};
const lines = (path: string): Record<string, unknown>[] =>
  readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('file output (file_spec.rb)', () => {
  it('ship lots of events to a file: every generated event, in order', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.log');
    const count = 10_123;
    const r = await runCli(['run', '-e', `input { generator { message => "hello world" count => ${count} type => "generator" } } output { file { path => "${out}" } }`], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const events = lines(out);
    expect(events).toHaveLength(count);
    const seq = (e: Record<string, unknown>): number => (e.sequence ?? (e.event as { sequence: number }).sequence) as number;
    expect(events.map(seq).sort((a, b) => a - b)).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(new Set(events.map((e) => e.message))).toEqual(new Set(['hello world']));
  });

  it('ship lots of events to a file gzipped: every event in the gzip stream', async () => {
    const dir = tempDir();
    const out = join(dir, 'out.log.gz');
    const count = 100_321;
    const r = await runCli(['run', '-e', `input { generator { message => "hello world" count => ${count} type => "generator" } } output { file { path => "${out}" gzip => true } }`], { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const events = gunzipSync(readFileSync(out)).toString('utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events).toHaveLength(count);
    const seq = (e: Record<string, unknown>): number => (e.sequence ?? (e.event as { sequence: number }).sequence) as number;
    const sorted = events.map(seq).sort((a, b) => a - b);
    expect(sorted[0]).toBe(0);
    expect(sorted.every((s, i) => s === i)).toBe(true);
    expect(events.every((e) => e.message === 'hello world')).toBe(true);
  }, 150_000);

  describe('#register', () => {
    it('doesnt allow the path to start with a dynamic string', async () => {
      await expect(output({ path: '/%{name}' })).rejects.toThrow(/starting part of the path should not be dynamic/);
    });

    for (const path of ['/a%{name}/', '/a %{name}/', '/a- %{name}/', '/a- %{name}']) {
      it(`doesnt allow the root directory to have some dynamic part: ${path}`, async () => {
        await expect(output({ path })).rejects.toThrow(/should not be dynamic/);
      });
    }

    it('allow to have dynamic part after the file root', async () => {
      await expect(output({ path: '/tmp/%{name}' })).resolves.toBeDefined();
    });
  });

  describe("write_behavior => 'overwrite'", () => {
    const events = (): Event[] => [3, 1, 4, 1, 5, 9, 2].map((value) => new Event({ value }));

    it('should write only the last event of a batch', async () => {
      const tmp = join(tempDir(), 'out');
      const o = await output({ write_behavior: 'overwrite', path: tmp, codec: 'json_lines', flush_interval: 0 });
      await send(o, events());
      expect(lines(tmp).map((e) => e.value)).toEqual([2]);
    });

    it('the file should only contain the last event received', async () => {
      const tmp = join(tempDir(), 'out');
      const o = await output({ write_behavior: 'overwrite', path: tmp, codec: 'json_lines', flush_interval: 0 });
      for (const event of events()) {
        const value = event.get('value');
        await send(o, [event]);
        expect(lines(tmp).map((e) => e.value)).toEqual([value]);
      }
    });
  });

  describe('when the output file is deleted', () => {
    const ten = (from: number): Event[][] => Array.from({ length: 10 }, (_, i) => [new Event({ event_id: from + i })]);

    it('should recreate the required file if deleted', async () => {
      const tmp = join(tempDir(), 'deleted');
      writeFileSync(tmp, '');
      const o = await output({ path: tmp, flush_interval: 0 });
      for (const batch of ten(0)) await send(o, batch);
      rmSync(tmp);
      for (const batch of ten(10)) await send(o, batch);
      expect(lines(tmp).map((e) => e.event_id)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    });

    it('when appending to the error log: should append the events to the filename_failure location', async () => {
      const dir = tempDir();
      const tmp = join(dir, 'deleted');
      writeFileSync(tmp, '');
      const o = await output({ path: tmp, flush_interval: 0, create_if_deleted: false });
      for (const batch of ten(0)) await send(o, batch);
      expect(lines(tmp)).toHaveLength(10);
      rmSync(tmp);
      for (const batch of ten(10)) await send(o, batch);
      expect(existsSync(tmp)).toBe(false);
      expect(lines(join(dir, '_filepath_failures')).map((e) => e.event_id)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    });
  });

  describe('when using an interpolated path', () => {
    it('writes an event trying to write outside the files root in the specified error file', async () => {
      const path = tempDir();
      const ctx = testContext({}, 'output', 'file');
      const o = await output({ path: `${path}/%{error}`, filename_failure: '_error' }, ctx);
      const outside = '../'.repeat(path.split('/').length) + 'notcool';
      await send(o, [new Event({ error: outside })]);
      expect(lines(join(path, '_error')).map((e) => e.error)).toEqual([outside]);
      expect(readdirSync(path)).toEqual(['_error']);
      expect(ctx.logs.some((l) => l.level === 'warn' && /outside the files root/.test(l.msg))).toBe(true);
    });

    it('doesnt decode relatives paths urlencoded', async () => {
      const path = tempDir();
      const o = await output({ path: `/${path}/%{error}` });
      await send(o, [new Event({ error: '%2E%2E%2ftest' })]);
      await send(o, [new Event({ error: '%252E%252E%252F%252E%252E%252Ftest' })]);
      expect(readdirSync(path).sort()).toEqual(['%252E%252E%252F%252E%252E%252Ftest', '%2E%2E%2ftest']);
    });

    it('doesnt write outside the file if the path is double escaped', async () => {
      const path = tempDir();
      const o = await output({ path: `/${path}/%{error}` });
      await send(o, [new Event({ error: '../..//test' })]);
      expect(readdirSync(path)).toEqual(['_filepath_failures']);
    });

    it('write the event to the generated filename', async () => {
      const path = tempDir();
      const o = await output({ path: `${path}/%{error}` });
      await send(o, [new Event({ error: '42.txt' })]);
      expect(lines(join(path, '42.txt')).map((e) => e.error)).toEqual(['42.txt']);
    });

    it('write the events to a file when some part of a folder or file is dynamic', async () => {
      const path = tempDir();
      const o = await output({ path: `${path}/failed_syslog-%{+YYYY-MM-dd}` });
      await send(o, [new Event({ '@timestamp': '2013-05-29T10:11:12.000Z' })]);
      expect(readdirSync(path)).toEqual(['failed_syslog-2013-05-29']);
    });

    it('write the events to the generated path containing multiples fieldref', async () => {
      const path = tempDir();
      const o = await output({ path: `${path}/%{error}/%{level}/%{weird_path}/failed_syslog-%{+YYYY-MM-dd}` });
      await send(o, [new Event({ error: 42, '@timestamp': '2020-02-03T04:05:06.000Z', level: 'critical', weird_path: '/inside/../deep/nested' })]);
      expect(lines(join(path, '42/critical/deep/nested/failed_syslog-2020-02-03')).map((e) => e.level)).toEqual(['critical']);
    });

    it('write the event to the generated filename with multiple deep', async () => {
      const path = tempDir();
      const o = await output({ path: `${path}/%{error}` });
      await send(o, [new Event({ error: '/inside/errors/42.txt' })]);
      expect(existsSync(join(path, '/inside/errors/42.txt'))).toBe(true);
    });
  });

  describe('output string format', () => {
    it('when using default configuration: write the event as a json line', async () => {
      const path = tempDir();
      const o = await output({ path: `${path}/output.txt` });
      await send(o, [new Event({ message: 'hello world' })]);
      await o.close?.();
      expect(lines(join(path, 'output.txt')).map((e) => e.message)).toEqual(['hello world']);
    });

    it('when using line codec: writes event using specified format', async () => {
      const path = tempDir();
      const ctx = testContext({}, 'output', 'file');
      const codec = await ctx.createCodec('line', { format: 'Custom format: %{message}' });
      const o = await output({ path: `${path}/output.txt`, codec }, ctx);
      await send(o, [new Event({ message: 'hello world' })]);
      await o.close?.();
      expect(readFileSync(join(path, 'output.txt'), 'utf8')).toBe('Custom format: hello world\n');
    });

    it('when using file and dir modes: dirs and files are created with correct atypical permissions', async () => {
      const path = tempDir();
      const o = await output({ path: `${path}/is/nested/output.txt`, dir_mode: 0o751, file_mode: 0o610 });
      await send(o, [new Event({ message: 'hello world' })]);
      const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);
      expect(mode(join(path, 'is/nested/output.txt'))).toBe('610');
      expect(mode(join(path, 'is'))).toBe('751');
      expect(mode(join(path, 'is/nested'))).toBe('751');
      await o.close?.();
      expect(lines(join(path, 'is/nested/output.txt')).map((e) => e.message)).toEqual(['hello world']);
    });
  });

  it('with non-zero flush interval: every event is in the file once receive resolves (Logstash buffers them)', async () => {
    const tmp = join(tempDir(), 'out');
    const o = await output({ path: tmp, codec: 'json_lines', flush_interval: 5 });
    await send(o, Array.from({ length: 10 }, (_, value) => new Event({ value })));
    expect(lines(tmp).map((e) => e.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
