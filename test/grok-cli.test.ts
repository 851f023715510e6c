/**
 * `sluice grok` and grok through `sluice run`, spawned as a user would (needs `npm run build`).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, ROOT, runCli } from './helpers/cli.js';

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
