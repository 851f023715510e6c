/**
 * `sluice grok` and grok through `sluice run`, spawned as a user would (needs `npm run build`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, ROOT, runCli } from './helpers/cli.js';

/** Run the CLI and measure the wall-clock time it took. */
async function timedCli(...args: Parameters<typeof runCli>): Promise<Awaited<ReturnType<typeof runCli>> & { took: number }> {
  const t0 = Date.now();
  const r = await runCli(...args);
  return { ...r, took: Date.now() - t0 };
}

describe('sluice grok', () => {
  it('prints the captures of matching lines as JSON lines', async () => {
    const r = await runCli(['grok', '%{IP:ip} %{WORD:verb} %{NUMBER:bytes:int}', '10.0.0.1 GET 512', '10.0.0.2 PUT 7']);
    expect(r.code).toBe(0);
    expect(jsonLines(r.stdout)).toEqual([{ ip: '10.0.0.1', verb: 'GET', bytes: 512 }, { ip: '10.0.0.2', verb: 'PUT', bytes: 7 }]);
  });

  it('explains a miss: the longest matching prefix and where the text stopped matching', async () => {
    const r = await runCli(['grok', '%{IP:ip} %{WORD:verb} %{NUMBER:bytes:int}', '10.0.0.1 GET lots']);
    expect(r.code).toBe(1);
    expect(jsonLines(r.stdout)).toEqual([{ tags: ['_grokparsefailure'] }]);
    expect(r.stderr).toContain('matched:    %{IP:ip} %{WORD:verb} ');
    expect(r.stderr).toContain('stopped at: offset 13: "lots"');
    expect(r.stderr).toContain('next:       %{NUMBER:bytes:int}');
  });

  it('looks inside a single named pattern to explain it', async () => {
    const r = await runCli(['grok', '%{COMBINEDAPACHELOG}'], { input: '1.2.3.4 - - [22/Nov/2026:01:00:00 +0000] "GET / HTTP/1.1" 200 12 "-" curl\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/matched: +%\{HTTPD_COMMONLOG\} %\{QS:referrer\} \n/);
    expect(r.stderr).toContain('"curl"');
  });

  it('reads lines from --file and stdin, uses --ecs, --patterns-dir and --pattern-definitions', async () => {
    const ecs = await runCli(['grok', '--ecs', '%{SYSLOGLINE}'], { input: 'Mar  4 05:06:07 gw sshd[42]: hi\n' });
    expect(jsonLines(ecs.stdout)).toEqual([{ timestamp: 'Mar  4 05:06:07', host: { hostname: 'gw' }, process: { name: 'sshd', pid: 42 }, message: 'hi' }]);
    const dir = await runCli(['grok', '--patterns-dir', join(ROOT, 'fixtures', 'grok', 'patterns-dir'), '-p', 'TICKET=T-%{INT}', '%{ORDERID:o} %{TICKET:t}', 'ID-5 T-6']);
    expect(jsonLines(dir.stdout)).toEqual([{ o: 'ID-5', t: 'T-6' }]);
    const file = await runCli(['grok', '--file', join(ROOT, 'fixtures', 'grok', 'patterns-dir', '10-orders'), '^%{WORD:w} %{GREEDYDATA:rest}$']);
    expect(file.code).toBe(1); // the comment line matches, the definitions do not (upper case)
    expect(jsonLines(file.stdout)[0]).toEqual({ tags: ['_grokparsefailure'] });
  });

  it('fails with status 2 and the pattern name on an undefined pattern', async () => {
    const r = await runCli(['grok', '%{NOSUCH:x}', 'a']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('%{NOSUCH} is not defined');
  });
});

describe('sluice grok on a runaway expression', () => {
  // Exponential backtracking on a run of word characters that is not followed by the end of the line.
  const RUNAWAY = '^(\\w+\\s?)+$';

  it('stops the match after its default 5 s, says so, and exits 2', async () => {
    const r = await timedCli(['grok', RUNAWAY, `${'a'.repeat(49)}!`], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(jsonLines(r.stdout)).toEqual([{ tags: ['_groktimeout'] }]);
    expect(r.stderr).toContain('line 1: timed out: the match ran longer than 5000 ms and was stopped (--timeout-millis)');
    expect(r.took).toBeGreaterThanOrEqual(5000);
    expect(r.took).toBeLessThan(20_000);
  });

  it('takes --timeout-millis and goes on with the next lines', async () => {
    const r = await timedCli(['grok', '--timeout-millis', '300', RUNAWAY, `${'a'.repeat(49)}!`, 'abc def', 'abc  def'], { timeoutMs: 60_000 });
    expect(r.code).toBe(2);
    expect(jsonLines(r.stdout)).toEqual([{ tags: ['_groktimeout'] }, {}, { tags: ['_grokparsefailure'] }]);
    expect(r.stderr).toContain('line 1: timed out: the match ran longer than 300 ms');
    expect(r.stderr).toContain('line 3: no match');
    expect(r.took).toBeLessThan(10_000);
  });

  it('never stops a match with --timeout-millis 0', async () => {
    // A tenth of a second or more of backtracking: far beyond a 1 ms limit on any machine.
    const slow = `${'a'.repeat(25)}!`;
    const limited = await runCli(['grok', '-q', '--timeout-millis', '1', RUNAWAY, slow], { timeoutMs: 60_000 });
    expect(limited.code).toBe(2);
    const unlimited = await runCli(['grok', '-q', '--timeout-millis', '0', RUNAWAY, slow], { timeoutMs: 120_000 });
    expect(unlimited.code).toBe(1);
    expect(jsonLines(unlimited.stdout)).toEqual([{ tags: ['_grokparsefailure'] }]);
    expect(unlimited.stderr).toBe('');
  });

  it('documents --timeout-millis and refuses a value that is not a whole number of milliseconds', async () => {
    const help = await runCli(['grok', '--help']);
    expect(help.stdout).toMatch(/--timeout-millis N +Stop a line whose match runs longer than N ms[^]*default 5000; 0: never stop/);
    const bad = await runCli(['grok', '--timeout-millis', '1.5s', '%{WORD:w}', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--timeout-millis must be a whole number');
  });
});

describe('grok in sluice run', () => {
  it('tags a runaway line _groktimeout and keeps processing the following events', async () => {
    const conf = 'input { stdin { } } filter { grok { match => { "message" => "^(?<run>(a+)+)b$" } timeout_millis => 300 } } output { stdout { codec => json_lines } }';
    const input = `aab\n${'a'.repeat(40)}!\nab\nnope\n`;
    const t0 = Date.now();
    const r = await runCli(['run', '-w', '1', '-e', conf], { input, timeoutMs: 20_000 });
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    const out = jsonLines(r.stdout) as Array<Record<string, unknown>>;
    expect(out.map((e) => [e.message, e.run, e.tags])).toEqual([
      ['aab', 'aa', undefined],
      [`${'a'.repeat(40)}!`, undefined, ['_groktimeout']],
      ['ab', 'a', undefined],
      ['nope', undefined, ['_grokparsefailure']],
    ]);
  });
});

describe('grok patterns_dir relative to the working directory', () => {
  // Logstash resolves a relative patterns_dir against the working directory, in `-t` and at start alike.
  const dir = mkdtempSync(join(tmpdir(), 'sluice-grok-cwd-'));
  mkdirSync(join(dir, 'pats'));
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(join(dir, 'pats', 'MYPATS'), 'MYWORD \\w+\n');
  const conf = 'input { stdin { } } filter { grok { patterns_dir => ["pats"] match => { "message" => "%{MYWORD:w}" } } } output { stdout { codec => json_lines } }\n';
  writeFileSync(join(dir, 'conf'), conf);
  writeFileSync(join(dir, 'conf.d', 'pipeline.conf'), conf);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is found by `sluice run -t` and by a real start from that directory', async () => {
    const check = await runCli(['run', '-t', '-f', 'conf'], { cwd: dir });
    expect(check.stdout).toContain('Configuration OK');
    expect(check.code).toBe(0);
    const run = await runCli(['run', '-f', 'conf'], { cwd: dir, input: 'hello\n' });
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout).map((e) => [e.message, e.w, e.tags])).toEqual([['hello', 'hello', undefined]]);
  });

  it('is the working directory\'s, not the config file\'s', async () => {
    // From the directory holding pats/, a config elsewhere still finds it.
    const nested = await runCli(['run', '-f', join('conf.d', 'pipeline.conf')], { cwd: dir, input: 'hi\n' });
    expect(jsonLines(nested.stdout).map((e) => e.w)).toEqual(['hi']);
    // From another directory, neither -t nor a start finds it: the pattern is undefined in both.
    const check = await runCli(['run', '-t', '-f', join(dir, 'conf')], { cwd: join(dir, 'conf.d') });
    expect(check.code).toBe(1);
    expect(check.stdout + check.stderr).toContain('%{MYWORD} is not defined');
    const run = await runCli(['run', '-f', join(dir, 'conf')], { cwd: join(dir, 'conf.d'), input: 'hello\n' });
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain('%{MYWORD} is not defined');
  });
});
