#!/usr/bin/env node
// Delivery throughput: `sluice run` generator → elasticsearch output (bulk API, default gzip level 1) to a
// local bulk sink (a child process answering like Elasticsearch's bulk API without errors), and generator →
// http output (format json_batch) to the same sink. Reference, same run: a bare Node loop that serializes the
// same events to NDJSON bulk bodies (action line + document, 125 per request as sluice's default batch),
// gzips them the same way and posts them with undici, the client sluice uses. Both include the sink's work;
// sluice's figure includes process start-up.
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzip as gzipCb } from 'node:zlib';
import { promisify } from 'node:util';
import { Pool } from 'undici';

const N = Number(process.env.N ?? 200_000);
const BATCH = 125;
const gzip = promisify(gzipCb);
const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-es-'));
const sinkFile = join(dir, 'sink.mjs');
writeFileSync(sinkFile, `
import http from 'node:http';
import { gunzipSync } from 'node:zlib';
import { SLUICE_NODE_FLAGS } from './_corpus.mjs';
let docs = 0;
const s = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c)).on('end', () => {
    if (req.url === '/count') { res.end(String(docs)); return; }
    if (req.url === '/reset') { docs = 0; res.end('0'); return; }
    let b = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') b = gunzipSync(b);
    if (req.url.startsWith('/_bulk')) { let n = 0; for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) n++; docs += n / 2; }
    else if (req.url.startsWith('/batch')) docs += JSON.parse(b.toString()).length;
    res.writeHead(200, { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' });
    res.end(req.url === '/' ? '{"version":{"number":"8.15.0"}}' : '{"errors":false,"took":1,"items":[]}');
  });
});
s.keepAliveTimeout = 120_000;
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`);
const sink = spawn(process.execPath, [sinkFile], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise((resolve) => sink.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
const base = `http://127.0.0.1:${port}`;
const pool = new Pool(base, { connections: 4 });
const call = async (path) => { const r = await pool.request({ method: 'GET', path }); return Number(await r.body.text()); };

async function reference(kind, level) {
  await call('/reset');
  const t = process.hrtime.bigint();
  const host = { name: 'bench' };
  const inflight = [];
  for (let start = 0; start < N; start += BATCH) {
    let text = '';
    const end = Math.min(N, start + BATCH);
    if (kind === 'bulk') {
      for (let i = start; i < end; i++) {
        const doc = { '@timestamp': new Date().toISOString(), '@version': '1', message: 'Hello world!', host, event: { sequence: i, original: 'Hello world!' } };
        text += '{"index":{"_index":"bench"}}\n' + JSON.stringify(doc) + '\n';
      }
    } else {
      const docs = [];
      for (let i = start; i < end; i++) docs.push(JSON.stringify({ '@timestamp': new Date().toISOString(), '@version': '1', message: 'Hello world!', host, event: { sequence: i, original: 'Hello world!' } }));
      text = '[' + docs.join(',') + ']';
    }
    const body = level > 0 ? await gzip(text, { level }) : text;
    const headers = { 'content-type': 'application/json', ...(level > 0 ? { 'content-encoding': 'gzip' } : {}) };
    // Two requests in flight, as sluice's two pipeline workers.
    inflight.push(pool.request({ method: 'POST', path: kind === 'bulk' ? '/_bulk' : '/batch', headers, body }).then((r) => r.body.text()));
    if (inflight.length >= 2) await inflight.shift();
  }
  await Promise.all(inflight);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  const got = await call('/count');
  if (got !== N) throw new Error(`reference: sink got ${got} of ${N}`);
  return s;
}

async function sluice(output, count = N) {
  await call('/reset');
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...SLUICE_NODE_FLAGS, 'bin/sluice.js', 'run', '--log.level', 'warn', '-e', `input { generator { count => ${count} } } output { ${output} }`], { maxBuffer: 1 << 26, stdio: ['ignore', output.startsWith('stdout') ? 'ignore' : 'pipe', 'pipe'] });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(`sluice exited ${r.status}: ${r.stderr}`);
  if (output.startsWith('stdout')) return s;
  const got = await call('/count');
  if (got !== count) throw new Error(`sluice: sink got ${got} of ${count}: ${r.stderr}`);
  return s;
}

/** The same run with one event: process start-up, module loading and the output's set-up requests. */
const startup = (output) => sluice(output, 1);

const best = async (f) => Math.min(await f(), await f(), await f());
const eps = (s) => Math.round(N / s).toLocaleString('en-US');
const line = (label, s, ref) => console.log(`${label.padEnd(44)} ${eps(s).padStart(10)} events/s${ref ? `  (ratio to reference ${(ref / s).toFixed(2)})` : ''}`);
// sluice's figure with its start-up left out: the run's time minus that of a one-event run.
const steady = (label, s, up, ref) => console.log(`${`  without start-up (${up.toFixed(2)} s)`.padEnd(44)} ${eps(s - up).padStart(10)} events/s  (ratio to reference ${(ref / (s - up)).toFixed(2)})`);
console.log(`events: ${N.toLocaleString('en-US')} per run (generator), best of 3`);
// What the pipeline costs without a network output: generator → stdout json_lines into /dev/null.
line('sluice generator → stdout (no network, baseline)', await best(() => sluice('stdout { codec => json_lines }')));
for (const level of [1, 0]) {
  const ref = await best(() => reference('bulk', level));
  line(`reference bulk loop, gzip level ${level}`, ref);
  const es = `elasticsearch { hosts => ["${base}"] index => "bench" compression_level => ${level} }`;
  const run = await best(() => sluice(es));
  line(`sluice elasticsearch, compression_level ${level}`, run, ref);
  steady(`sluice elasticsearch, compression_level ${level}`, run, await best(() => startup(es)), ref);
}
const refBatch = await best(() => reference('batch', 0));
line('reference json_batch loop', refBatch);
const http = `http { url => "${base}/batch" http_method => "post" format => "json_batch" }`;
const httpRun = await best(() => sluice(http));
line('sluice http json_batch', httpRun, refBatch);
steady('sluice http json_batch', httpRun, await best(() => startup(http)), refBatch);
await pool.close();
sink.kill();
