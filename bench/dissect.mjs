#!/usr/bin/env node
// dissect, kv and json filter throughput on real logs (fixtures/data), each filter stage timed as the
// pipeline runs it (batches of 125 fresh events, only filter() timed), with its ratio to a reference
// measured in the same run:
//  - dissect vs grok on the same lines: the Apache access log (%{COMBINEDAPACHELOG} vs its dissect
//    mapping) and the loghub Linux syslog (%{SYSLOGLINE} vs a dissect mapping of the same line);
//  - kv on the key=value tails of the syslog lines (`logname= uid=0 euid=0 tty=NODEVssh …`), against a
//    bare String#split loop over the same texts;
//  - json on the Apache lines as JSON documents, against a bare JSON.parse loop over the same texts.
import { corpus } from './_corpus.mjs';

const { default: grokPlugin, GrokFilter } = await import('../dist/filters/grok.js');
const { default: dissectPlugin } = await import('../dist/filters/dissect.js');
const { default: kvPlugin } = await import('../dist/filters/kv.js');
const { default: jsonPlugin } = await import('../dist/filters/json.js');
const { withDefaults, contextFor } = await import('../dist/plugins/context.js');
const { Event } = await import('../dist/event/event.js');

const N = 20_000;
const ECS = 'disabled';
const fmt = (n) => Math.round(n).toLocaleString('en-US');
let sink = 0;

// Failures are logged per event (as in Logstash); the bench measures the filters, not the logger.
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
async function create(def, options) {
  const opts = withDefaults(def, { ...options, ecs_compatibility: ECS });
  return def.create(opts, contextFor('filter', def.name, def.name, opts, { ecs: ECS, loggerFor: () => quiet }));
}
const createGrok = (options) => GrokFilter.create(withDefaults(grokPlugin, options), { ecs: ECS, cwd: process.cwd() });

/** Best of 7 passes; `pass` returns the seconds it measured. */
function rate(pass, count) {
  let best = Infinity;
  for (let r = 0; r < 7; r++) best = Math.min(best, pass());
  return count / best;
}
/** One pass of a filter stage over the texts (in `field`), events built outside the timing. */
function stage(filter, texts, field = 'message') {
  return () => {
    let total = 0n;
    for (let b = 0; b < texts.length; b += 125) {
      const events = [];
      for (let i = b; i < Math.min(b + 125, texts.length); i++) events.push(new Event({ [field]: texts[i] }));
      const t = process.hrtime.bigint();
      for (const e of events) if (filter.filter(e, () => {})) sink++;
      total += process.hrtime.bigint() - t;
    }
    return Number(total) / 1e9;
  };
}
function loop(fn, texts) {
  return () => {
    const t = process.hrtime.bigint();
    for (const x of texts) sink += fn(x);
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
}
function matchedCount(filter, texts) {
  let n = 0;
  for (const x of texts) if (filter.filter(new Event({ message: x }), () => {})) n++;
  return n;
}

// ---- dissect vs grok -----------------------------------------------------------------------------
const pairs = [
  {
    file: 'apache_access_10k.log', grok: '%{COMBINEDAPACHELOG}',
    dissect: '%{clientip} %{ident} %{auth} [%{timestamp}] "%{verb} %{request} HTTP/%{httpversion}" %{response} %{bytes} "%{referrer}" "%{agent}"',
  },
  { file: 'loghub_Linux_2k.log', grok: '%{SYSLOGLINE}', dissect: '%{timestamp->} %{+timestamp} %{+timestamp} %{logsource} %{program}: %{message}' },
];
for (const p of pairs) {
  const lines = corpus(p.file, N);
  const grok = await createGrok({ match: { message: p.grok } });
  const dissect = await create(dissectPlugin, { mapping: { message: p.dissect } });
  const grokRate = rate(stage(grok, lines), lines.length);
  const dissectRate = rate(stage(dissect, lines), lines.length);
  console.log(`${p.file} (${fmt(lines.length)} lines; grok matches ${fmt(matchedCount(grok, lines))}, dissect ${fmt(matchedCount(dissect, lines))})`);
  console.log(`  grok stage ${p.grok}:  ${fmt(grokRate)} events/s  (reference)`);
  console.log(`  dissect stage:            ${fmt(dissectRate)} events/s  (${(dissectRate / grokRate).toFixed(2)}x grok)`);
}

// ---- kv ------------------------------------------------------------------------------------------
{
  const tails = corpus('loghub_Linux_2k.log', 2000).filter((l) => l.includes('=')).map((l) => l.slice(l.indexOf(': ') + 2));
  const texts = [];
  while (texts.length < N) texts.push(...tails.slice(0, N - texts.length));
  const kv = await create(kvPlugin, {});
  const splitRate = rate(loop((t) => { let n = 0; for (const part of t.split(' ')) { const i = part.indexOf('='); if (i > 0) n++; } return n; }, texts), texts.length);
  const kvRate = rate(stage(kv, texts), texts.length);
  const sample = new Event({ message: texts[0] });
  kv.filter(sample, () => {});
  console.log(`kv on syslog key=value tails (${fmt(texts.length)} texts, e.g. ${JSON.stringify(texts[0])} → ${Object.keys(sample.toObject()).filter((k) => !['@timestamp', '@version', 'message'].includes(k)).join(',')})`);
  console.log(`  bare split(' ')/indexOf('=') loop: ${fmt(splitRate)} texts/s  (reference)`);
  console.log(`  kv stage, default options:          ${fmt(kvRate)} events/s  (${(100 * kvRate / splitRate).toFixed(0)}% of reference)`);
}

// ---- json ----------------------------------------------------------------------------------------
{
  const lines = corpus('apache_access_10k.log', N);
  const cut = await create(dissectPlugin, { mapping: { message: pairs[0].dissect } });
  const docs = lines.map((l) => {
    const e = new Event({ message: l });
    cut.filter(e, () => {});
    const o = e.toObject();
    delete o['@timestamp']; delete o['@version'];
    o.bytes = Number(o.bytes) || 0;
    o.response = Number(o.response) || 0;
    return JSON.stringify(o);
  });
  const json = await create(jsonPlugin, { source: 'doc', target: 'app' });
  const parseRate = rate(loop((t) => (JSON.parse(t) ? 1 : 0), docs), docs.length);
  const jsonRate = rate(stage(json, docs, 'doc'), docs.length);
  console.log(`json on Apache lines as JSON documents (${fmt(docs.length)} docs, ~${Math.round(docs.reduce((n, d) => n + d.length, 0) / docs.length)} bytes each)`);
  console.log(`  bare JSON.parse loop:          ${fmt(parseRate)} docs/s  (reference)`);
  console.log(`  json stage (target => app):    ${fmt(jsonRate)} events/s  (${(100 * jsonRate / parseRate).toFixed(0)}% of reference)`);
}
if (sink < 0) console.log(sink);
