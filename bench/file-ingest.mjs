#!/usr/bin/env node
// File ingest: one FILE_BENCH_MB (default 1024) MiB log file (real Apache access and Linux syslog lines from
// fixtures/data, each with a counter of its own) → `file` input in read mode, plain codec → `file` output as
// JSON lines, timed from `sluice run` starting until it exits (exit_after_read), every line counted in the
// output, peak RSS. Reference, same run: rsyslog's imfile → omfile with a JSON template (message, time,
// host, path), timed from rsyslogd starting until the last line is in its output (it does not exit by itself).
// Best of FILE_BENCH_RUNS (default 2), sluice and rsyslog alternating. Then tail latency under a steady
// writer (FILE_BENCH_TAIL_RATE lines/s, default 2,000, for FILE_BENCH_TAIL_SECONDS, default 10): each line
// carries the time it was written; a reader polling the output every 5 ms records when it first sees it.
// sluice with stat_interval 100 ms and the default (1 s), the file output flushing every batch
// (flush_interval => 0: its default of 2 s would dominate); rsyslog imfile in inotify mode (its default) and
// in polling mode (PollingInterval 1 s) as the references. Temp files (about 4x FILE_BENCH_MB at the peak)
// live in os.tmpdir() and are removed at the end.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statfsSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpus, SLUICE_NODE_FLAGS } from './_corpus.mjs';
import { findRsyslog, fmt, lineCounter as counter, now, phase, progress, scratch, sleep, stopRsyslog, vmhwm } from './_procs.mjs';

const MB = Number(process.env.FILE_BENCH_MB || 1024);
const TAIL_RATE = Number(process.env.FILE_BENCH_TAIL_RATE || 2000);
const TAIL_SECONDS = Number(process.env.FILE_BENCH_TAIL_SECONDS || 10);
const RUNS = Number(process.env.FILE_BENCH_RUNS || 2);
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

// ---- space, temp dir, clean-up ----------------------------------------------------------------------

const fsInfo = statfsSync(tmpdir());
const free = fsInfo.bavail * fsInfo.bsize;
// The input, plus the larger of the two outputs (sluice's JSON carries the line twice, as message and
// [event][original]: about 2.6x the input); each output is deleted once counted.
const need = MB * 1048576 * 4;
if (free < need) {
  console.log(`skipped: ${tmpdir()} has ${(free / 1073741824).toFixed(1)} GiB free, the bench needs about ${(need / 1073741824).toFixed(1)} GiB (set FILE_BENCH_MB lower)`);
  process.exit(0);
}
const { dir, track, cleanup } = scratch('sluice-file-bench-');

// ---- the log file -----------------------------------------------------------------------------------

