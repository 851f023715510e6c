#!/usr/bin/env node
// Splitting a byte stream into lines and NDJSON documents: sluice's hand-written paths against the
// libraries the stack names, in the same run, on the same real logs (fixtures/data) cut into 64 KiB
// chunks as a socket or stdin delivers them. Every path reads the same Readable, so the stream plumbing
// a real input pays is in every figure; each line is the best of interleaved passes.
//
// Lines (bytes → one string per line, delimiter "\n"):
//   hand:    LineTokenizer (src/formats/lines.ts) + the UTF-8 line converter (what the line codec runs);
//   split2:  split2("\n") (the same delimiter), and split2() with its default /\r?\n/.
// NDJSON (bytes → one parsed object per line):
//   hand:    LineTokenizer + UTF-8 converter + JSON.parse (the like-for-like part of the json_lines codec);
//   ndjson:  ndjson.parse() (split2 /\r?\n/ + JSON.parse in a Transform);
//   and, for scale, sluice's whole json_lines decoder building Events.
// The ratio is the library's time over the hand path's (above 1: the hand path is faster).
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { corpus } from './_corpus.mjs';

const require = createRequire(import.meta.url);
const split2 = require('split2');
const ndjson = require('ndjson');
const { LineTokenizer } = await import('../dist/formats/lines.js');
const { lineConverter } = await import('../dist/formats/charset.js');
const jsonLinesCodec = (await import('../dist/codecs/json_lines.js')).default;

const TARGET_BYTES = 48 * 1024 * 1024;
const CHUNK = 64 * 1024;
const PASSES = 5;
const fmt = (n) => Math.round(n).toLocaleString('en-US');

/** The lines of a real log, repeated to about TARGET_BYTES, as 64 KiB chunks (lines cut across chunks). */
function chunked(lines) {
  const text = `${lines.join('\n')}\n`;
  const one = Buffer.from(text, 'utf8');
  const copies = Math.max(1, Math.round(TARGET_BYTES / one.length));
  const all = Buffer.concat(Array.from({ length: copies }, () => one));
  const chunks = [];
  for (let i = 0; i < all.length; i += CHUNK) chunks.push(all.subarray(i, i + CHUNK));
  return { chunks, bytes: all.length, lines: lines.length * copies };
}

const utf8 = lineConverter('UTF-8');

// Each path returns [items, checksum] so the paths can be checked to agree, and nothing is optimised away.
async function handLines(chunks) {
  const tok = new LineTokenizer(Buffer.from('\n'));
  let n = 0; let chars = 0;
  const onLine = (b) => { const s = utf8(b); n++; chars += s.length; };
  for await (const c of Readable.from(chunks)) tok.push(c, onLine);
  const rest = tok.flush();
  if (rest.length > 0) onLine(rest);
  return [n, chars];
}

function viaStream(chunks, transform, measure) {
  return new Promise((resolve, reject) => {
    let n = 0; let sum = 0;
    transform.on('data', (x) => { n++; sum += measure(x); });
    transform.on('end', () => resolve([n, sum]));
    transform.on('error', reject);
    Readable.from(chunks).pipe(transform);
  });
}
const split2Lines = (chunks) => viaStream(chunks, split2('\n'), (s) => s.length);
const split2RegexLines = (chunks) => viaStream(chunks, split2(), (s) => s.length);

async function handNdjson(chunks) {
  const tok = new LineTokenizer(Buffer.from('\n'));
  let n = 0; let sum = 0;
  const onLine = (b) => { const s = utf8(b); if (s.length === 0) return; const o = JSON.parse(s); n++; sum += o.message.length; };
  for await (const c of Readable.from(chunks)) tok.push(c, onLine);
  const rest = tok.flush();
  if (rest.length > 0) onLine(rest);
  return [n, sum];
}
const ndjsonParse = (chunks) => viaStream(chunks, ndjson.parse(), (o) => o.message.length);

async function jsonLinesEvents(chunks) {
  const codec = jsonLinesCodec.create({ charset: 'UTF-8', delimiter: '\n', target: undefined, decode_size_limit_bytes: 512 * 1024 * 1024 });
  let n = 0; let sum = 0;
  const dec = codec.decoder((e) => { n++; sum += e.get('message').length; }, undefined);
  for await (const c of Readable.from(chunks)) dec.push(c);
  dec.end();
  return [n, sum];
}

/** Best time of each path over interleaved passes (the machine is shared: all see the same conditions). */
async function race(paths, chunks) {
  const best = paths.map(() => Infinity);
  const results = [];
  for (let p = 0; p < PASSES; p++) {
    for (let i = 0; i < paths.length; i++) {
      const t = process.hrtime.bigint();
      const r = await paths[i].run(chunks);
      best[i] = Math.min(best[i], Number(process.hrtime.bigint() - t) / 1e9);
      results[i] = r;
    }
  }
  for (let i = 1; i < paths.length; i++) {
    const same = results[i][0] === results[0][0] && (paths[i].countOnly || results[i][1] === results[0][1]);
    if (!same) {
      throw new Error(`${paths[i].label} disagrees with ${paths[0].label}: ${results[i]} vs ${results[0]}`);
    }
  }
  return best;
}

function report(title, data, paths, best) {
  const mb = data.bytes / 1e6;
  console.log(`${title} (${mb.toFixed(1)} MB, ${fmt(data.lines)} lines, ${CHUNK / 1024} KiB chunks, best of ${PASSES})`);
  paths.forEach((p, i) => {
    const ratio = i === 0 ? '(reference)' : `(ratio ${(best[i] / best[0]).toFixed(2)}: ${best[i] > best[0] ? 'hand path faster' : 'library faster'})`;
    console.log(`  ${p.label.padEnd(44)} ${(mb / best[i]).toFixed(0).padStart(5)} MB/s  ${fmt(data.lines / best[i]).padStart(11)} lines/s  ${ratio}`);
  });
}

const lineSources = [
  ['apache_access_10k.log', 10_000],
  ['loghub_Linux_2k.log', 2_000],
];
for (const [file, count] of lineSources) {
  const data = chunked(corpus(file, count));
  const paths = [
    { label: 'hand: LineTokenizer + UTF-8 converter', run: handLines },
    { label: 'split2("\\n")', run: split2Lines },
    // The default matcher also strips "\r" (the loghub Linux sample has CRLF lines): same count, shorter text.
    { label: 'split2() (default /\\r?\\n/)', run: split2RegexLines, countOnly: true },
  ];
  report(`lines: ${file}`, data, paths, await race(paths, data.chunks));
}

{
  // NDJSON of the real Apache lines, shaped like the events sluice writes (json_lines output).
  const docs = corpus('apache_access_10k.log', 10_000)
    .map((message, i) => JSON.stringify({ '@timestamp': new Date(Date.UTC(2015, 4, 17, 10, 5, i % 60)).toISOString(), message, '@version': '1', host: { name: 'web-1' } }));
  const data = chunked(docs);
  const paths = [
    { label: 'hand: LineTokenizer + converter + JSON.parse', run: handNdjson },
    { label: 'ndjson.parse()', run: ndjsonParse },
    { label: 'sluice json_lines decoder (Events)', run: jsonLinesEvents },
  ];
  report('ndjson: apache_access_10k.log as JSON documents', data, paths, await race(paths, data.chunks));
}
