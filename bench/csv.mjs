#!/usr/bin/env node
// csv filter throughput on 20,000 generated lines of 8 columns (some quoted, with separators and doubled
// quotes inside), columns named, two conversions:
//  1. the csv stage: filter() on events (fields written into the event), in-process;
//  2. the bare line parser (parseCsvLine: csv-parse with Ruby's rules), no event;
// each with its ratio to the reference measured in the same run: a naive `line.split(',')` loop over the
// same lines (which would get the quoted columns wrong). Events are made outside the timed part.
// Also the stage on the same lines without doubled quotes (one csv-parse call per line instead of two).
const { default: csv, parseCsvLine } = await import('../dist/filters/csv/index.js');
const { Event } = await import('../dist/event/event.js');
const { withDefaults, contextFor } = await import('../dist/plugins/context.js');

const N = 20_000;
const words = ['alpha', 'beta', 'gamma', 'delta', 'sesame street', 'big bird', 'x'];
const lines = Array.from({ length: N }, (_, i) => {
  const w = (k) => words[(i * 7 + k) % words.length];
  return [i, w(1), `"${w(2)}, ${w(3)}"`, (i % 1000) / 10, w(4), `"say ""${w(5)}"""`, i % 2 === 0 ? 'true' : 'false', ''].join(',');
});
const fmt = (n) => Math.round(n).toLocaleString('en-US');

const opts = withDefaults(csv, { columns: ['id', 'a', 'b', 'n', 'c', 'q', 'ok', 'empty'], convert: { id: 'integer', n: 'float' } });
const filter = await csv.create(opts, contextFor('filter', 'csv', 'bench', opts, { ecs: 'disabled' }));

function best(fn) {
  let t = Infinity;
  for (let r = 0; r < 7; r++) t = Math.min(t, fn());
  return N / t;
}
const time = (f) => { const t = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t) / 1e9; };
let sink = 0;
const reference = best(() => time(() => { for (const l of lines) sink += l.split(',').length; }));
const parser = best(() => time(() => { for (const l of lines) sink += parseCsvLine(l, { separator: ',', quote: '"' }).length; }));
const stageOn = (ls) => best(() => {
  const events = ls.map((l) => new Event({ message: l }));
  return time(() => { for (const e of events) filter.filter(e, () => {}); });
});
const stage = stageOn(lines);
// Without doubled quotes csv-parse is asked once per line; with them and an empty column, twice (the
// second time with `cast`, to tell a quoted "" from an empty column, as Ruby does).
const plainLines = lines.map((l) => l.replace(/""/g, "'"));
const plainStage = stageOn(plainLines);
console.log(`reference  line.split(',')        ${fmt(reference).padStart(12)} lines/s`);
console.log(`parser     parseCsvLine           ${fmt(parser).padStart(12)} lines/s  (${(parser / reference).toFixed(3)}x reference)`);
console.log(`csv stage  filter() 8 columns     ${fmt(stage).padStart(12)} events/s (${(stage / reference).toFixed(3)}x reference)`);
console.log(`csv stage  no doubled quotes      ${fmt(plainStage).padStart(12)} events/s (${(plainStage / reference).toFixed(3)}x reference)`);
if (sink < 0) console.log(sink);