/** Real lines, each made distinct by a counter: the response size of Apache lines, the pid of syslog lines. */
function lineMaker() {
  const apache = corpus('apache_access_10k.log', 10_000);
  const linux = corpus('loghub_Linux_2k.log', 2_000);
  let a = 0;
  let l = 0;
  return (i) => {
    if (i % 6 === 5) {
      const line = linux[l++ % linux.length];
      return line.includes('[') ? line.replace(/\[\d+\]/, `[${i % 4194304}]`) : line;
    }
    return apache[a++ % apache.length].replace(/(" \d{3}) (\d+|-) "/, `$1 ${i} "`);
  };
}

function generate(path, mib) {
  const target = mib * 1048576;
  const make = lineMaker();
  const fd = openSync(path, 'w');
  let bytes = 0;
  let lines = 0;
  let chunk = [];
  let chunkBytes = 0;
  while (bytes < target) {
    const line = `${make(lines)}\n`;
    const n = Buffer.byteLength(line);
    if (bytes + n > target && lines > 0) break;
    chunk.push(line);
    chunkBytes += n;
    bytes += n;
    lines++;
    if (chunkBytes >= 8 * 1048576) {
      writeSync(fd, chunk.join(''));
      chunk = [];
      chunkBytes = 0;
      progress(`generating: ${(bytes / 1048576).toFixed(0)} / ${mib} MiB`);
    }
  }
  if (chunk.length > 0) writeSync(fd, chunk.join(''));
  // On disk before any timing starts: the kernel's write-back must not compete with the first run.
  fsyncSync(fd);
  closeSync(fd);
  return { lines, bytes };
}

// ---- output watching --------------------------------------------------------------------------------


/** The last complete line of a file, parsed as JSON. */
function lastJson(path) {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  const n = Math.min(size, 65536);
  const buf = Buffer.alloc(n);
  readSync(fd, buf, 0, n, size - n);
  closeSync(fd);
  const lines = buf.toString('utf8').split('\n').filter(Boolean);
  return JSON.parse(lines[lines.length - 1]);
}

function timed(cmd, args, rssFile, opts) {
  return TIME ? spawn(TIME, ['-f', '%M', '-o', rssFile, cmd, ...args], opts) : spawn(cmd, args, opts);
}
function rssOf(rssFile, sampled) {
  if (TIME && existsSync(rssFile)) {
    const kib = Number(/(\d+)\s*$/.exec(readFileSync(rssFile, 'utf8'))?.[1] ?? NaN);
    if (!Number.isNaN(kib)) return kib;
  }
  return sampled;
}

// ---- throughput -------------------------------------------------------------------------------------

const input = join(dir, 'input.log');
phase(`generating ${MB} MiB in ${dir}`);
const gen = generate(input, MB);
phase(`generated ${fmt(gen.lines)} lines, ${(gen.bytes / 1048576).toFixed(0)} MiB`);

const SLUICE = [...SLUICE_NODE_FLAGS, 'bin/sluice.js', 'run', '--api.enabled', 'false', '--log.level', 'warn'];

async function sluiceRead() {
  const out = join(dir, 'sluice.jsonl');
  const data = mkdtempSync(join(dir, 'data-'));
  // A sincedb and completed log of each run's own: the sincedb of an earlier run remembers the file as read.
  const sincedb = join(data, 'sdb');
  const done = join(data, 'done.log');
  const config = `input { file { path => ["${input}"] mode => "read" exit_after_read => true file_completed_action => "log" file_completed_log_path => "${done}" sincedb_path => "${sincedb}" codec => plain } } output { file { path => "${out}" codec => json_lines } }`;
  const rssFile = join(dir, 'sluice.rss');
  let stderr = '';
  const t0 = now();
  const child = track(timed(process.execPath, [...SLUICE, '--path.data', data, '-e', config], rssFile, { stdio: ['ignore', 'inherit', 'pipe'] }));
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; if (stderr.length > 1e6) stderr = stderr.slice(-1e5); });
  const c = counter(out);
  let lastAt;
  let sampled = NaN;
  let exited = false;
  child.exited.then(() => { exited = true; });
  while (!exited) {
    if (!TIME) sampled = Math.max(Number.isNaN(sampled) ? 0 : sampled, vmhwm(child.pid));
    if (c.poll() >= gen.lines && lastAt === undefined) lastAt = now();
    progress(`sluice: ${fmt(c.lines)} / ${fmt(gen.lines)} lines`);
    await sleep(20);
  }
  const { code } = await child.exited;
  c.poll();
  lastAt ??= child.exitedAt;
  if (code !== 0) throw new Error(`sluice exited ${code}: ${stderr.slice(-2000)}`);
  if (c.lines !== gen.lines) throw new Error(`sluice: expected ${gen.lines} lines in the output, got ${c.lines}`);
  const last = lastJson(out);
  const completed = readFileSync(done, 'utf8').trim();
  if (completed !== input) throw new Error(`sluice: file_completed_log_path holds ${JSON.stringify(completed)}`);
  const r = { s: (child.exitedAt - t0) / 1000, lastS: (lastAt - t0) / 1000, rss: rssOf(rssFile, sampled), outBytes: c.bytes, last: last.message, warnings: stderr.trim() };
  rmSync(out, { force: true });
  rmSync(data, { recursive: true, force: true });
  return r;
}


