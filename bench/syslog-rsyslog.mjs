#!/usr/bin/env node
// Syslog over TCP against rsyslog: SYSLOG_BENCH_EVENTS (default 300,000) RFC 5424 messages built from the
// real Linux syslog lines in fixtures/data, sent over three concurrent TCP connections, all octet-counted
// (RFC 6587): two of plain messages (`- -` for MSGID and STRUCTURED-DATA), the third with structured data
// (`[exampleSDID@32473 iut="3" eventSource="Application" eventID="…"]`). sluice: `syslog` input → `file`
// output with json_lines, at `-w 1` and at `-w 2 --pipeline.worker_threads true` (the frames decoded and
// encoded on two threads, the pipeline thread reading sockets and writing the file). Reference, same run, same bytes: rsyslog 8 (imtcp → mmpstrucdata → omfile with
// a JSON template), unprivileged, in a temp dir of its own (no imuxsock, no system sockets); installed with
// apt-get when missing, skipped (sluice still measured) when that fails. Events/s count from the first byte
// sent until the last event is in the output file (lines counted); each output must hold exactly the
// events sent, and one plain and one structured-data event of each are checked field by field. Peak RSS:
// VmHWM from /proc just before each process is stopped. Best of SYSLOG_BENCH_RUNS (default 3), the two
// alternating. The sender writes pre-built buffers as fast as the receiver reads them (write() → 'drain');
// its rate into a plain counting TCP sink is printed as the most any receiver could reach here.
// SYSLOG_BENCH_RSS=1 (or --rss): sluice again with 10x the events (3,000,000 by default: the same
// buffers sent ten times), peak RSS at both sizes and their ratio (flat memory: within 20%).
// SYSLOG_BENCH_PROF=dir: run sluice under `node --cpu-prof --cpu-prof-dir dir`. SYSLOG_BENCH_RSYSLOGD: the
// rsyslogd binary (default /usr/sbin/rsyslogd).
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { corpus, SLUICE_NODE_FLAGS } from './_corpus.mjs';
import { findRsyslog, fmt, lineCounter as counter, now, phase, progress, scratch, sleep, stopRsyslog, vmhwm } from './_procs.mjs';

const N = Number(process.env.SYSLOG_BENCH_EVENTS || 300_000);
const RUNS = Number(process.env.SYSLOG_BENCH_RUNS || 3);
const RSS = process.env.SYSLOG_BENCH_RSS === '1' || process.argv.includes('--rss');
const PROF = process.env.SYSLOG_BENCH_PROF ? resolve(process.env.SYSLOG_BENCH_PROF) : undefined;
const REPEAT = 10;
const CONNECTIONS = 3;

// ---- temp dir, children, clean-up -------------------------------------------------------------------

const { dir, track } = scratch('sluice-syslog-bench-');

// ---- the messages -----------------------------------------------------------------------------------

