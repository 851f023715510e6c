#!/usr/bin/env node
// HTTP inputs through a real `sluice run`, driven by keep-alive undici clients (64 requests in flight):
//  1. the http input: one small text event per POST → stdout { codec => json_lines } (to /dev/null), events/s,
//     with its ratio to the reference measured in the same run: a bare fastify server (another process, the
//     same client) answering "ok" to the same POSTs without doing anything with them;
//  2. the kinesis_firehose input: Firehose requests of 100 records, each base64(gzip(CloudWatch Logs
//     payload with 5 log events)), records/s and events/s.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const CONCURRENCY = 64;
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

function startProcess(args, readyRe) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (d) => { err += d; });
  return new Promise((resolve, reject) => {
    const t = setInterval(() => {
      if (readyRe.test(err)) { clearInterval(t); resolve(child); }
      if (child.exitCode !== null) { clearInterval(t); reject(new Error(err)); }
    }, 20);
  });
}

/** Send `total` requests over keep-alive connections, CONCURRENCY at a time; returns requests/s. */
async function drive(origin, total, body, headers) {
  const pool = new Pool(origin, { connections: CONCURRENCY, pipelining: 1, keepAliveTimeout: 30_000 });
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const r = await pool.request({ path: '/', method: 'POST', body, headers });
      await r.body.text();
      if (r.statusCode !== 200) failed++;
    }
  };
  // Warm-up, then the timed run.
  const warm = Math.min(2000, total / 5);
  next = total - warm;
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  next = 0;
  const t = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  await pool.close();
  if (failed) throw new Error(`${failed} requests failed`);
  return total / s;
}

const BARE = `
const { default: Fastify } = await import(${JSON.stringify(new URL('../node_modules/fastify/fastify.js', import.meta.url).href)});
const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => done(null, body));
app.post('/', (req, reply) => { reply.header('content-type', 'text/plain').send('ok'); });
await app.listen({ host: '127.0.0.1', port: Number(process.argv[1]) });
console.error('bare fastify listening');
`;

const N = Number(process.env.HTTP_BENCH_REQUESTS ?? 40_000);
const text = 'Dec  7 12:00:00 web-1 app[42]: user=ann action=login status=ok';

// Reference: a bare fastify handler.
const barePort = await freePort();
const bare = await startProcess(['--input-type=module', '-e', BARE, String(barePort)], /bare fastify listening/);
const bareRate = await drive(`http://127.0.0.1:${barePort}`, N, text, { 'content-type': 'text/plain' });
bare.kill('SIGTERM');

const httpPort = await freePort();
const sluice = await startProcess([BIN, 'run', '--api.enabled', 'false', '-e', `input { http { host => "127.0.0.1" port => ${httpPort} } } output { stdout { codec => json_lines } }`], /Pipelines running/);
const httpRate = await drive(`http://127.0.0.1:${httpPort}`, N, text, { 'content-type': 'text/plain' });
sluice.kill('SIGTERM');

console.log(`bare fastify handler (reference)   ${fmt(bareRate)} requests/s`);
console.log(`http input → json_lines               ${fmt(httpRate)} events/s   ratio ${(httpRate / bareRate).toFixed(2)}`);

// Firehose: CloudWatch Logs subscription records.
const RECORDS = 100;
const EVENTS = 5;
const payload = (i) => ({
  messageType: 'DATA_MESSAGE', owner: '123456789012', logGroup: '/aws/lambda/app', logStream: `stream-${i}`, subscriptionFilters: ['sluice'],
  logEvents: Array.from({ length: EVENTS }, (_, j) => ({ id: `${i}${j}`, timestamp: 1704196800000 + j, message: `${text} n=${j}` })),
});
const body = JSON.stringify({ requestId: 'bench', timestamp: Date.now(), records: Array.from({ length: RECORDS }, (_, i) => ({ data: gzipSync(JSON.stringify(payload(i))).toString('base64') })) });
const fhPort = await freePort();
const fh = await startProcess([BIN, 'run', '--api.enabled', 'false', '-e', `input { kinesis_firehose { host => "127.0.0.1" port => ${fhPort} } } output { stdout { codec => json_lines } }`], /Pipelines running/);
const fhRate = await drive(`http://127.0.0.1:${fhPort}`, Math.max(200, Math.round(N / 40)), body, { 'content-type': 'application/json', 'x-amz-firehose-request-id': 'bench' });
fh.kill('SIGTERM');
console.log(`kinesis_firehose (${RECORDS} CloudWatch records × ${EVENTS} log events per request)   ${fmt(fhRate * RECORDS)} records/s   ${fmt(fhRate * RECORDS * EVENTS)} events/s`);
