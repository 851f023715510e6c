/**
 * The runaway-regex guard: risky expressions run on a worker thread that can be killed.
 *
 * The call stays synchronous (so the filter needs no Promise): the subject is copied into shared
 * memory, the worker is woken through Atomics, and the main thread spins briefly, then blocks in
 * Atomics.wait for at most the timeout. New expressions reach the worker over a MessagePort
 * (read with receiveMessageOnPort). On timeout the worker is terminated
 * and a fresh one is started for the next event; that event's caller gets TIMED_OUT.
 * Cost: a copy of the line and two cross-thread wake-ups per guarded match (bench/grok.mjs measures it),
 * so only lines the line screen (screen.ts) cannot bound are sent here.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { CompiledGrok } from './compile.js';
import { MatchOffsets, NativeEngine } from './engine.js';

export const TIMED_OUT = Symbol('grok timeout');

export interface MatchGuard {
  /** Is this expression run by the guard? */
  handles(g: CompiledGrok): boolean;
  exec(g: CompiledGrok, subject: string, timeoutMs: number): MatchOffsets | null | typeof TIMED_OUT;
  close(): Promise<void>;
  /** Number of workers killed so far. */
  readonly kills: number;
}

interface WorkerPattern {
  kind: 'native' | 'oniguruma';
  source: string;
  flags: string;
  groups: number;
}

// The worker is plain CommonJS evaluated from a string, so it runs the same from src/ (tests) and dist/.
const WORKER_SOURCE = String.raw`
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { ctrl, result, text, port, patterns, onigPath } = workerData;
const c = new Int32Array(ctrl);
const r = new Int32Array(result);
const t = new Uint16Array(text);
// Decode the subject from the shared buffer (TextDecoder refuses shared memory).
function subject(len) {
  let s = '';
  for (let i = 0; i < len; i += 8192) s += String.fromCharCode.apply(null, t.subarray(i, Math.min(len, i + 8192)));
  return s;
}
let onig;
const ASCII_ONLY = /^[\x00-\x7f]*$/;
function groupNumbers(js, groups) {
  const nums = new Int32Array(groups).fill(-1);
  let count = 0, depth = 0;
  for (let i = 0; i < js.length; i++) {
    const ch = js[i];
    if (ch === '\\') { i++; continue; }
    if (depth > 0) { if (ch === '[') depth++; else if (ch === ']') depth--; continue; }
    if (ch === '[') { depth = 1; continue; }
    if (ch !== '(') continue;
    if (js[i + 1] !== '?') { count++; continue; }
    if (js[i + 2] === '<' && js[i + 3] !== '=' && js[i + 3] !== '!') {
      count++;
      const name = js.slice(i + 3, js.indexOf('>', i));
      if (/^g\d+$/.test(name)) nums[Number(name.slice(1))] = count;
    }
  }
  return nums;
}
async function compile(p) {
  if (p.kind === 'native') {
    const re = new RegExp(p.source, p.flags + 'd');
    const nums = groupNumbers(p.source, p.groups);
    return (s) => {
      re.lastIndex = 0;
      const m = re.exec(s);
      if (m === null) { r[0] = 0; return; }
      r[0] = 1; r[1] = m.indices[0][0]; r[2] = m.indices[0][1];
      for (let g = 0; g < p.groups; g++) {
        const x = m.indices[nums[g]];
        r[3 + 2 * g] = x === undefined ? -1 : x[0];
        r[4 + 2 * g] = x === undefined ? -1 : x[1];
      }
    };
  }
  if (!onig) {
    const mod = require(onigPath.module);
    const bytes = require('node:fs').readFileSync(onigPath.wasm);
    await mod.loadWASM(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    onig = mod;
  }
  const sc = new onig.OnigScanner([p.source], { options: [4, 15], syntax: 10 });
  return (s) => {
    const m = sc.findNextMatchSync(s, 0);
    if (m === null) { r[0] = 0; return; }
    const caps = m.captureIndices, len = s.length, nonAscii = !ASCII_ONLY.test(s);
    r[0] = 1; r[1] = caps[0].start; r[2] = caps[0].end;
    for (let g = 0; g < p.groups; g++) {
      const x = caps[g + 1];
      const unset = x === undefined || x.start > len || (x.start === len && x.end === len && nonAscii);
      r[3 + 2 * g] = unset ? -1 : x.start;
      r[4 + 2 * g] = unset ? -1 : x.end;
    }
  };
}
async function main() {
  const engines = new Map();
  for (const [id, p] of patterns) engines.set(id, await compile(p));
  Atomics.store(c, 1, 1);
  Atomics.notify(c, 1);
  for (;;) {
    // No spinning: on a loaded machine a spinning worker takes the core the pipeline needs.
    let st = Atomics.load(c, 0);
    while (st !== 1) { Atomics.wait(c, 0, st); st = Atomics.load(c, 0); }
    // Registrations of new expressions arrive over the port before the request that needs them.
    let msg = receiveMessageOnPort(port);
    while (msg !== undefined) {
      engines.set(msg.message.register, await compile(msg.message.pattern));
      msg = receiveMessageOnPort(port);
    }
    const e = engines.get(c[2]);
    if (e !== undefined) e(subject(c[3])); else r[0] = 0;
    Atomics.store(c, 0, 2);
    Atomics.notify(c, 0);
  }
}
main();
`;