// The vendored file has CR LF line ends.
const linux = corpus('loghub_Linux_2k.log', 2_000).map((l) => l.replace(/\r$/, ''));
const parsed = linux.map((line) => {
  const m = /^(\w{3} +\d+ [\d:]+) (\S+) ([^:[]+)(?:\[(\d+)\])?: ?(.*)$/.exec(line);
  if (!m) throw new Error(`loghub_Linux_2k.log: not a syslog line: ${JSON.stringify(line)}`);
  const [, , host, app, pid = '-', text] = m;
  // APP-NAME is 1*48PRINTUSASCII; the body is kept as it is (trailing spaces too).
  return { host, app: app.replace(/[^\x21-\x7e]/g, '_').slice(0, 48), pid, text };
});
const bodies = new Set(parsed.map((p) => p.text));
const SD_ID = 'exampleSDID@32473';

const T0 = Date.UTC(2026, 5, 14, 15, 16, 1);
const STEP_US = 37;

/**
 * Message i of connection c, octet-counted. Timestamps rise as a live stream's do (37 µs apart, so about
 * 27,000 a second on each connection), with microseconds, which make each message distinct.
 */
function frame(c, i) {
  const p = parsed[(i * CONNECTIONS + c) % parsed.length];
  const us = i * STEP_US + c;
  const ts = `${new Date(T0 + Math.floor(us / 1000)).toISOString().slice(0, -1)}${String(us % 1000).padStart(3, '0')}Z`;
  const sd = c === 2 ? `[${SD_ID} iut="3" eventSource="Application" eventID="${1000 + (i % 9000)}"]` : '-';
  const msgid = c === 2 ? 'ID47' : '-';
  const msg = `<86>1 ${ts} ${p.host} ${p.app} ${p.pid} ${msgid} ${sd} ${p.text}`;
  return `${Buffer.byteLength(msg)} ${msg}`;
}

/** One buffer per connection, N messages in all. */
function buildBuffers(n) {
  const bufs = [];
  for (let c = 0; c < CONNECTIONS; c++) {
    const count = Math.floor(n / CONNECTIONS) + (c < n % CONNECTIONS ? 1 : 0);
    const parts = new Array(count);
    for (let i = 0; i < count; i++) parts[i] = frame(c, i);
    bufs.push(Buffer.from(parts.join('')));
  }
  return bufs;
}

// ---- sender -----------------------------------------------------------------------------------------

const CHUNK = 256 * 1024;

/** Write each buffer `repeat` times on a connection of its own, concurrently, honouring back-pressure. */
function send(port, buffers, repeat = 1) {
  return Promise.all(buffers.map((buf) => new Promise((res, rej) => {
    const s = net.connect(port, '127.0.0.1');
    s.setNoDelay(true);
    s.on('error', rej);
    s.on('close', res);
    s.once('connect', async () => {
      for (let r = 0; r < repeat; r++) {
        for (let off = 0; off < buf.length; off += CHUNK) {
          if (!s.write(buf.subarray(off, Math.min(buf.length, off + CHUNK)))) await new Promise((d) => s.once('drain', d));
        }
      }
      s.end();
    });
  })));
}

async function freePort() {
  return new Promise((res) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
}

async function waitListening(port, child, ms = 30_000) {
  const until = now() + ms;
  while (true) {
    const ok = await new Promise((r) => { const c = net.connect(port, '127.0.0.1'); c.once('connect', () => { c.destroy(); r(true); }); c.once('error', () => r(false)); });
    if (ok) return;
    if (child && child.exitCode !== null) throw new Error(`the receiver exited ${child.exitCode} before listening on ${port}`);
    if (now() > until) throw new Error(`nothing listens on ${port} after ${ms} ms`);
    await sleep(25);
  }
}

/** The sender into a plain counting sink (a Node process that only counts bytes): seconds. */
async function reference(buffers) {
  const port = await freePort();
  const total = buffers.reduce((n, b) => n + b.length, 0);
  const sink = track(spawn(process.execPath, ['-e', `
    const net = require('node:net'); let n = 0;
    net.createServer((s) => s.on('data', (d) => { n += d.length; if (n >= ${total}) process.stdout.write('done\\n'); })).listen(${port}, '127.0.0.1', () => process.stdout.write('ready\\n'));
  `], { stdio: ['ignore', 'pipe', 'inherit'] }));
  let out = '';
  sink.stdout.setEncoding('utf8').on('data', (d) => { out += d; });
  while (!out.includes('ready')) await sleep(5);
  const t = now();
  await send(port, buffers);
  while (!out.includes('done')) await sleep(1);
  const s = (now() - t) / 1000;
  sink.kill();
  await sink.exited;
  return s;
}

// ---- output watching --------------------------------------------------------------------------------


/** The first complete line for which `has` is true, parsed, from the file's first 4 MiB. */
function sampleJson(path, has, what) {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(Math.min(statSync(path).size, 4 * 1048576));
  readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const lines = buf.toString('utf8').split('\n');
  lines.pop();
  const line = lines.find(has);
  if (line === undefined) throw new Error(`${path}: no ${what} line in its first ${fmt(buf.length)} bytes`);
  return JSON.parse(line);
}


/** Wait until `c` holds `expected` lines; a stall of 60 s (nothing new) ends the wait. */
async function untilCounted(label, c, expected, child) {
  let before = 0;
  let stalled = now();
  while (c.poll() < expected) {
    if (child.exitCode !== null) throw new Error(`${label} exited ${child.exitCode} with ${fmt(c.lines)} of ${fmt(expected)} events out`);
    if (c.lines !== before) { before = c.lines; stalled = now(); } else if (now() - stalled > 60_000) break;
    progress(`${label}: ${fmt(c.lines)} / ${fmt(expected)} events`);
    await sleep(10);
  }
  return now();
}

function check(label, cond, what, event) {
  if (!cond) throw new Error(`${label}: ${what}; event: ${JSON.stringify(event).slice(0, 1500)}`);
}

// ---- sluice -----------------------------------------------------------------------------------------

let runs = 0;
/** One sluice run; `threads`: `-w 2 --pipeline.worker_threads true` (frames decoded and encoded on two threads). */
async function throughSluice(buffers, repeat, expected, threads = false) {
  const port = await freePort();
  const out = join(dir, `sluice-${++runs}.jsonl`);
  const data = mkdtempSync(join(dir, 'data-'));
  const config = `input { syslog { port => ${port} host => "127.0.0.1" } } output { file { path => "${out}" codec => json_lines } }`;
  const prof = PROF ? ['--cpu-prof', '--cpu-prof-dir', PROF] : [];
  let stderr = '';
  const child = track(spawn(process.execPath, [...SLUICE_NODE_FLAGS, ...prof, 'bin/sluice.js', 'run', ...(threads ? ['-w', '2', '--pipeline.worker_threads', 'true'] : ['-w', '1']), '--log.level', 'warn', '--api.enabled', 'false', '--path.data', data, '-e', config], { stdio: ['ignore', 'inherit', 'pipe'] }));
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; if (stderr.length > 1e6) stderr = stderr.slice(-1e5); });
  await waitListening(port, child);
  await sleep(200);
  const c = counter(out, '_syslogparsefailure');
  const t0 = now();
  const sent = send(port, buffers, repeat);
  const t1 = await untilCounted('sluice', c, expected, child);
  await sent;
  const rss = vmhwm(child.pid);
  child.kill('SIGTERM');
  const { code, signal } = await child.exited;
  c.poll();
  if (code !== 0 && signal !== 'SIGTERM') throw new Error(`sluice exited ${code ?? signal}: ${stderr.slice(-2000)}`);
  if (c.lines !== expected) throw new Error(`sluice: expected ${fmt(expected)} events in ${out}, got ${fmt(c.lines)}: ${stderr.slice(-2000)}`);
  if (c.bad) throw new Error(`sluice: ${fmt(c.bad)} events tagged _syslogparsefailure`);
  // One plain and one structured-data event, as sluice emits them (ECS: [log][syslog][…]).
  const plain = sampleJson(out, (l) => !l.includes(SD_ID), 'plain');
  const withSd = sampleJson(out, (l) => l.includes(SD_ID), 'structured-data');
  for (const e of [plain, withSd]) {
    check('sluice', bodies.has(e.message), 'message is not one of the corpus bodies', e);
    check('sluice', e.log?.syslog?.version === 1 && e.log.syslog.hostname === 'combo' && typeof e.log.syslog.appname === 'string', '[log][syslog] header fields missing', e);
    check('sluice', e.log.syslog.severity?.name === 'Informational' && e.log.syslog.facility?.name === 'security/authorization', 'severity/facility labels', e);
    check('sluice', /^2026-06-14T15:\d\d:\d\d\.\d{3}(\d{3})?Z$/.test(e['@timestamp']), '@timestamp', e);
  }
  check('sluice', plain.log.syslog.structured_data === undefined, 'a plain message has [log][syslog][structured_data]', plain);
  const sd = withSd.log.syslog.structured_data?.[SD_ID];
  check('sluice', sd?.iut === '3' && sd.eventSource === 'Application' && /^\d+$/.test(sd.eventID), `[log][syslog][structured_data][${SD_ID}] iut/eventSource/eventID`, withSd);
  check('sluice', withSd.log.syslog.msgid === 'ID47', '[log][syslog][msgid]', withSd);
  rmSync(out, { force: true });
  rmSync(data, { recursive: true, force: true });
  return { s: (t1 - t0) / 1000, rss, warnings: stderr.trim(), plain, withSd };
}

