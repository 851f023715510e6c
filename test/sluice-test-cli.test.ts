/**
 * `sluice test` through the real CLI: the project's own pipeline fixtures, a deliberately failing case and
 * its diff, logstash-filter-verifier's CASES CONFIG form, --junit and --update.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCaseFile } from '../src/testing/cases.js';
import { runCli } from './helpers/cli.js';

const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const SUMMARY = /^(\d+) passed, (\d+) failed \((\d+) cases? in (\d+) files?, .*per case \(median; mean .*\), filter setup .*, total .*\)$/m;

describe('sluice test CLI', () => {
  it('runs every pipeline fixture of the project and passes', async () => {
    const r = await runCli(['test', 'fixtures/pipelines'], { timeoutMs: 60_000 });
    expect(r.stdout).not.toMatch(/^(FAIL|ERROR) /m);
    expect(r.code).toBe(0);
    const m = SUMMARY.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    // Every case of every case file ran and passed.
    const caseFiles = readdirSync('fixtures/pipelines').filter((f) => /\.test\.(ya?ml|json)$/.test(f));
    const cases = caseFiles.reduce((n, f) => n + parseCaseFile(f, readFileSync(join('fixtures/pipelines', f), 'utf8')).cases.length, 0);
    expect(Number(m![2])).toBe(0);
    expect(Number(m![4])).toBe(caseFiles.length);
    expect(Number(m![3])).toBe(cases);
    expect(Number(m![1])).toBe(cases);
  });

  it('shows a failing case with its file, description and a unified diff, and exits 1', async () => {
    const dir = scratch({
      'tagging.conf': 'filter { mutate { add_tag => ["seen"] uppercase => ["level"] } }\n',
      'tagging.test.yaml': [
        'ignore: ["[event][original]"]',
        'testcases:',
        '  - description: passes',
        '    input: ["a"]',
        '    fields: { level: info }',
        '    expected: [{ message: a, level: INFO, tags: [seen] }]',
        '  - description: expects the wrong level',
        '    input: ["b"]',
        '    fields: { level: warn }',
        '    expected: [{ message: b, level: warn, tags: [seen] }]',
        '',
      ].join('\n'),
    });
    const r = await runCli(['test', dir]);
    expect(r.code).toBe(1);
    const out = r.stdout.replaceAll(dir, 'DIR').replace(/\(\d+(\.\d+)? ms\)/g, '(T)');
    expect(out).toContain(`FAIL DIR/tagging.test.yaml › expects the wrong level (T)
  config: DIR/tagging.conf
  event 1 of 1 differs
  --- expected
  +++ actual
  @@ -1,6 +1,6 @@
   [
     {
  -    "level": "warn",
  +    "level": "WARN",
       "message": "b",
       "tags": [
         "seen"
`);
    expect(out).not.toContain('› passes');
    expect(out).toMatch(/^1 passed, 1 failed \(2 cases in 1 file, /m);
    // No colour on a pipe (and NO_COLOR is set by the helper); FORCE_COLOR turns it on.
    expect(r.stdout).not.toContain('\x1b[');
    const coloured = await runCli(['test', dir], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(coloured.stdout).toContain('\x1b[31m-    "level": "warn",\x1b[39m');
    expect(coloured.stdout).toContain('\x1b[32m+    "level": "WARN",\x1b[39m');
  });

  it('runs LFV case files unchanged against a config (CASES CONFIG), verbose with the time of each case', async () => {
    // The README example of logstash-filter-verifier, with a config in the style its users write.
    const dir = scratch({
      'syslog.json': JSON.stringify({
        fields: { type: 'syslog' },
        ignore: ['syslog_timestamp'],
        testcases: [{
          description: 'syslog line',
          input: ['Oct  6 20:55:29 myhost myprogram[31993]: This is a test message'],
          expected: [{ host: 'myhost', message: 'This is a test message', pid: 31993, program: 'myprogram', type: 'syslog' }],
        }],
      }),
      'filters.conf': `filter {
  if [type] == "syslog" {
    grok {
      match => { "message" => "%{SYSLOGTIMESTAMP:syslog_timestamp} %{SYSLOGHOST:host} %{DATA:program}(?:\\[%{POSINT:pid:int}\\])?: %{GREEDYDATA:message}" }
      overwrite => ["message"]
    }
  }
}
`,
    });
    // Written for Logstash before ECS: run in legacy mode, as such a pipeline would be.
    const r = await runCli(['test', '-v', '--pipeline.ecs_compatibility', 'disabled', join(dir, 'syslog.json'), join(dir, 'filters.conf')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS .*syslog\.json › syslog line \(\d+(\.\d+)? ms\)$/m);
    expect(r.stdout).toMatch(/^1 passed, 0 failed \(1 case in 1 file, /m);
  });

  it('takes the codec and decorations of the input named by input_plugin, and runs a directory of case files', async () => {
    const dir = scratch({
      'pipeline.conf': `input {
  stdin { id => "app_in" codec => json_lines type => "app" tags => ["from_app"] }
  stdin { id => "other_in" }
}
filter { mutate { add_field => { "seen_type" => "%{type}" } } }
`,
      'a.json': JSON.stringify({
        input_plugin: 'app_in',
        ignore: ['[event][original]'],
        testcases: [{ description: 'json from app_in', input: ['{"message":"m","n":1}'], expected: [{ message: 'm', n: 1, type: 'app', seen_type: 'app', tags: ['from_app'] }] }],
      }),
      'b.yaml': 'input_plugin: other_in\nignore: ["[event][original]"]\ntestcases:\n  - description: plain line from other_in\n    input: [\'{"message":"m"}\']\n    expected: [{ message: \'{"message":"m"}\', seen_type: "%{type}" }]\n',
      'c.yaml': 'input_plugin: nope\ntestcases:\n  - input: [x]\n    expected: []\n',
    });
    const r = await runCli(['test', '-v', dir, join(dir, 'pipeline.conf')]);
    expect(r.stdout).toMatch(/^PASS .*a\.json › json from app_in/m);
    expect(r.stdout).toMatch(/^PASS .*b\.yaml › plain line from other_in/m);
    expect(r.stdout).toContain('input_plugin "nope": the config has no input with that id (inputs: app_in, other_in)');
    expect(r.stdout).toMatch(/^2 passed, 1 failed \(3 cases in 3 files, /m);
    expect(r.code).toBe(1);
  });

  it('writes a JUnit report and, with --update, rewrites failing expectations so the next run passes', async () => {
    const dir = scratch({
      'upper.conf': 'filter { mutate { uppercase => ["message"] } }\n',
      'upper.test.json': JSON.stringify({ ignore: ['[event][original]'], testcases: [{ description: 'shout', input: ['hi'], expected: [{ message: 'hi' }] }] }, null, 2),
    });
    const junit = join(dir, 'reports', 'junit.xml');
    const first = await runCli(['test', dir, '--junit', junit]);
    expect(first.code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuites name="sluice test" tests="1" failures="1" errors="0" time="[\d.]+">/);
    expect(xml).toMatch(/<testcase name="shout" classname="[^"]*upper\.test\.json" time="[\d.]+">\n\s+<failure message="event 1 of 1 differs" type="mismatch">--- expected/);

    const updated = await runCli(['test', dir, '--update']);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toMatch(/^UPDATED .*upper\.test\.json › shout/m);
    expect(JSON.parse(readFileSync(join(dir, 'upper.test.json'), 'utf8')).testcases[0].expected).toEqual([{ message: 'HI' }]);
    const again = await runCli(['test', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^1 passed, 0 failed/m);
  });

  it('reports a config error, a case file without a config and a bad case file, each as a failure', async () => {
    const dir = scratch({
      'broken.conf': 'filter { mutat { } }\n',
      'broken.test.yaml': 'testcases:\n  - input: [x]\n    expected: []\n',
      'lonely.test.yaml': 'testcases:\n  - input: [x]\n    expected: []\n',
      'typo.conf': 'filter { }\n',
      'typo.test.yaml': 'testcases:\n  - input: [x]\n    expect: []\n',
    });
    const r = await runCli(['test', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('mutat');
    expect(r.stdout).toMatch(/ERROR .*broken\.test\.yaml\n {2}the config .*broken\.conf has 1 error \(shown above\)/);
    expect(r.stdout).toMatch(/ERROR .*lonely\.test\.yaml\n {2}no config beside it/);
    expect(r.stdout).toMatch(/ERROR .*typo\.test\.yaml\n {2}testcases\[0\]: unknown key "expect"/);
    expect(r.stdout).toMatch(/^0 passed, 3 failed/m);
  });
});
