#!/usr/bin/env node
// Grok throughput on real logs, for %{SYSLOGLINE} (loghub Linux syslog) and %{COMBINEDAPACHELOG} (Apache access):
//  1. the grok stage: GrokFilter.filter() on events (captures written into the event), in-process;
//  2. a whole `sluice run` of stdin → grok → stdout json_lines;
// each with its ratio to the reference measured in the same run: a bare V8 RegExp loop (`re.exec(line)`)
// over the same expanded pattern (the translation grok runs). The default timeout_millis turns the runaway
// protection on: its cost is the difference between the two stage lines. Also, for comparison, the same
// stage with every match sent to the guard worker (what a line the line screen cannot bound pays).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpus, SLUICE_NODE_FLAGS } from './_corpus.mjs';

const { default: grokPlugin, GrokFilter } = await import('../dist/filters/grok.js');
const { withDefaults } = await import('../dist/plugins/context.js');
const { Event } = await import('../dist/event/event.js');
const { GrokMatcher } = await import('../dist/formats/grok/index.js');
const { compileGrokAsync } = await import('../dist/formats/grok/compile.js');
const { builtinPatterns } = await import('../dist/formats/grok/library.js');
const { openGuard } = await import('../dist/formats/grok/guard.js');

// A grok filter as `sluice run` creates it: the options with their declared defaults.
const createGrokFilter = (options, ecs) => GrokFilter.create(withDefaults(grokPlugin, options), { ecs, cwd: process.cwd() });