// ---- rsyslog ----------------------------------------------------------------------------------------


/**
 * imtcp (octet-counted framing is on by default) → mmpstrucdata (SD-IDs kept as sent) → omfile, one JSON
 * object a line: the header fields, the message, and mmpstrucdata's tree (`$!`, as JSON). Only imtcp is
 * loaded: no imuxsock, no imklog, its own work directory.
 */
function rsyslogConfig(name, port, out) {
  const work = join(dir, `${name}-work`);
  mkdirSync(work, { recursive: true });
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, `global(workDirectory="${work}")
module(load="imtcp")
module(load="mmpstrucdata")
template(name="json" type="list") {
  constant(value="{\\"@timestamp\\":\\"") property(name="timereported" dateFormat="rfc3339")
  constant(value="\\",\\"host\\":\\"") property(name="hostname" format="json")
  constant(value="\\",\\"appname\\":\\"") property(name="app-name" format="json")
  constant(value="\\",\\"procid\\":\\"") property(name="procid" format="json")
  constant(value="\\",\\"msgid\\":\\"") property(name="msgid" format="json")
  constant(value="\\",\\"severity\\":\\"") property(name="syslogseverity-text")
  constant(value="\\",\\"facility\\":\\"") property(name="syslogfacility-text")
  constant(value="\\",\\"message\\":\\"") property(name="msg" format="json")
  constant(value="\\",\\"sd\\":") property(name="$!")
  constant(value="}\\n")
}
ruleset(name="bench") {
  action(type="mmpstrucdata" sd_name.lowercase="off")
  # $! is empty without structured data: give it a member so that the line stays JSON.
  if $structured-data == "-" then { set $!rfc5424-sd = ""; }
  action(type="omfile" file="${out}" template="json")
}
input(type="imtcp" port="${port}" address="127.0.0.1" ruleset="bench")
`);
  const checked = spawnSync(rs.bin, ['-N1', '-f', conf], { encoding: 'utf8' });
  if (checked.status !== 0) throw new Error(`rsyslogd -N1 -f ${conf} failed: ${checked.stderr}`);
  return { conf, pidFile: join(work, 'rsyslogd.pid') };
}