const IDLE = 0;
const REQUEST = 1;
const DONE = 2;

/** One guard worker per process, shared by every grok filter: workers are costly to start. */
class WorkerGuard implements MatchGuard {
  readonly #ids = new Map<CompiledGrok, number>();
  readonly #patterns = new Map<number, WorkerPattern>();
  readonly #offsets = new Map<CompiledGrok, MatchOffsets>();
  #capacity = 0;
  /** Subject buffer size in UTF-16 units; a longer line restarts the worker with a bigger one. */
  #textCapacity = 1 << 16;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #ctrl: Int32Array = new Int32Array(0);
  #result: Int32Array = new Int32Array(0);
  #text: Uint16Array = new Uint16Array(0);
  #kills = 0;
  #users = 0;

  get kills(): number { return this.#kills; }

  handles(g: CompiledGrok): boolean { return this.#ids.has(g); }

  /** Make the guard run these expressions (their worker copies are compiled lazily). */
  register(groks: readonly CompiledGrok[]): void {
    this.#users++;
    for (const g of groks) {
      if (this.#ids.has(g)) continue;
      const id = this.#ids.size;
      const e = g.engine;
      const p: WorkerPattern = e instanceof NativeEngine
        ? { kind: 'native', source: e.regexp.source, flags: e.regexp.flags, groups: e.groups }
        : { kind: 'oniguruma', source: e.source, flags: '', groups: e.groups };
      this.#ids.set(g, id);
      this.#patterns.set(id, p);
      this.#offsets.set(g, new MatchOffsets(e.groups));
      if (e.groups > this.#capacity) {
        // The result buffer is sized at start: a bigger expression needs a fresh worker.
        this.#capacity = Math.max(64, e.groups * 2);
        this.#stopWorker();
      } else this.#port?.postMessage({ register: id, pattern: p });
    }
  }

  /** Start a worker and block until it has compiled the registered expressions. */
  #start(): void {
    // ctrl: [state, ready, expression id, subject length]
    const ctrl = new SharedArrayBuffer(16);
    const result = new SharedArrayBuffer(4 * (3 + 2 * this.#capacity));
    const text = new SharedArrayBuffer(2 * this.#textCapacity);
    const { port1, port2 } = new MessageChannel();
    const require = createRequire(import.meta.url);
    const onigPath = {
      module: require.resolve('vscode-oniguruma'),
      wasm: require.resolve('vscode-oniguruma/release/onig.wasm'),
    };
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { ctrl, result, text, port: port2, patterns: [...this.#patterns], onigPath },
      transferList: [port2],
    });
    worker.unref();
    port1.unref();
    this.#worker = worker;
    this.#port = port1;
    this.#ctrl = new Int32Array(ctrl);
    this.#result = new Int32Array(result);
    this.#text = new Uint16Array(text);
    // Worker start-up does not need this thread's event loop, so waiting here cannot deadlock.
    if (Atomics.wait(this.#ctrl, 1, 0, 30_000) === 'timed-out') throw new Error('grok guard worker did not start');
  }

  exec(g: CompiledGrok, subject: string, timeoutMs: number): MatchOffsets | null | typeof TIMED_OUT {
    if (subject.length > this.#textCapacity) {
      this.#textCapacity = subject.length * 2;
      this.#stopWorker();
    }
    if (this.#worker === undefined) this.#start();
    const ctrl = this.#ctrl;
    const text = this.#text;
    for (let i = 0; i < subject.length; i++) text[i] = subject.charCodeAt(i);
    ctrl[2] = this.#ids.get(g) as number;
    ctrl[3] = subject.length;
    Atomics.store(ctrl, 0, REQUEST);
    Atomics.notify(ctrl, 0);
    const w = Atomics.wait(ctrl, 0, REQUEST, timeoutMs);
    if (w === 'timed-out' && Atomics.load(ctrl, 0) !== DONE) {
      this.#kills++;
      this.#stopWorker();
      return TIMED_OUT;
    }
    Atomics.store(ctrl, 0, IDLE);
    const r = this.#result;
    if (r[0] === 0) return null;
    const out = this.#offsets.get(g) as MatchOffsets;
    out.subject = subject;
    out.start = r[1] as number;
    out.end = r[2] as number;
    for (let i = 0; i < out.starts.length; i++) {
      out.starts[i] = r[3 + 2 * i] as number;
      out.ends[i] = r[4 + 2 * i] as number;
    }
    return out;
  }

  #stopWorker(): void {
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

let shared: WorkerGuard | undefined;

/** The process-wide guard, with these expressions registered. */
export function guardFor(groks: readonly CompiledGrok[]): MatchGuard {
  shared ??= new WorkerGuard();
  shared.register(groks);
  return shared;
}
