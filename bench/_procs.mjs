// What the benches that run other programs beside sluice share (file-ingest, syslog-rsyslog): terminal
// progress lines, a scratch directory whose child processes are killed and files removed on any exit,
// peak RSS from /proc, and rsyslogd (installed with apt-get when missing) started and stopped.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const tty = process.stderr.isTTY;
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const fmt = (n) => Math.round(n).toLocaleString('en-US');
/** A progress line redrawn in place (terminals only). */
export const progress = (text) => { if (tty) process.stderr.write(`\r${text}\x1b[K`); };
/** A line that stays, replacing the progress line. */
export const phase = (text) => { if (tty) process.stderr.write('\r\x1b[K'); process.stderr.write(`${text}\n`); };

/**
 * A temporary directory for one bench run, and `track(child)` for the processes it starts: on exit, an
 * interrupt or a kill, every tracked child is killed and the directory removed. A tracked child gets
 * `exited` (a promise of its code and signal) and `exitedAt`; `cleanup()` does the same at once.
 */
export function scratch(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const children = new Set();
  const cleanup = () => {
    for (const c of children) { try { c.kill('SIGKILL'); } catch { /* gone */ } }
    rmSync(dir, { recursive: true, force: true });
  };
  process.on('exit', cleanup);
  process.on('SIGINT', () => { cleanup(); process.exit(130); });
  process.on('SIGTERM', () => { cleanup(); process.exit(143); });
  const track = (child) => {
    children.add(child);
    child.exited = new Promise((resolve) => child.on('exit', (code, signal) => { children.delete(child); child.exitedAt = now(); resolve({ code, signal }); }));
    return child;
  };
  return { dir, track, cleanup };
}

/** Peak resident memory of a running process in KiB (VmHWM), NaN when it cannot be read. */
export function vmhwm(pid) {
  try { return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN); } catch { return NaN; }
}

/** rsyslogd as `{ bin }`, or `{ why }` not: installed with apt-get (sudo -n when not root) when missing. */
export function findRsyslog(bin = '/usr/sbin/rsyslogd') {
  if (existsSync(bin)) return { bin };
  phase('rsyslogd not found; trying apt-get install -y rsyslog');
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const run = (args) => spawnSync(sudo.length ? sudo[0] : args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  run(['apt-get', 'update']);
  const r = run(['apt-get', 'install', '-y', '--no-install-recommends', 'rsyslog']);
  if (existsSync(bin)) return { bin };
  if (r.status === 0) return { why: `apt-get install -y rsyslog succeeded but there is no ${bin}` };
  return { why: `rsyslog is not installed and apt-get install -y rsyslog failed (${r.status ?? r.error?.code}): ${String(r.stderr ?? '').trim().split('\n').pop()}` };
}

/** Stop rsyslogd (by the pid it wrote, else the child): SIGTERM, SIGKILL after 10 s. */
export async function stopRsyslog(child, pidOrFile) {
  const pid = typeof pidOrFile === 'number' ? pidOrFile : existsSync(pidOrFile) ? Number(readFileSync(pidOrFile, 'utf8').trim()) : NaN;
  if (!Number.isNaN(pid)) { try { process.kill(pid, 'SIGTERM'); } catch { /* gone */ } } else child.kill('SIGTERM');
  const killer = setTimeout(() => { if (!Number.isNaN(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } } child.kill('SIGKILL'); }, 10_000);
  await child.exited;
  clearTimeout(killer);
}

/**
 * Counts the complete lines appended to `path` as it grows: `poll()` reads only what is new (16 MiB at a
 * time) up to the last LF, and also counts the lines holding `bad` when given; `bytes` is what was read.
 */
export function lineCounter(path, bad) {
  const state = { lines: 0, offset: 0, bytes: 0, bad: 0 };
  const buf = Buffer.allocUnsafe(16 * 1048576);
  const needle = bad ? Buffer.from(bad) : undefined;
  state.poll = () => {
    if (!existsSync(path)) return state.lines;
    const size = statSync(path).size;
    if (size <= state.offset) return state.lines;
    const fd = openSync(path, 'r');
    try {
      while (state.offset < size) {
        const n = readSync(fd, buf, 0, Math.min(buf.length, size - state.offset), state.offset);
        if (n === 0) break;
        // Count only up to the last LF: a line cut by this read is counted (and searched) with its end.
        const last = buf.lastIndexOf(10, n - 1);
        if (last < 0) break;
        for (let i = buf.indexOf(10); i >= 0 && i <= last; i = buf.indexOf(10, i + 1)) state.lines++;
        if (needle) { const view = buf.subarray(0, last + 1); for (let i = view.indexOf(needle); i >= 0; i = view.indexOf(needle, i + 1)) state.bad++; }
        state.offset += last + 1;
      }
    } finally { closeSync(fd); }
    state.bytes = state.offset;
    return state.lines;
  };
  return state;
}