let rsRuns = 0;
async function throughRsyslog(buffers, expected) {
  const port = await freePort();
  const out = join(dir, `rsyslog-${++rsRuns}.jsonl`);
  const { conf, pidFile } = rsyslogConfig(`rsyslog-${rsRuns}`, port, out);
  let stderr = '';
  const child = track(spawn(rs.bin, ['-n', '-f', conf, '-i', pidFile], { stdio: ['ignore', 'ignore', 'pipe'] }));
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  await waitListening(port, child);
  const until = now() + 10_000;
  while (!existsSync(pidFile) && now() < until) await sleep(10);
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : child.pid;
  await sleep(200);
  const c = counter(out);
  const t0 = now();
  const sent = send(port, buffers);
  const t1 = await untilCounted('rsyslog', c, expected, child);
  await sent;
  const rss = vmhwm(pid);
  await stopRsyslog(child, pid);
  c.poll();
  if (c.lines !== expected) throw new Error(`rsyslog: expected ${fmt(expected)} events in ${out}, got ${fmt(c.lines)}: ${stderr}`);
  const plain = sampleJson(out, (l) => !l.includes(SD_ID), 'plain');
  const withSd = sampleJson(out, (l) => l.includes(SD_ID), 'structured-data');
  for (const e of [plain, withSd]) {
    check('rsyslog', bodies.has(e.message), 'message is not one of the corpus bodies', e);
    check('rsyslog', e.host === 'combo' && e.severity === 'info' && e.facility === 'authpriv', 'host/severity/facility', e);
  }
  const sd = withSd.sd?.['rfc5424-sd']?.[SD_ID];
  check('rsyslog', sd?.iut === '3' && sd.eventSource === 'Application' && /^\d+$/.test(sd.eventID), `$!rfc5424-sd!${SD_ID}`, withSd);
  rmSync(out, { force: true });
  return { s: (t1 - t0) / 1000, rss, withSd };
}

// ---- run --------------------------------------------------------------------------------------------

const buffers = buildBuffers(N);
const bytes = buffers.reduce((n, b) => n + b.length, 0);
phase(`${fmt(N)} messages, ${(bytes / 1048576).toFixed(1)} MiB over ${CONNECTIONS} connections; temp dir ${dir}`);
const rs = findRsyslog(process.env.SYSLOG_BENCH_RSYSLOGD || undefined);
const faster = (a, b) => (a === undefined || b.s < a.s ? b : a);