const N = 20_000;
const scenarios = [
  { pattern: '%{SYSLOGLINE}', file: 'loghub_Linux_2k.log' },
  { pattern: '%{COMBINEDAPACHELOG}', file: 'apache_access_10k.log' },
  // The same syslog lines with a fully qualified host name, which legacy SYSLOGLINE's repeated
  // %{SYSLOGHOST}+ must count cut points in before matching in place (the line screen's dearer case).
  { pattern: '%{SYSLOGLINE}', file: 'loghub_Linux_2k.log', variant: 'FQDN hosts', edit: (l) => l.replace(' combo ', ' web-03.prod.example.com ') },
];
// Both field-name modes: legacy names, and ECS (what `sluice run` uses by default, nested fields).
const modes = process.env.GROK_BENCH_ECS ? [process.env.GROK_BENCH_ECS] : ['disabled', 'v8'];
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** Best of 5 timed passes of fn over the lines; returns items/s. */
function rate(fn, count) {
  let best = Infinity;
  for (let r = 0; r < 7; r++) {
    const t = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return count / best;
}

const dir = mkdtempSync(join(tmpdir(), 'sluice-grok-bench-'));
for (const ecs of modes) for (const { pattern, file, variant, edit = (l) => l } of scenarios) {
  const lines = corpus(file, N).map(edit);
  const filter = await createGrokFilter({ match: { message: pattern }, timeout_millis: 0 }, ecs);
  // The very RegExp object grok runs (expressions over the built-in library are compiled once per
  // process): the same compiled code on both sides, so the ratio shows the stage's own work and not two
  // compilations of one pattern landing differently.
  const expression = await new GrokMatcher({ ecs, timeoutMillis: 0 }).compile(pattern);
  if (expression.engine !== 'native') throw new Error(`${pattern} is not on the native engine`);
  const re = expression.regexp;

  // Reference: the bare regex loop, one pass over the lines.
  let sink = 0;
  const regexPass = () => {
    const t = process.hrtime.bigint();
    for (const l of lines) { re.lastIndex = 0; if (re.exec(l) !== null) sink++; }
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  // The grok stage, as the pipeline runs it: batches of 125 fresh events; only filter() is timed.
  const stagePass = (f) => {
    let total = 0n;
    for (let b = 0; b < lines.length; b += 125) {
      const events = [];
      for (let i = b; i < Math.min(b + 125, lines.length); i++) events.push(new Event({ message: lines[i] }));
      const t = process.hrtime.bigint();
      for (const e of events) if (f.filter(e)) sink++;
      total += process.hrtime.bigint() - t;
    }
    return Number(total) / 1e9;
  };
  // The default timeout_millis (30 s): the cost model decides per line whether the guard worker runs it.
  const withDefault = await createGrokFilter({ match: { message: pattern } }, ecs);
  // Interleaved passes, best of each: the machine is shared, so both see the same conditions.
  let bestRegex = Infinity;
  let bestStage = Infinity;
  let bestDefault = Infinity;
  for (let r = 0; r < 15; r++) {
    bestRegex = Math.min(bestRegex, regexPass());
    bestStage = Math.min(bestStage, stagePass(filter));
    bestDefault = Math.min(bestDefault, stagePass(withDefault));
  }
  const regexRate = lines.length / bestRegex;
  const stageRate = lines.length / bestStage;
  const defaultRate = lines.length / bestDefault;
  let matched = 0;
  for (const l of lines) if (expression.test(l) === 1) matched++;

  // Same stage with the guard worker on every match (what a risky expression pays).
  const grok = await compileGrokAsync(pattern, builtinPatterns(ecs));
  const guard = openGuard();
  guard.add(grok);
  const guardedRate = rate(() => { for (const l of lines.slice(0, 5000)) if (guard.exec(grok, l, 30000) !== null) sink++; }, 5000);

  // Whole CLI: stdin → grok → json_lines, on 10× the lines so process start-up (~0.3 s) does not dominate.
  const cliLines = corpus(file, 10 * N).map(edit);
  const input = join(dir, `${file}${variant ? `-${variant.replace(/\W+/g, '-')}` : ''}.in`);
  writeFileSync(input, cliLines.join('\n') + '\n');
  const conf = `input { stdin { } } filter { grok { match => { "message" => "${pattern}" } ecs_compatibility => ${ecs} } } output { stdout { codec => json_lines } }`;
  let cliBest = Infinity;
  for (let r = 0; r < 3; r++) {
    const t = process.hrtime.bigint();
    const res = spawnSync(process.execPath, [...SLUICE_NODE_FLAGS, 'bin/sluice.js', 'run', '-w', '1', '--log.level', 'warn', '-e', conf], { input: readFileSync(input), maxBuffer: 1 << 30 });
    const s = Number(process.hrtime.bigint() - t) / 1e9;
    if (res.status !== 0) throw new Error(`sluice run exited ${res.status}: ${res.stderr}`);
    const out = res.stdout.toString().split('\n').filter(Boolean).length;
    if (out !== cliLines.length) throw new Error(`expected ${cliLines.length} events, got ${out}`);
    cliBest = Math.min(cliBest, s);
  }
  const cliRate = cliLines.length / cliBest;

  console.log(`${pattern} on ${file}${variant ? `, ${variant}` : ''} (${fmt(lines.length)} lines, ${fmt(matched)} match, ecs ${ecs})`);
  console.log(`  bare V8 RegExp loop:           ${fmt(regexRate)} lines/s  (reference)`);
  console.log(`  grok stage, timeout_millis 0:  ${fmt(stageRate)} events/s  (${(100 * stageRate / regexRate).toFixed(0)}% of reference)`);
  console.log(`  grok stage, default timeout:   ${fmt(defaultRate)} events/s  (${(100 * defaultRate / regexRate).toFixed(0)}% of reference; the protection costs ${(100 * (1 - defaultRate / stageRate)).toFixed(0)}% of the stage; lines sent to the guard worker: ${withDefault.stats.guarded})`);
  console.log(`  every line via guard worker:   ${fmt(guardedRate)} events/s  (${(100 * guardedRate / regexRate).toFixed(0)}% of reference; what a line the screen cannot bound pays)`);
  console.log(`  sluice run stdin→grok→json:    ${fmt(cliRate)} events/s  (${(100 * cliRate / regexRate).toFixed(0)}% of reference; ${fmt(cliLines.length)} lines; includes process start-up, decoding, JSON output)`);
  await filter.close();
  await withDefault.close();
  await guard.close();
  if (sink < 0) console.log(sink);
}