/** A config of its own: no system sockets (no imuxsock/imklog), its own work directory, one ruleset. */
function rsyslogConfig(name, file, out, imfileModule) {
  const work = join(dir, `${name}-work`);
  mkdirSync(work, { recursive: true });
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, `global(workDirectory="${work}")
module(load="imfile" ${imfileModule})
template(name="json" type="list" option.jsonf="on") {
  property(outname="@timestamp" name="timegenerated" dateFormat="rfc3339" format="jsonf")
  property(outname="message" name="msg" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="path" name="$!metadata!filename" format="jsonf")
}
ruleset(name="bench") { action(type="omfile" file="${out}" template="json") }
input(type="imfile" File="${file}" Tag="bench" ruleset="bench" readMode="0" freshStartTail="off" addMetadata="on")
`);
  const check = spawnSync(rs.bin, ['-N1', '-f', conf], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`rsyslogd -N1 -f ${conf} failed: ${check.stderr}`);
  return { conf, pidFile: join(work, 'rsyslogd.pid') };
}


async function waitFor(path, ms) {
  const until = now() + ms;
  while (!existsSync(path)) { if (now() > until) throw new Error(`${path} did not appear in ${ms} ms`); await sleep(10); }
}

let rsRuns = 0;
async function rsyslogRead() {
  const out = join(dir, 'rsyslog.jsonl');
  // A work directory of each run's own: its imfile state file remembers how far the file was read.
  const { conf, pidFile } = rsyslogConfig(`rsyslog-read-${++rsRuns}`, input, out, 'mode="inotify"');
  const rssFile = join(dir, 'rsyslog.rss');
  let stderr = '';
  const t0 = now();
  const child = track(timed(rs.bin, ['-n', '-f', conf, '-i', pidFile], rssFile, { stdio: ['ignore', 'ignore', 'pipe'] }));
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const c = counter(out);
  let sampled = NaN;
  let lastAt;
  let stalled = now();
  let before = 0;
  while (true) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited ${child.exitCode}: ${stderr}`);
    if (existsSync(pidFile)) sampled = Math.max(Number.isNaN(sampled) ? 0 : sampled, vmhwm(Number(readFileSync(pidFile, 'utf8'))));
    const n = c.poll();
    if (n >= gen.lines) { lastAt = now(); break; }
    if (n !== before) { before = n; stalled = now(); } else if (now() - stalled > 60_000) break;
    progress(`rsyslog: ${fmt(n)} / ${fmt(gen.lines)} lines`);
    await sleep(20);
  }
  await stopRsyslog(child, pidFile);
  c.poll();
  if (c.lines !== gen.lines) throw new Error(`rsyslog: expected ${gen.lines} lines in its output, got ${c.lines} (nothing new for 60 s): ${stderr}`);
  const r = { s: (lastAt - t0) / 1000, rss: rssOf(rssFile, sampled), outBytes: c.bytes, last: lastJson(out).message };
  rmSync(out, { force: true });
  return r;
}

const rs = findRsyslog();
// Best of RUNS, the two alternating so that both see the same conditions (page cache, write-back).
const faster = (a, b) => (a === undefined || b.s < a.s ? b : a);
let sl;
let ref;
for (let run = 1; run <= RUNS; run++) {
  phase(`sluice: reading the file (run ${run} of ${RUNS})`);
  sl = faster(sl, await sluiceRead());
  if (rs.bin) {
    phase(`rsyslog imfile: reading the file (run ${run} of ${RUNS})`);
    ref = faster(ref, await rsyslogRead());
  }
}

// ---- tail latency -----------------------------------------------------------------------------------

/** A writer process: TAIL_RATE lines/s for TAIL_SECONDS, in 10 ms ticks, each line stamped as it is written. */
const WRITER = `
const fs = require('node:fs');
const [path, rate, seconds] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const fd = fs.openSync(path, 'a');
const hosts = ['web-1', 'web-2', 'db-1'];
const apps = ['nginx', 'sshd', 'cron', 'kernel', 'postfix/smtpd'];
const texts = ['GET /api/v1/orders?page=2 HTTP/1.1 200 5123 0.012', 'Accepted publickey for deploy from 10.0.4.17 port 52144 ssh2', '(root) CMD (run-parts /etc/cron.hourly)', 'TCP: request_sock_TCP: Possible SYN flooding on port 443. Sending cookies.', 'connect from mail.example.net[198.51.100.23]'];
const total = Math.round(rate * seconds);
const t0 = Date.now();
let seq = 0;
const tick = () => {
  const due = Math.min(total, Math.floor((Date.now() - t0) * rate / 1000));
  let s = '';
  for (; seq < due; seq++) {
    const t = Date.now();
    const ts = new Date(t).toString().slice(4, 24);
    s += ts + ' ' + hosts[seq % 3] + ' ' + apps[seq % 5] + '[' + (1000 + seq % 30000) + ']: seq=' + seq + ' sent=' + t + ' ' + texts[seq % 5] + '\\n';
  }
  if (s) fs.writeSync(fd, s);
  if (seq < total) setTimeout(tick, 10); else { fs.closeSync(fd); process.stdout.write(String(total)); }
};
tick();
`;

/** Append lines at a steady rate to `file`, read `out` every 5 ms, and return each line's delay (ms). */
async function latency(label, file, out) {
  const total = Math.round(TAIL_RATE * TAIL_SECONDS);
  const writer = track(spawn(process.execPath, ['-e', WRITER, file, String(TAIL_RATE), String(TAIL_SECONDS)], { stdio: ['ignore', 'ignore', 'inherit'] }));
  const delays = [];
  let offset = 0;
  let rest = '';
  let writerDone = false;
  writer.exited.then(() => { writerDone = true; });
  let deadline = Infinity;
  while (delays.length < total && now() < deadline) {
    if (writerDone && deadline === Infinity) deadline = now() + 15_000;
    if (existsSync(out)) {
      const size = statSync(out).size;
      if (size > offset) {
        const fd = openSync(out, 'r');
        const buf = Buffer.allocUnsafe(size - offset);
        readSync(fd, buf, 0, buf.length, offset);
        closeSync(fd);
        offset = size;
        const seen = Date.now();
        const lines = (rest + buf.toString('utf8')).split('\n');
        rest = lines.pop();
        for (const l of lines) {
          const m = /sent=(\d+)/.exec(JSON.parse(l).message);
          if (m) delays.push(seen - Number(m[1]));
        }
      }
    }
    progress(`${label}: ${fmt(delays.length)} / ${fmt(total)} lines seen`);
    await sleep(5);
  }
  await writer.exited;
  return { total, delays };
}

function percentiles({ total, delays }) {
  const d = [...delays].sort((a, b) => a - b);
  const p = (q) => (d.length ? d[Math.min(d.length - 1, Math.ceil(q * d.length) - 1)] : NaN);
  return { seen: d.length, total, p50: p(0.5), p95: p(0.95), p99: p(0.99), max: d[d.length - 1] ?? NaN };
}

async function sluiceTail(name, statInterval) {
  const file = join(dir, `${name}.log`);
  const out = join(dir, `${name}.jsonl`);
  writeFileSync(file, '');
  const data = mkdtempSync(join(dir, 'data-'));
  const interval = statInterval === undefined ? '' : `stat_interval => "${statInterval}"`;
  const config = `input { file { path => ["${file}"] mode => "tail" start_position => "beginning" ${interval} sincedb_path => "${join(dir, `${name}.sdb`)}" codec => plain } } output { file { path => "${out}" codec => json_lines flush_interval => 0 } }`;
  let stderr = '';
  const child = track(spawn(process.execPath, ['bin/sluice.js', 'run', '--api.enabled', 'false', '--log.level', 'info', '--path.data', data, '-e', config], { stdio: ['ignore', 'ignore', 'pipe'] }));
  child.stderr.setEncoding('utf8').on('data', (d) => { stderr += d; });
  const until = now() + 30_000;
  while (!/Pipelines running/.test(stderr)) {
    if (child.exitCode !== null || now() > until) throw new Error(`sluice (${name}) did not start: ${stderr}`);
    await sleep(20);
  }
  await sleep(500);
  const r = await latency(`sluice ${name}`, file, out);
  child.kill('SIGTERM');
  await child.exited;
  return percentiles(r);
}

async function rsyslogTail(name, imfileModule) {
  const file = join(dir, `${name}.log`);
  const out = join(dir, `${name}.jsonl`);
  writeFileSync(file, '');
  const { conf, pidFile } = rsyslogConfig(name, file, out, imfileModule);
  const child = track(spawn(rs.bin, ['-n', '-f', conf, '-i', pidFile], { stdio: ['ignore', 'ignore', 'inherit'] }));
  await waitFor(pidFile, 30_000);
  await sleep(500);
  const r = await latency(`rsyslog ${name}`, file, out);
  await stopRsyslog(child, pidFile);
  return percentiles(r);
}

const tails = [];
phase(`tail latency: ${fmt(TAIL_RATE)} lines/s for ${TAIL_SECONDS} s`);
tails.push(['sluice, stat_interval 100 ms', await sluiceTail('tail-100ms', '100 ms')]);
tails.push(['sluice, stat_interval default (1 s)', await sluiceTail('tail-default', undefined)]);
if (rs.bin) {
  tails.push(['rsyslog imfile, inotify mode', await rsyslogTail('rs-inotify', 'mode="inotify"')]);
  tails.push(['rsyslog imfile, polling 1 s', await rsyslogTail('rs-polling', 'mode="polling" PollingInterval="1"')]);
}
phase('done');
cleanup();

// ---- report -----------------------------------------------------------------------------------------

const mib = gen.bytes / 1048576;
const rssText = (kib) => (Number.isNaN(kib) ? 'n/a' : `${fmt(kib / 1024)} MiB`);
console.log(`input: ${fmt(gen.lines)} lines, ${mib.toFixed(0)} MiB (Apache access and Linux syslog lines), ${availableParallelism()} cores; best of ${RUNS}`);
console.log('read mode → plain codec → JSON lines file');
console.log(`  sluice:  ${fmt(gen.lines / sl.s)} events/s, ${(mib / sl.s).toFixed(1)} MiB/s  (${sl.s.toFixed(2)} s to exit, last line out at ${sl.lastS.toFixed(2)} s), peak RSS ${rssText(sl.rss)}, output ${fmt(sl.outBytes / 1048576)} MiB`);
if (ref) {
  console.log(`  rsyslog: ${fmt(gen.lines / ref.s)} events/s, ${(mib / ref.s).toFixed(1)} MiB/s  (${ref.s.toFixed(2)} s to the last line), peak RSS ${rssText(ref.rss)}, output ${fmt(ref.outBytes / 1048576)} MiB`);
  console.log(`  ratio sluice/rsyslog: ${(ref.s / sl.s).toFixed(2)} (sluice timed to its exit, rsyslog to its last line)`);
} else {
  console.log(`  rsyslog reference skipped: ${rs.why}`);
}
if (sl.warnings) console.log(`  sluice logged: ${sl.warnings.split('\n').slice(0, 5).join(' | ')}`);
console.log(`tail latency, ${fmt(TAIL_RATE)} lines/s for ${TAIL_SECONDS} s, write → seen in the output file (5 ms polling):`);
for (const [label, t] of tails) {
  const missing = t.seen < t.total ? `  (${fmt(t.total - t.seen)} of ${fmt(t.total)} lines never seen)` : '';
  console.log(`  ${label.padEnd(36)} p50 ${fmt(t.p50)} ms, p95 ${fmt(t.p95)} ms, p99 ${fmt(t.p99)} ms, max ${fmt(t.max)} ms${missing}`);
}