phase('sender → plain counting sink');
const ref = Math.min(await reference(buffers), await reference(buffers));
let sl;
let slThreads;
let rsy;
for (let run = 1; run <= RUNS; run++) {
  phase(`sluice: run ${run} of ${RUNS}`);
  sl = faster(sl, await throughSluice(buffers, 1, N));
  phase(`sluice -w 2 on threads: run ${run} of ${RUNS}`);
  slThreads = faster(slThreads, await throughSluice(buffers, 1, N, true));
  if (rs.bin) {
    phase(`rsyslog: run ${run} of ${RUNS}`);
    rsy = faster(rsy, await throughRsyslog(buffers, N));
  }
}
let big;
let bigThreads;
if (RSS) {
  phase(`sluice: ${fmt(N * REPEAT)} messages (the same buffers sent ${REPEAT} times)`);
  big = await throughSluice(buffers, REPEAT, N * REPEAT);
  phase(`sluice -w 2 on threads: ${fmt(N * REPEAT)} messages`);
  bigThreads = await throughSluice(buffers, REPEAT, N * REPEAT, true);
}
phase('done');

// ---- report -----------------------------------------------------------------------------------------

const mib = (kib) => (Number.isNaN(kib) ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);
const eps = (n, s) => fmt(n / s);
console.log(`${fmt(N)} RFC 5424 messages (Linux syslog bodies), ${(bytes / 1048576).toFixed(1)} MiB, over ${CONNECTIONS} octet-counted TCP connections (one with structured data); ${availableParallelism()} cores; best of ${RUNS}`);
console.log(`  sender's own rate (plain TCP sink): ${eps(N, ref)} events/s`);
console.log(`  sluice (syslog → json_lines file, -w 1): ${eps(N, sl.s)} events/s (${sl.s.toFixed(2)} s), peak RSS ${mib(sl.rss)}`);
console.log(`  sluice -w 2 --pipeline.worker_threads true: ${eps(N, slThreads.s)} events/s (${slThreads.s.toFixed(2)} s), peak RSS ${mib(slThreads.rss)}  (ratio to -w 1: ${(sl.s / slThreads.s).toFixed(2)})`);
if (rsy) {
  console.log(`  rsyslog ${rsVersion()} (imtcp → mmpstrucdata → omfile JSON): ${eps(N, rsy.s)} events/s (${rsy.s.toFixed(2)} s), peak RSS ${mib(rsy.rss)}`);
  console.log(`  ratio sluice/rsyslog: ${(rsy.s / sl.s).toFixed(2)} (-w 1), ${(rsy.s / slThreads.s).toFixed(2)} (-w 2 on threads)`);
} else {
  console.log(`  rsyslog reference unavailable: ${rs.why}`);
}
for (const [label, small, large] of [['-w 1', sl, big], ['-w 2 on threads', slThreads, bigThreads]]) {
  if (!large) continue;
  const ratio = large.rss / small.rss;
  console.log(`  memory (${label}): sluice peak RSS ${mib(small.rss)} at ${fmt(N)} events, ${mib(large.rss)} at ${fmt(N * REPEAT)} (${eps(N * REPEAT, large.s)} events/s); ratio ${ratio.toFixed(2)} (${Math.abs(ratio - 1) <= 0.2 ? 'flat: within 20%' : 'NOT within 20%'})`);
}
const keys = (o, pre = '') => Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' && !Array.isArray(v) && pre.split('.').length < 3 ? keys(v, `${pre}${k}.`) : [`${pre}${k}`]));
console.log(`  checked (${rsy ? 'both' : 'sluice'}): event counts, one plain and one structured-data event; sluice's fields: ${keys(sl.withSd).join(', ')}`);
if (sl.warnings) console.log(`  sluice logged: ${sl.warnings.split('\n').slice(0, 5).join(' | ')}`);
if (PROF) console.log(`  CPU profiles in ${PROF}`);

function rsVersion() {
  const v = spawnSync(rs.bin, ['-v'], { encoding: 'utf8' });
  return /rsyslogd\s+(\S+)/.exec(v.stdout ?? '')?.[1] ?? '';
}
