import { mkdtempSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli, startCli, waitFor } from './helpers/cli.js';

const JSON_OUT = 'input { stdin {} } output { stdout { codec => json_lines } }';

describe('sluice run', () => {
  it('turns one stdin line into one JSON line with @timestamp and @version, exit 0', async () => {
    const r = await runCli(['run', '-e', JSON_OUT], { input: 'hello\n' });
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toBe('hello');
    expect(events[0]!['@version']).toBe('1');
    expect(events[0]!['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3,9}Z$/);
  });

  it('keeps all of 100,000 lines, in order', async () => {
    const input = Array.from({ length: 100_000 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const r = await runCli(['run', '-e', JSON_OUT], { input, timeoutMs: 120_000 });
    expect(r.code).toBe(0);
    const messages = r.stdout.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { message: string }).message);
    expect(messages.length).toBe(100_000);
    for (let i = 0; i < messages.length; i++) if (messages[i] !== `line ${i}`) throw new Error(`event ${i} is "${messages[i]}"`);
  });

  it('fills -e defaults as Logstash does: stdin in, rubydebug out', async () => {
    const r = await runCli(['run', '-e', 'filter { mutate { add_field => { "x" => "y" } } }'], { input: 'abc\n' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/"message" => "abc"/);
    expect(r.stdout).toMatch(/"x" => "y"/);
  });

  it('rejects -e together with -f', async () => {
    const r = await runCli(['run', '-e', JSON_OUT, '-f', 'x.conf']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-e and -f cannot be used together/);
  });

  it('-t prints Configuration OK for a valid config and starts nothing', async () => {
    // (its speed is measured by bench/config-check.mjs)
    const r = await runCli(['run', '-t', '-e', 'input { tcp { port => 1 } } output { stdout { codec => json_lines } }']);
    expect(r.stdout.trim()).toBe('Configuration OK');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/listening/);
  });

  it('-t reports every problem with file:line:col and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
    const file = join(dir, 'bad.conf');
    writeFileSync(file, 'input { stdin {} }\nfilter {\n  mutat { }\n  mutate { add_feld => { "a" => "b" } }\n}\noutput { stdout {} }\n');
    const r = await runCli(['run', '-t', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:3:3`);
    expect(r.stderr).toContain(`${file}:4:12`);
    expect(r.stderr).toMatch(/mutate/);
    expect(r.stderr).toMatch(/add_field/);
    expect(r.stdout).not.toContain('Configuration OK');
  });

  it('-f with a directory loads every file, sorted: filters chained, every output gets every event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-dir-'));
    const out1 = join(dir, 'out1.ndjson');
    const out2 = join(dir, 'out2.ndjson');
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', '10-input.conf'), 'input { stdin {} }\nfilter { mutate { add_field => { "order" => "first" } } }\n');
    writeFileSync(join(dir, 'conf', '20-filter.conf'), 'filter { mutate { update => { "order" => "second" } } }\noutput { file { path => "' + out1 + '" } }\n');
    writeFileSync(join(dir, 'conf', '30-output.conf'), 'output { file { path => "' + out2 + '" } }\n');
    const r = await runCli(['run', '-f', join(dir, 'conf')], { input: 'a\nb\n' });
    expect(r.code).toBe(0);
    for (const f of [out1, out2]) {
      const events = jsonLines(readFileSync(f, 'utf8'));
      expect(events.map((e) => [e.message, e.order])).toEqual([['a', 'second'], ['b', 'second']]);
    }
  });

  it('drains in-flight events and exits 0 on SIGTERM', async () => {
    const run = startCli(['run', '-e', 'input { generator { count => 0 ecs_compatibility => disabled } } output { stdout { codec => json_lines } }']);
    await waitFor(() => run.stdout().split('\n').length > 1000, 20_000, 'generator output');
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter(Boolean);
    const seq = lines.map((l) => (JSON.parse(l) as { sequence: number }).sequence);
    // Every event produced before the stop came out, none missing in the middle, the last line complete.
    expect(seq).toEqual(Array.from({ length: seq.length }, (_, i) => i));
    expect(r.stderr).toMatch(/SIGTERM/);
  });

  it('accepts the Logstash flags -w -b -u and rejects bad values', async () => {
    const ok = await runCli(['run', '-w', '2', '-b', '10', '-u', '5', '-e', JSON_OUT], { input: 'a\nb\nc\n' });
    expect(ok.code).toBe(0);
    expect(jsonLines(ok.stdout).map((e) => e.message).sort()).toEqual(['a', 'b', 'c']);
    const bad = await runCli(['run', '-w', '0', '-e', JSON_OUT]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/pipeline.workers/);
  });
});
