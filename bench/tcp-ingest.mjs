#!/usr/bin/env node
// TCP ingest: a local sender writes syslog messages over TCP to `sluice run`, which decodes them and writes
// JSON lines to a file; events/s counts from the first byte sent until the last event is in the file.
// Reference, same run: the same sender writing the same bytes to a plain TCP sink (a Node process that
// only counts bytes): the sender's own rate, the most any TCP receiver could reach here.
// Scenarios: `syslog` input (RFC 5424, octet-counted, and RFC 3164, LF-framed, from real Linux syslog lines)
// and `tcp` input with the default line codec (Apache access lines); the syslog scenario again with
// `queue.type: persisted`, as a ratio to the memory queue.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync, openSync, readSync, closeSync, statSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpus, SLUICE_NODE_FLAGS } from './_corpus.mjs';

const N = Number(process.env.TCP_BENCH_EVENTS || 200_000);
const CONNECTIONS = 4;
const dir = mkdtempSync(join(tmpdir(), 'sluice-tcp-bench-'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
}

async function waitListening(port) {
  for (let i = 0; i < 400; i++) {
    const ok = await new Promise((r) => { const c = net.connect(port, '127.0.0.1'); c.once('connect', () => { c.destroy(); r(true); }); c.once('error', () => r(false)); });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`nothing listens on ${port}`);
}

/** Send each connection's buffer concurrently; resolve when all were handed to the kernel and closed. */
function send(port, buffers) {
  return Promise.all(buffers.map((buf) => new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.end(buf));
    s.on('error', reject);
    s.on('close', resolve);
  })));
}

/** Split N messages over the connections, each connection's messages concatenated. */
function payloads(messages) {
  const per = Array.from({ length: CONNECTIONS }, () => []);
  messages.forEach((m, i) => per[i % CONNECTIONS].push(m));
  return per.map((ms) => Buffer.from(ms.join('')));
}

async function reference(buffers) {
  const port = await freePort();
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const sink = spawn(process.execPath, ['-e', `
    const net = require('node:net'); let n = 0;
    net.createServer((s) => s.on('data', (d) => { n += d.length; if (n >= ${total}) process.stdout.write('done\\n'); })).listen(${port}, '127.0.0.1', () => process.stdout.write('ready\\n'));
  `], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  sink.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  while (!out.includes('ready')) await sleep(5);
  const t = process.hrtime.bigint();
  await send(port, buffers);
  while (!out.includes('done')) await sleep(1);
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  sink.kill();
  return s;
}

/** Count LF bytes appended to a file since `offset` (reads only the new part). */
function countNewLines(path, state) {
  if (!existsSync(path)) return state.lines;
  const size = statSync(path).size;
  if (size <= state.offset) return state.lines;
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(size - state.offset);
  readSync(fd, buf, 0, buf.length, state.offset);
  closeSync(fd);
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) state.lines++;
  state.offset = size;
  return state.lines;
}

let runs = 0;
async function throughSluice(name, inputConfig, buffers, expected, extraArgs = []) {
  const port = await freePort();
  const out = join(dir, `${name}-${++runs}.jsonl`);
  const config = `input { ${inputConfig.replace('PORT', port)} } output { file { path => "${out}" codec => json_lines } }`;
  const child = spawn(process.execPath, [...SLUICE_NODE_FLAGS, 'bin/sluice.js', 'run', '-w', '1', '--log.level', 'warn', ...extraArgs, '-e', config], { stdio: ['ignore', 'inherit', 'inherit'] });
  await waitListening(port);
  await sleep(200);
  const state = { offset: 0, lines: 0 };
  const t = process.hrtime.bigint();
  await send(port, buffers);
  while (countNewLines(out, state) < expected) {
    if (Number(process.hrtime.bigint() - t) / 1e9 > 300) { child.kill('SIGKILL'); throw new Error(`${name}: only ${state.lines} of ${expected} events after 300 s`); }
    await sleep(5);
  }
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('close', r));
  countNewLines(out, state);
  if (state.lines !== expected) throw new Error(`${name}: expected ${expected} events in the file, got ${state.lines}`);
  return s;
}

const eps = (s) => Math.round(N / s).toLocaleString('en-US');
const best = async (f) => Math.min(await f(), await f());

// Scenario 1: syslog input, half RFC 5424 octet-counted, half RFC 3164 LF-framed.
const linux = corpus('loghub_Linux_2k.log', N);
const syslogMessages = linux.map((line, i) => {
  const m = /^(\w{3} +\d+ [\d:]+) (\S+) ([^:\[]+)(?:\[(\d+)\])?: ?(.*)$/.exec(line);
  const [, ts = 'Jun 14 15:16:01', host = 'combo', app = 'app', pid = '-', text = line] = m ?? [];
  if (i % 2 === 0) {
    const msg = `<86>1 2026-06-14T15:16:01.${String(i % 1000).padStart(3, '0')}Z ${host} ${app.replace(/[^\x21-\x7e]/g, '_')} ${pid} - - ${text}`;
    return `${Buffer.byteLength(msg)} ${msg}`;
  }
  return `<86>${ts} ${host} ${app}${pid !== '-' ? `[${pid}]` : ''}: ${text}\n`;
});
const syslogBufs = payloads(syslogMessages);
const syslogRef = await best(() => reference(syslogBufs));
const syslogRun = await best(() => throughSluice('syslog', 'syslog { port => PORT host => "127.0.0.1" }', syslogBufs, N));
// The same with the persisted queue (every event written to a page before it is accepted).
const syslogPq = await best(() => throughSluice('syslog-pq', 'syslog { port => PORT host => "127.0.0.1" }', syslogBufs, N,
  ['--queue.type', 'persisted', '--path.data', mkdtempSync(join(dir, 'data-'))]));

// Scenario 2: tcp input, line codec.
const apache = corpus('apache_access_10k.log', N).map((l) => `${l}\n`);
const tcpBufs = payloads(apache);
const tcpRef = await best(() => reference(tcpBufs));
const tcpRun = await best(() => throughSluice('tcp', 'tcp { port => PORT host => "127.0.0.1" dns_reverse_lookup_enabled => false }', tcpBufs, N));

const mb = (bufs) => (bufs.reduce((n, b) => n + b.length, 0) / 1e6).toFixed(1);
console.log(`events: ${N.toLocaleString('en-US')} per scenario over ${CONNECTIONS} concurrent connections; best of 2`);
console.log(`syslog input (RFC 5424 octet-counted + RFC 3164 LF, ${mb(syslogBufs)} MB) → json_lines file`);
console.log(`  sender's own rate (plain TCP sink): ${eps(syslogRef)} events/s`);
console.log(`  sluice:                             ${eps(syslogRun)} events/s  (${(100 * syslogRef / syslogRun).toFixed(1)}% of the sender's rate)`);
console.log(`  sluice, queue.type persisted:       ${eps(syslogPq)} events/s  (ratio to the memory queue ${(syslogRun / syslogPq).toFixed(2)})`);
console.log(`tcp input, line codec (Apache access lines, ${mb(tcpBufs)} MB) → json_lines file`);
console.log(`  sender's own rate (plain TCP sink): ${eps(tcpRef)} events/s`);
console.log(`  sluice:                             ${eps(tcpRun)} events/s  (${(100 * tcpRef / tcpRun).toFixed(1)}% of the sender's rate)`);
rmSync(dir, { recursive: true, force: true });
