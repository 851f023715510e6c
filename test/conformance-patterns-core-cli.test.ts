/**
 * Logstash's own grok pattern spec (logstash-patterns-core, fixtures/conformance/patterns-core) through
 * the real CLI, as a user runs it: every case is one JSON line on `stdin { codec => json_lines }`, a
 * conditional routes it to the grok filter of its pattern, and the events come back as json_lines on
 * stdout. One `sluice run` per mode: `legacy` (`ecs_compatibility => disabled` on the filter), `ecs-v1`
 * (`=> v1`) and the spec's default mode (no option; the pipeline's `disabled`, as upstream ran it).
 */
import { describe, expect, it } from 'vitest';
import { jsonLines, runCli } from './helpers/cli.js';
import { checkOp, hardOps, loadSpecCases, type Json, type SpecCase } from './helpers/patterns-core-spec.js';

/** A double-quoted config string; escapes are off by default, so `\"` stays as written (harmless in a regex). */
const lsString = (s: string): string => `"${s.replace(/\\?"/g, (m) => (m.length === 2 ? m : '\\"'))}"`;

// @metadata is never serialized: the spec reads it with event.get, so its groups copy it out.
const readsMetadata = (c: SpecCase): boolean => c.expect.some((o) => o.via === 'event.get' && (o.path ?? [])[0] === '@metadata');

interface ModeRun { mode: SpecCase['mode']; cases: SpecCase[] }

function configFor(run: ModeRun): { config: string; input: string; pipelineEcs: string } {
  const groups = new Map<string, { id: number; match: string; options: Record<string, Json>; metadata: boolean }>();
  const lines: string[] = [];
  run.cases.forEach((c, i) => {
    const key = JSON.stringify([c.match, c.grok_options ?? {}]);
    let g = groups.get(key);
    if (!g) { g = { id: groups.size, match: c.match, options: c.grok_options ?? {}, metadata: false }; groups.set(key, g); }
    if (readsMetadata(c)) g.metadata = true;
    lines.push(JSON.stringify({ message: c.message, grp: String(g.id), cid: String(i) }));
  });
  const ecsOption = run.mode === 'legacy' ? ' ecs_compatibility => disabled' : run.mode === 'ecs-v1' ? ' ecs_compatibility => v1' : '';
  let filters = 'mutate { remove_field => ["host", "event"] }\n';
  for (const g of groups.values()) {
    const opts = Object.entries(g.options).map(([k, v]) => ` ${k} => ${JSON.stringify(v)}`).join('');
    const copy = g.metadata ? ' mutate { copy => { "[@metadata]" => "[__metadata]" } }' : '';
    filters += `if [grp] == "${g.id}" { grok { match => { "message" => ${lsString(g.match)} }${ecsOption}${opts} }${copy} }\n`;
  }
  return {
    config: `input { stdin { codec => json_lines } }\nfilter {\n${filters}}\noutput { stdout { codec => json_lines } }\n`,
    input: `${lines.join('\n')}\n`,
    pipelineEcs: run.mode === 'ecs-v1' ? 'v1' : 'disabled',
  };
}

async function runMode(run: ModeRun): Promise<{ pass: number; failures: string[] }> {
  const { config, input, pipelineEcs } = configFor(run);
  const res = await runCli(['run', '-w', '1', '--pipeline.ecs_compatibility', pipelineEcs, '--log.level', 'warn', '-e', config], { input, timeoutMs: 120_000 });
  if (res.code !== 0) return { pass: 0, failures: [`sluice run (${run.mode}) exited ${res.code}: ${res.stderr.slice(-2000)}`] };
  const byCase = new Map<string, { ev: Record<string, Json>; meta: Json | undefined }[]>();
  for (const raw of jsonLines(res.stdout) as Record<string, Json>[]) {
    const { cid, grp: _grp, __metadata, ...ev } = raw;
    const list = byCase.get(String(cid)) ?? [];
    list.push({ ev, meta: __metadata });
    byCase.set(String(cid), list);
  }
  let pass = 0;
  const failures: string[] = [];
  run.cases.forEach((c, i) => {
    const got = byCase.get(String(i)) ?? [];
    if (got.length !== 1) { failures.push(`${c.id} [${c.mode}]: ${got.length} events out`); return; }
    const { ev, meta } = got[0]!;
    const bad = hardOps(c)!.filter((o) => !checkOp(o, ev, meta));
    if (bad.length === 0) pass++;
    else failures.push(`${c.id} [${c.mode}] ${c.match}\n  got: ${JSON.stringify(ev).slice(0, 600)}\n  failed: ${JSON.stringify(bad).slice(0, 400)}`);
  });
  return { pass, failures };
}

describe('logstash-patterns-core spec through `sluice run`', () => {
  it('passes every non-pending case, in legacy, ecs-v1 and default mode', async () => {
    const cases = loadSpecCases().filter((c) => hardOps(c) !== undefined);
    const runs: ModeRun[] = (['legacy', 'ecs-v1', null] as const).map((mode) => ({ mode, cases: cases.filter((c) => c.mode === mode) }));
    const results = await Promise.all(runs.map(runMode));
    const failures = results.flatMap((r) => r.failures);
    expect(failures.slice(0, 20)).toEqual([]);
    // Every non-pending case of the corpus was judged (764 cases less 2 pending, 1 manual, 1 skipped).
    expect(results.reduce((n, r) => n + r.pass, 0)).toBe(760);
  });
});
