/**
 * A runaway-scan guard for Ruby regexps (kv's `timeout_millis`): the whole `String#scan` of a subject runs
 * on a worker thread that is killed when it takes longer than the timeout, the way Logstash interrupts
 * Joni (`Timeout.timeout` with `-Djruby.regexp.interruptible=true`).
 *
 * The call stays synchronous, as in grok's guard (src/formats/grok/guard.ts): the request goes over a
 * MessagePort, the worker is woken through Atomics, this thread blocks in Atomics.wait for at most the
 * timeout and reads the answer with receiveMessageOnPort. On timeout the worker is terminated and a fresh
 * one starts for the next request. Cost: two cross-thread wake-ups and a structured copy per scan, so
 * callers send here only the subjects they cannot bound (see src/formats/kv.ts).
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { onigurumaPaths, type RegexpForm, type RubyMatch } from './index.js';

export const TIMED_OUT = Symbol('regexp timeout');

// The worker is plain CommonJS evaluated from a string, so it runs the same from src/ (tests) and dist/.
const WORKER_SOURCE = String.raw`
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { ctrl, port, onigPath } = workerData;
const c = new Int32Array(ctrl);
const ASCII_ONLY = /^[\x00-\x7f]*$/;
let onig;
const runners = new Map();
function runner(form) {
  const key = JSON.stringify(form);
  let r = runners.get(key);
  if (r) return r;
  if (form.kind === 'native') {
    const re = new RegExp(form.pattern, form.flags + 'g');
    const map = form.groupMap;
    r = (s, from) => {
      re.lastIndex = from;
      const m = re.exec(s);
      if (m === null) return null;
      const groups = map.map((k) => m[k]);
      return { index: m.index, end: m.index + m[0].length, groups };
    };
  } else {
    const sc = new onig.OnigScanner([form.source], { options: [15], syntax: 10 });
    r = (s, from) => {
      const m = sc.findNextMatchSync(s, from);
      if (m === null) return null;
      const caps = m.captureIndices, len = s.length, nonAscii = !ASCII_ONLY.test(s);
      const groups = caps.map((x, k) => (x === undefined || x.start > len || (k > 0 && x.start === len && x.end === len && nonAscii)) ? undefined : s.slice(x.start, x.end));
      return { index: caps[0].start, end: caps[0].end, groups };
    };
  }
  if (runners.size > 64) runners.clear();
  runners.set(key, r);
  return r;
}
function scan(form, s, limit) {
  const exec = runner(form);
  const out = [];
  let pos = 0;
  while (pos <= s.length && out.length < limit) {
    const m = exec(s, pos);
    if (m === null) break;
    out.push(m);
    if (m.end > m.index) pos = m.end;
    else { const ch = s.charCodeAt(m.end); pos = m.end + (ch >= 0xd800 && ch <= 0xdbff && m.end + 1 < s.length ? 2 : 1); }
  }
  return out;
}
async function main() {
  const mod = require(onigPath.module);
  const bytes = require('node:fs').readFileSync(onigPath.wasm);
  await mod.loadWASM(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  onig = mod;
  Atomics.store(c, 1, 1);
  Atomics.notify(c, 1);
  for (;;) {
    let st = Atomics.load(c, 0);
    while (st !== 1) { Atomics.wait(c, 0, st); st = Atomics.load(c, 0); }
    const msg = receiveMessageOnPort(port);
    let answer;
    try { answer = msg === undefined ? { error: 'no request' } : { matches: scan(msg.message.form, msg.message.subject, msg.message.limit) }; }
    catch (e) { answer = { error: String(e && e.message || e) }; }
    port.postMessage(answer);
    Atomics.store(c, 0, 2);
    Atomics.notify(c, 0);
  }
}
main();
`;

const IDLE = 0;
const REQUEST = 1;
const DONE = 2;

interface Answer { matches?: RubyMatch[]; error?: string }

export class ScanGuard {
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #ctrl: Int32Array = new Int32Array(0);
  #kills = 0;
  #users = 0;

  /** Number of workers killed so far (one per timed-out scan). */
  get kills(): number { return this.#kills; }

  /** Count one more user (each user calls close once). */
  retain(): this { this.#users++; return this; }

  /** Start a worker and block until it is ready (Oniguruma loaded): start-up is not counted in a timeout. */
  #start(): void {
    // ctrl: [state, ready]
    const ctrl = new SharedArrayBuffer(8);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ctrl, port: port2, onigPath: onigurumaPaths() }, transferList: [port2] });
    worker.unref();
    port1.unref();
    this.#worker = worker;
    this.#port = port1;
    this.#ctrl = new Int32Array(ctrl);
    // Worker start-up does not need this thread's event loop, so waiting here cannot deadlock.
    if (Atomics.wait(this.#ctrl, 1, 0, 30_000) === 'timed-out') throw new Error('regexp guard worker did not start');
  }

  /**
   * Every match of `form` in `subject` (Ruby's String#scan; at most `limit` of them), or TIMED_OUT after
   * `timeoutMs`.
   */
  scan(form: RegexpForm, subject: string, timeoutMs: number, limit = Number.POSITIVE_INFINITY): RubyMatch[] | typeof TIMED_OUT {
    if (this.#worker === undefined) this.#start();
    const ctrl = this.#ctrl;
    const port = this.#port!;
    port.postMessage({ form, subject, limit });
    Atomics.store(ctrl, 0, REQUEST);
    Atomics.notify(ctrl, 0);
    const w = Atomics.wait(ctrl, 0, REQUEST, timeoutMs);
    if (w === 'timed-out' && Atomics.load(ctrl, 0) !== DONE) {
      this.#kills++;
      this.#stop();
      return TIMED_OUT;
    }
    Atomics.store(ctrl, 0, IDLE);
    // The worker posts its answer before it says DONE; the port has it by now (waited for briefly if not).
    let msg = receiveMessageOnPort(port);
    for (let spins = 0; msg === undefined && spins < 1000; spins++) {
      Atomics.wait(ctrl, 1, 1, 1);
      msg = receiveMessageOnPort(port);
    }
    const answer = msg?.message as Answer | undefined;
    if (answer === undefined) throw new Error('regexp guard worker gave no answer');
    if (answer.error !== undefined) throw new Error(answer.error);
    return answer.matches ?? [];
  }

  #stop(): void {
    const w = this.#worker;
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    void w?.terminate();
  }

  async close(): Promise<void> {
    this.#users = Math.max(0, this.#users - 1);
    if (this.#users > 0) return;
    const w = this.#worker;
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    if (w) await w.terminate();
  }
}

let shared: ScanGuard | undefined;

/** The process-wide guard (workers are costly to start); call close() once when done with it. */
export function scanGuard(): ScanGuard {
  shared ??= new ScanGuard();
  return shared.retain();
}
