#!/usr/bin/env node
// multiline codec: (1) memory with 10,000 open streams each holding a pending event, (2) joining speed
// on a Java log (fixtures/multiline/java.log, repeated) with `pattern` and with `preset => java`.
// Reference for (2), same run: a bare loop that splits the same bytes into lines and joins lines that
// start with whitespace (the least a multiline joiner must do). Needs `npm run build` first.
// `--memory-only` skips the throughput part (the memory test runs it that way).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

if (typeof globalThis.gc !== 'function') {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { default: def } = await import('../dist/codecs/multiline.js');
const { withDefaults } = await import('../dist/runtime/instantiate.js');
const ctx = { ecs: 'v8', id: 'bench', logger: { debug() {}, info() {}, warn() {}, error() {} }, createCodec: async () => { throw new Error('none'); } };
const make = (opts) => def.create(withDefaults(def, opts), ctx);

function heap() { for (let i = 0; i < 4; i++) globalThis.gc(); return process.memoryUsage().heapUsed; }

async function streams(label, opts, n, feed, eventsEach = 1) {
  const codec = await make(opts);
  const keep = [];
  let emitted = 0;
  const before = heap();
  for (let i = 0; i < n; i++) {
    const d = codec.decoder(() => { emitted++; }, { key: `tcp:10.0.0.${i % 250}:${40000 + i}` });
    if (feed) d.push(feed(i));
    keep.push(d);
  }
  const after = heap();
  const per = (after - before) / n;
  console.log(`${label.padEnd(58)} ${String(Math.round(per)).padStart(5)} B/stream  (${((after - before) / 1048576).toFixed(1)} MiB for ${n.toLocaleString('en-US')})`);
  if (emitted !== 0) throw new Error('nothing should be emitted yet');
  codec.close();
  if (feed && emitted !== n * eventsEach) throw new Error(`close() should flush ${n * eventsEach} events, got ${emitted}`);
  return per;
}

const N = 10_000;
// Two lines each (~110 bytes of text): the pending event is held until the next line or a flush.
const trace = (i) => `2024-05-01 10:00:00,000 ERROR [conn-${i}] com.acme.Api - request ${i} failed\n\tat com.acme.Api.handle(Api.java:${i})\n`;
console.log('memory (heap after GC, per open stream):');
await streams('idle streams, nothing pending', { pattern: '^\\s', what: 'previous' }, N, null);
await streams('pending 2-line event, pattern, no auto flush', { pattern: '^\\s', what: 'previous' }, N, trace);
await streams('pending 2-line event, pattern, auto_flush_interval => 5', { pattern: '^\\s', what: 'previous', auto_flush_interval: 5 }, N, trace);
await streams('pending 2-line event, preset => stacktraces, auto flush', { preset: ['stacktraces'], auto_flush_interval: 5 }, N, trace);
await streams('pending 2-line event + 40-byte partial line, auto flush', { pattern: '^\\s', what: 'previous', auto_flush_interval: 5 }, N, (i) => trace(i) + `2024-05-01 10:00:01,000 INFO [conn-${i}] par`, 2);

if (process.argv.includes('--memory-only')) process.exit(0);

// ---- throughput ----
const javaLog = readFileSync(new URL('../fixtures/multiline/java.log', import.meta.url));
const copies = 4000;
const data = Buffer.concat(Array.from({ length: copies }, () => javaLog));
const lineCount = data.toString('utf8').split('\n').length - 1;
const CHUNK = 64 * 1024;

function reference() {
  const t = process.hrtime.bigint();
  let events = 0;
  let cur = null;
  let rest = '';
  for (let off = 0; off < data.length; off += CHUNK) {
    const parts = (rest + data.subarray(off, off + CHUNK).toString('utf8')).split('\n');
    rest = parts.pop();
    for (const l of parts) {
      if (/^\s/.test(l) && cur !== null) cur.push(l);
      else { if (cur !== null) { JSON.stringify({ message: cur.join('\n') }); events++; } cur = [l]; }
    }
  }
  if (cur !== null) events++;
  return { s: Number(process.hrtime.bigint() - t) / 1e9, events };
}

async function run(opts) {
  const codec = await make(opts);
  let events = 0;
  const t = process.hrtime.bigint();
  const d = codec.decoder(() => { events++; });
  for (let off = 0; off < data.length; off += CHUNK) d.push(data.subarray(off, off + CHUNK));
  d.end();
  return { s: Number(process.hrtime.bigint() - t) / 1e9, events };
}

const best = async (f) => { let b; for (let i = 0; i < 3; i++) { const r = await f(); if (!b || r.s < b.s) b = r; } return b; };
const ref = await best(async () => reference());
const pat = await best(() => run({ pattern: '^\\s', what: 'previous' }));
const grok = await best(() => run({ pattern: '^%{TIMESTAMP_ISO8601} ', negate: true, what: 'previous' }));
const pre = await best(() => run({ preset: ['java'] }));
const all = await best(() => run({ preset: ['stacktraces'] }));
const lps = (r) => `${Math.round(lineCount / r.s).toLocaleString('en-US')} lines/s, ${r.events.toLocaleString('en-US')} events`;
console.log(`\nthroughput on ${lineCount.toLocaleString('en-US')} lines (java.log x ${copies}, 64 KiB chunks):`);
console.log(`reference (split + /^\\s/ join):       ${lps(ref)}`);
console.log(`pattern => "^\\s" (events built):      ${lps(pat)}  (ratio ${(pat.s / ref.s).toFixed(2)}x the reference time)`);
console.log(`pattern => "^%{TIMESTAMP_ISO8601} " negate: ${lps(grok)}  (ratio ${(grok.s / ref.s).toFixed(2)}x)`);
console.log(`preset => java:                        ${lps(pre)}  (ratio ${(pre.s / ref.s).toFixed(2)}x)`);
console.log(`preset => stacktraces:                 ${lps(all)}  (ratio ${(all.s / ref.s).toFixed(2)}x)`);
