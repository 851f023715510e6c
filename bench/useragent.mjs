#!/usr/bin/env node
// useragent filter throughput on the user agents of a real Apache access log (fixtures/useragent):
//  1. cold: every distinct user agent once, through a filter whose LRU cache has not seen it (each event
//     scans uap-core's ~1,100 regexes);
//  2. cached: the log's 10,000 user agents in their real order (repeats and all) through a filter with the
//     default LRU cache, after one warm-up pass;
// each with its ratio to the reference measured in the same run: the bare parser (UserAgentParser.parse,
// no event, no cache) over the same strings. Events are made outside the timed part.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { default: useragent } = await import('../dist/filters/useragent.js');
const { UserAgentParser } = await import('../dist/formats/useragent.js');
const { Event } = await import('../dist/event/event.js');
const { withDefaults, contextFor } = await import('../dist/plugins/context.js');

const distinct = readFileSync(join(root, 'fixtures/useragent/apache-user-agents.txt'), 'utf8').split('\n').filter(Boolean);
const order = readFileSync(join(root, 'fixtures/useragent/apache-user-agents.order'), 'utf8').split('\n').filter(Boolean).map(Number);
const sequence = order.map((i) => distinct[i]);
const fmt = (n) => Math.round(n).toLocaleString('en-US');

function makeFilter(options) {
  const opts = withDefaults(useragent, { source: 'message', ...options });
  return useragent.create(opts, contextFor('filter', 'useragent', 'bench', opts, { ecs: 'v8' }));
}

/** Seconds for one pass of the filter over fresh events (only filter() timed). */
function filterPass(filter, lines) {
  const events = lines.map((l) => new Event({ message: l }));
  const t = process.hrtime.bigint();
  for (const e of events) filter.filter(e, () => {});
  return Number(process.hrtime.bigint() - t) / 1e9;
}

const parser = UserAgentParser.fromDefault();
let sink = 0;
function parserPass(lines) {
  const t = process.hrtime.bigint();
  for (const l of lines) sink += parser.parse(l).device.length;
  return Number(process.hrtime.bigint() - t) / 1e9;
}

let bestRef = Infinity;
let bestCold = Infinity;
let bestRefSeq = Infinity;
let bestCached = Infinity;
for (let r = 0; r < 5; r++) {
  bestRef = Math.min(bestRef, parserPass(distinct));
  // A fresh filter each pass: nothing of these user agents is in its cache yet.
  bestCold = Math.min(bestCold, filterPass(await makeFilter({}), distinct));
  bestRefSeq = Math.min(bestRefSeq, parserPass(sequence));
  const cached = await makeFilter({});
  filterPass(cached, sequence); // warm-up: fills the cache
  bestCached = Math.min(bestCached, filterPass(cached, sequence));
}
const ref = distinct.length / bestRef;
const cold = distinct.length / bestCold;
const refSeq = sequence.length / bestRefSeq;
const cached = sequence.length / bestCached;
console.log(`reference (bare parser, ${distinct.length} distinct UAs): ${fmt(ref)} UAs/s`);
console.log(`useragent cold (no cache hits):              ${fmt(cold)} events/s  (${(cold / ref).toFixed(2)}x the reference)`);
console.log(`reference (bare parser, ${sequence.length} UAs in log order): ${fmt(refSeq)} UAs/s`);
console.log(`useragent with LRU cache (log order):        ${fmt(cached)} events/s  (${(cached / refSeq).toFixed(2)}x the reference)`);
if (sink < 0) console.log(sink);
