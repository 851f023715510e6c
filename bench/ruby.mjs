#!/usr/bin/env node
// The ruby filter (CRuby 3.4 on WebAssembly) on a de_dot block from a messy ELK config:
//   ruby { code => "event.to_hash.keys.each { |k| event.set(k.gsub('.','_'), event.remove(k)) if k.include?('.') }" }
// over events with a dozen fields, five of them dotted. Measured in the same run:
//  1. the VM start-up (compile the .wasm, boot Ruby, load the prelude), in-process, and what a whole
//     `sluice run` of one event pays for a ruby filter (with minus without);
//  2. filterBatch on batches of 125 (one crossing into Ruby per batch), and filter() per event;
//  3. the reference: the same renames done by plain JS on the same events (what mutate/de_dot would do).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Event } = await import('../dist/event/event.js');
const { LsFloat } = await import('../dist/event/values.js');
const { rubyRuntime } = await import('../dist/filters/ruby/vm.js');
const ruby = (await import('../dist/filters/ruby/index.js')).default;
const { withDefaults, contextFor } = await import('../dist/plugins/context.js');

const CODE = "event.to_hash.keys.each { |k| event.set(k.gsub('.','_'), event.remove(k)) if k.include?('.') }";
const N = 5_000;
const BATCH = 125;
const fmt = (n) => Math.round(n).toLocaleString('en-US');

function data(i) {
  return {
    '@timestamp': '2024-05-01T10:00:00.123Z',
    message: `GET /api/v1/items/${i} HTTP/1.1 200 512 "-" "curl/8.0"`,
    'host.name': `web-${i % 7}`,
    'log.level': 'info',
    'http.request.method': 'GET',
    'http.response.status_code': 200,
    'url.path': `/api/v1/items/${i}`,
    'event.duration': new LsFloat(1.5 + i),
    service: 'shop',
    tags: ['beats_input_codec_plain_applied'],
    agent: { type: 'filebeat', version: '8.13.0' },
    bytes: 512,
  };
}
const batches = () => {
  const out = [];
  for (let b = 0; b < N; b += BATCH) {
    const events = [];
    for (let i = b; i < Math.min(b + BATCH, N); i++) events.push(new Event(data(i)));
    out.push(events);
  }
  return out;
};

// ---- start-up --------------------------------------------------------------------------------------
const t0 = performance.now();
const runtime = await rubyRuntime();
const startup = performance.now() - t0;

function runOnce(config) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(root, 'bin/sluice.js'), 'run', '-e', config], { input: '{"a.b":1}\n', cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return performance.now() - t;
}
const io = 'input { stdin { codec => json_lines } } output { stdout { codec => json_lines } }';
const withRuby = `input { stdin { codec => json_lines } } filter { ruby { code => "${CODE}" } } output { stdout { codec => json_lines } }`;
let bare = Infinity;
let rubyRun = Infinity;
for (let r = 0; r < 3; r++) { bare = Math.min(bare, runOnce(io)); rubyRun = Math.min(rubyRun, runOnce(withRuby)); }

// ---- throughput ------------------------------------------------------------------------------------
const opts = withDefaults(ruby, { code: CODE });
const filter = await ruby.create(opts, contextFor('filter', 'ruby', 'ruby_bench', opts, { ecs: 'v8' }));

function jsDeDot(e) {
  for (const k of Object.keys(e.data)) if (k.includes('.')) e.set(k.replaceAll('.', '_'), e.remove(k));
  return true;
}

// Check both do the same before timing them.
{
  const [a] = batches();
  const b = a.map((e) => e.clone());
  filter.filterBatch(a, () => {});
  b.forEach(jsDeDot);
  for (let i = 0; i < a.length; i++) {
    if (a[i].toJSON() !== b[i].toJSON()) throw new Error(`ruby and JS differ:\n${a[i].toJSON()}\n${b[i].toJSON()}`);
  }
}

function pass(fn) {
  const all = batches();
  const t = process.hrtime.bigint();
  for (const events of all) fn(events);
  return Number(process.hrtime.bigint() - t) / 1e9;
}
const rubyBatch = (events) => filter.filterBatch(events, () => {});
const rubyEach = (events) => { for (const e of events) filter.filter(e, () => {}); };
const js = (events) => { for (const e of events) jsDeDot(e); };

let bestBatch = Infinity;
let bestEach = Infinity;
let bestJs = Infinity;
// Interleaved passes, best of each: the machine is shared, so all three see the same conditions.
for (const events of batches().slice(0, 10)) { filter.filterBatch(events, () => {}); js(events); }
for (let r = 0; r < 5; r++) {
  bestBatch = Math.min(bestBatch, pass(rubyBatch));
  bestEach = Math.min(bestEach, pass(rubyEach));
  bestJs = Math.min(bestJs, pass(js));
}
const jsRate = N / bestJs;
console.log(`VM start-up (compile + boot + prelude), in-process: ${fmt(startup)} ms (runtime says ${fmt(runtime.startupMs)} ms)`);
console.log(`sluice run of one event: ${fmt(rubyRun)} ms with the ruby filter, ${fmt(bare)} ms without (+${fmt(rubyRun - bare)} ms)`);
console.log(`ruby de_dot, filterBatch (batches of ${BATCH}): ${fmt(N / bestBatch)} events/s  (${(jsRate / (N / bestBatch)).toFixed(1)}x slower than JS)`);
console.log(`ruby de_dot, filter() per event:        ${fmt(N / bestEach)} events/s  (${(jsRate / (N / bestEach)).toFixed(1)}x slower than JS)`);
console.log(`reference, the same renames in plain JS: ${fmt(jsRate)} events/s`);
await filter.close();
