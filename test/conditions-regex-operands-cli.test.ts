/**
 * Regex literals and other operands whose meaning comes from how Logstash's compiler (lscl.rb) picks
 * operands, through `sluice run` with a Logstash-style config file on real Apache access lines:
 * - `=~` / `!~` match; `[f] in /re/` and `/re/ in [f]` use the regex's text as a string;
 * - a list compared with `==` stands for its first string or number (with a warning);
 * - a method call is not called: `length([f]) == "404"` is `[f] == "404"` (with a warning);
 * - `[f] == /re/` is refused before anything starts, as Logstash refuses it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './helpers/cli.js';

const apache = readFileSync(new URL('../fixtures/data/apache_access_10k.log', import.meta.url), 'utf8').split('\n');
// 1-based line numbers in the sample: GET 200 of a presentation, GET 404, HEAD, POST, OPTIONS 500.
const picked = [1, 63, 688, 5009, 9158].map((n) => apache[n - 1]!);

const pipeline = `# Logstash-style pipeline: regexes as values in conditionals
input { stdin { } }

filter {
  grok {
    match => { "message" => "%{COMBINEDAPACHELOG}" }
    ecs_compatibility => disabled
  }
  if [verb] =~ /^(GET|HEAD)$/ { mutate { add_tag => "read" } }
  if [verb] !~ /GET/ { mutate { add_tag => "not_get" } }
  if [verb] in /GET|HEAD/ { mutate { add_tag => "verb_in_regex_text" } }
  if /presentations/ in [request] { mutate { add_tag => "presentation" } }
  if [verb] == ["POST", "GET"] { mutate { add_tag => "first_of_list" } }
  if length([response]) == "404" { mutate { add_tag => "not_found" } }
}

output { stdout { codec => json_lines } }
`;

function writeConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cond-'));
  const file = join(dir, 'pipeline.conf');
  writeFileSync(file, text);
  return file;
}

describe('regex literals and picked operands in conditionals, through sluice run', () => {
  it('evaluates them as Logstash does and warns where Logstash ignores part of the condition', async () => {
    const file = writeConfig(pipeline);
    const r = await runCli(['run', '-f', file], { input: `${picked.join('\n')}\n` });
    expect(r.code, r.stderr).toBe(0);
    const byVerb = Object.fromEntries(jsonLines(r.stdout).map((e) => [`${String(e.verb)} ${String(e.response)}`, ((e.tags ?? []) as string[]).slice().sort()]));
    expect(byVerb).toEqual({
      'GET 200': ['presentation', 'read', 'verb_in_regex_text'],
      'GET 404': ['not_found', 'read', 'verb_in_regex_text'],
      'HEAD 200': ['not_get', 'read', 'verb_in_regex_text'],
      // `[verb] == ["POST", "GET"]` is `[verb] == "POST"`: true for POST only, not for GET.
      'POST 200': ['first_of_list', 'not_get'],
      'OPTIONS 500': ['not_get'],
    });
    expect(r.stderr).toContain(`${file}:13:6: warning[SLC_CONDITION_IGNORED]: Logstash evaluates this as \`[verb] == "POST"\``);
    expect(r.stderr).toContain(`${file}:14:6: warning[SLC_CONDITION_IGNORED]: Logstash evaluates this as \`[response] == "404"\``);
  });

  it('refuses a regex as a side of == or <, as Logstash fails to compile it, and says to use =~', async () => {
    const file = writeConfig(`filter {\n  if [verb] == /HEAD/ { drop { } }\n  if /HEAD/ != [verb] { drop { } }\n  if [bytes] < /1/ { drop { } }\n}\n`);
    const r = await runCli(['run', '-t', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`${file}:2:16: error[SLC_CONDITION_TYPES]: the right side of \`==\` has no field reference, string or number; Logstash fails to compile it ("Failed to parse right-hand side of conditional")`);
    expect(r.stdout + r.stderr).toContain(`${file}:3:6: error[SLC_CONDITION_TYPES]: the left side of \`!=\``);
    expect(r.stdout + r.stderr).toContain(`${file}:4:16: error[SLC_CONDITION_TYPES]`);
    expect(r.stdout + r.stderr).toContain('hint: to match a regex, use `=~`');
    expect(r.stdout + r.stderr).toContain('Configuration has 3 errors; nothing was started.');
  });
});
