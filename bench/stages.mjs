#!/usr/bin/env node
// Where an event's time goes, stage by stage, for `stdin → grok %{COMBINEDAPACHELOG} → stdout json_lines`
// over real Apache lines (ECS v8, sluice's default), in µs per event:
//   split   bytes → lines (LineTokenizer)
//   decode  lines → events (the line codec: message, [event][original]) plus the host field stdin stamps
//   grok    GrokFilter.filter() on each event
//   encode  the json_lines codec (Event#toJSON)
//   write   a batch's text → bytes → /dev/null
// each measured in-process on the same lines, best of several passes; then the whole `sluice run` (one worker)
// and what is left: the pipeline's own cost (queue, batches, promises, metrics) = end to end − the stages.
// Reference, same run: a bare script doing the same work (split, RegExp exec, an object of the captures,
// JSON.stringify, write).
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpus, SLUICE_NODE_FLAGS } from './_corpus.mjs';

const { default: grokPlugin, GrokFilter } = await import('../dist/filters/grok.js');
const { default: lineCodec } = await import('../dist/codecs/line.js');
const { default: jsonLinesCodec } = await import('../dist/codecs/json_lines.js');
const { withDefaults, contextFor } = await import('../dist/plugins/context.js');
const { LineTokenizer } = await import('../dist/formats/lines.js');
const { GrokMatcher } = await import('../dist/formats/grok/index.js');

const N = Number(process.env.STAGES_N ?? 100_000);
const ecs = 'v8';
const lines = corpus('apache_access_10k.log', N);
const bytes = Buffer.from(lines.join('\n') + '\n');
const fmt = (n, d = 2) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };
const settings = { ecs, loggerFor: () => silent };
const ctxFor = (kind, name) => contextFor(kind, name, name, { ecs_compatibility: ecs }, settings);

const line = await lineCodec.create(withDefaults(lineCodec, {}), ctxFor('codec', 'line'));
const jsonLines = await jsonLinesCodec.create(withDefaults(jsonLinesCodec, {}), ctxFor('codec', 'json_lines'));
const grok = await GrokFilter.create(withDefaults(grokPlugin, { match: { message: '%{COMBINEDAPACHELOG}' } }), { ecs, cwd: process.cwd() });
const host = hostname();
const devnull = openSync('/dev/null', 'w');

/** Best time of `passes` runs of fn (seconds). */
function best(fn, passes = 7) {
  let b = Infinity;
  for (let i = 0; i < passes; i++) {
    const t = process.hrtime.bigint();
    fn();
    b = Math.min(b, Number(process.hrtime.bigint() - t) / 1e9);
  }
  return b;
}

const decodeAll = () => {
  const out = [];
  const d = line.decoder((e) => out.push(e), { key: 'stdin', fields: (e) => { e.set('[host][hostname]', host); } });
  d.push(bytes);
  d.end();
  return out;
};

let sink = 0;
const t = {};
t.split = best(() => { const tok = new LineTokenizer(Buffer.from('\n')); tok.push(bytes, () => { sink++; }); });
t.decode = best(() => { sink += decodeAll().length; }) - t.split;
// grok and encode get fresh events each pass (grok writes into them), made outside the timed part.
{
  let b = Infinity;
  for (let i = 0; i < 7; i++) {
    const events = decodeAll();
    const t0 = process.hrtime.bigint();
    for (const e of events) if (grok.filter(e)) sink++;
    b = Math.min(b, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  t.grok = b;
}
// encode and write as the output does it: batch by batch (125), the texts joined and written once.
{
  let bestEncode = Infinity;
  let bestWrite = Infinity;
  for (let r = 0; r < 5; r++) {
    const events = decodeAll();
    for (const e of events) grok.filter(e);
    let enc = 0n;
    let wr = 0n;
    for (let i = 0; i < events.length; i += 125) {
      const t0 = process.hrtime.bigint();
      let text = '';
      for (let j = i; j < Math.min(i + 125, events.length); j++) text += jsonLines.encode(events[j]);
      const t1 = process.hrtime.bigint();
      writeSync(devnull, Buffer.from(text));
      wr += process.hrtime.bigint() - t1;
      enc += t1 - t0;
    }
    bestEncode = Math.min(bestEncode, Number(enc) / 1e9);
    bestWrite = Math.min(bestWrite, Number(wr) / 1e9);
  }
  t.encode = bestEncode;
  t.write = bestWrite;
}
const stageSum = t.split + t.decode + t.grok + t.encode + t.write;

// The whole CLI, one worker, on the same lines written to a file (stdin from it, stdout to /dev/null).
const dir = mkdtempSync(join(tmpdir(), 'sluice-stages-'));
const input = join(dir, 'in.log');
writeFileSync(input, bytes);
const conf = 'input { stdin { } } filter { grok { match => { "message" => "%{COMBINEDAPACHELOG}" } } } output { stdout { codec => json_lines } }';
let cli = Infinity;
let startup = Infinity;
for (let r = 0; r < 3; r++) {
  for (const [which, file] of [['run', input], ['startup', '/dev/null']]) {
    const inFd = openSync(file, 'r');
    const t0 = process.hrtime.bigint();
    const res = spawnSync(process.execPath, [...SLUICE_NODE_FLAGS, 'bin/sluice.js', 'run', '-w', '1', '--log.level', 'warn', '--api.enabled', 'false', '-e', conf], { stdio: [inFd, 'ignore', 'pipe'] });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    closeSync(inFd);
    if (res.status !== 0) throw new Error(`sluice run exited ${res.status}: ${res.stderr}`);
    if (which === 'run') cli = Math.min(cli, s); else startup = Math.min(startup, s);
  }
}
const steady = cli - startup;

// Reference: the same work in a bare script.
const expression = await new GrokMatcher({ ecs, timeoutMillis: 0 }).compile('%{COMBINEDAPACHELOG}');
const re = expression.regexp;
const reference = best(() => {
  const text = bytes.toString('utf8');
  let out = '';
  let n = 0;
  for (const l of text.split('\n')) {
    if (l === '') continue;
    re.lastIndex = 0;
    const m = re.exec(l);
    const doc = { '@timestamp': new Date().toISOString(), message: l, '@version': '1', event: { original: l }, host: { hostname: host }, captures: m ? m.groups ?? m.slice(1) : null };
    out += JSON.stringify(doc) + '\n';
    if (++n % 125 === 0) { writeSync(devnull, Buffer.from(out)); out = ''; }
  }
  if (out) writeSync(devnull, Buffer.from(out));
}, 5);

const us = (s) => fmt((s / N) * 1e6);
console.log(`stdin → grok %{COMBINEDAPACHELOG} → json_lines, ${N.toLocaleString('en-US')} Apache lines, ECS ${ecs}; µs per event`);
for (const k of ['split', 'decode', 'grok', 'encode', 'write']) console.log(`  ${k.padEnd(28)} ${us(t[k]).padStart(7)}`);
console.log(`  ${'sum of the stages'.padEnd(28)} ${us(stageSum).padStart(7)}`);
console.log(`  ${'sluice run, -w 1 (steady)'.padEnd(28)} ${us(steady).padStart(7)}   (${fmt(N / steady, 0)} events/s; start-up ${fmt(startup, 2)} s left out)`);
console.log(`  ${'pipeline overhead'.padEnd(28)} ${us(steady - stageSum).padStart(7)}   (queue, batches, promises, metrics: end to end − stages)`);
console.log(`  ${'bare script (reference)'.padEnd(28)} ${us(reference).padStart(7)}   (ratio sluice/reference ${fmt(reference / steady)})`);
if (sink < 0) console.log(sink);
