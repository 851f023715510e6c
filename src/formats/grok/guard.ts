/**
 * The runaway-regex guard: risky expressions run on a worker thread that can be killed.
 *
 * The call stays synchronous (so the filter needs no Promise): the subject is copied into shared
 * memory, the worker (guard-worker.ts, the same engines as this thread) is woken through Atomics, and
 * this thread blocks in Atomics.wait for at most the timeout. New expressions reach the worker over a
 * MessagePort (read with receiveMessageOnPort). On timeout the worker is terminated and a fresh one is
 * started for the next event; that event's caller gets TIMED_OUT.
 * Cost: a copy of the line and two cross-thread wake-ups per guarded match (bench/grok.mjs measures it),
 * so only lines the line screen (screen.ts) cannot bound are sent here.
 */
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { CompiledGrok } from './compile.js';
import { MatchOffsets, type EngineSpec } from './engine.js';
import { DONE, EXPRESSION, IDLE, LENGTH, READY, REQUEST, STATE, type GuardMessage, type GuardWorkerData } from './guard-worker.js';

export const TIMED_OUT = Symbol('grok timeout');

/** One user's hold on the process-wide guard worker: the expressions it registered. */
export interface MatchGuard {
  /** Let the worker run this expression (it is compiled there before its first match). */
  add(g: CompiledGrok): void;
  /** Match on the worker; TIMED_OUT when it takes longer than `timeoutMs`. */
  exec(g: CompiledGrok, subject: string, timeoutMs: number): MatchOffsets | null | typeof TIMED_OUT;
  /** Release this user's expressions; the worker stops a while after no expression is left. */
  close(): Promise<void>;
  /** Number of workers killed so far (all users). */
  readonly kills: number;
}

interface Registered {
  id: number;
  /** How many users registered it (filters share compiled expressions). */
  users: number;
  spec: EngineSpec;
  offsets: MatchOffsets;
}

const WORKER_ENTRY = new URL('./guard-worker.mjs', import.meta.url);
/**
 * How long an idle worker is kept once no expression is registered: starting one costs about 0.1 s
 * (over a second from the TypeScript sources), and users come and go (`sluice test`, the debugger).
 */
const IDLE_MILLIS = 5000;

/** One guard worker per process, shared by every grok user: workers are costly to start. */
class WorkerGuard {
  readonly #registered = new Map<CompiledGrok, Registered>();
  #nextId = 0;
  /** Result buffer size in groups; a bigger expression restarts the worker with a bigger one. */
  #capacity = 0;
  /** Subject buffer size in UTF-16 units; a longer line restarts the worker with a bigger one. */
  #textCapacity = 1 << 16;
  #worker: Worker | undefined;
  #port: MessagePort | undefined;
  #ctrl: Int32Array = new Int32Array(0);
  #result: Int32Array = new Int32Array(0);
  #text: Uint16Array = new Uint16Array(0);
  #idle: NodeJS.Timeout | undefined;
  /** The last error a worker died of (an error event arrives only once this thread runs again). */
  #failure: Error | undefined;
  kills = 0;

  register(g: CompiledGrok): void {
    clearTimeout(this.#idle);
    const known = this.#registered.get(g);
    if (known !== undefined) { known.users++; return; }
    const e = g.engine;
    const r: Registered = { id: this.#nextId++, users: 1, spec: e.spec, offsets: new MatchOffsets(e.groups) };
    this.#registered.set(g, r);
    if (e.groups > this.#capacity) {
      // The result buffer is sized at start: a bigger expression needs a fresh worker.
      this.#capacity = Math.max(64, e.groups * 2);
      this.#stopWorker();
    } else this.#post({ register: r.id, spec: r.spec });
  }

  release(g: CompiledGrok): void {
    const r = this.#registered.get(g);
    if (r === undefined || --r.users > 0) return;
    this.#registered.delete(g);
    this.#post({ release: r.id });
    if (this.#registered.size > 0) return;
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => { if (this.#registered.size === 0) void this.#stopWorker(); }, IDLE_MILLIS).unref();
  }

  #post(m: GuardMessage): void { this.#port?.postMessage(m); }

  /** Start a worker and block until it has compiled the registered expressions. */
  #start(): void {
    const ctrl = new SharedArrayBuffer(16);
    const result = new SharedArrayBuffer(4 * (3 + 2 * this.#capacity));
    const text = new SharedArrayBuffer(2 * this.#textCapacity);
    const { port1, port2 } = new MessageChannel();
    const data: GuardWorkerData = { ctrl, result, text, port: port2, patterns: [...this.#registered.values()].map((r) => [r.id, r.spec]) };
    // The worker inherits Node's flags, except one it would refuse (`node --input-type=module -e …`).
    const execArgv = process.execArgv.filter((a) => !a.startsWith('--input-type'));
    const worker = new Worker(WORKER_ENTRY, { workerData: data, transferList: [port2], execArgv });
    // A worker that dies must not take the process with it: the caller gets the error at its next start.
    worker.on('error', (e) => { this.#failure = e; });
    worker.unref();
    port1.unref();
    this.#worker = worker;
    this.#port = port1;
    this.#ctrl = new Int32Array(ctrl);
    this.#result = new Int32Array(result);
    this.#text = new Uint16Array(text);
    // Worker start-up does not need this thread's event loop, so waiting here cannot deadlock.
    Atomics.wait(this.#ctrl, READY, 0, 30_000);
    if (Atomics.load(this.#ctrl, READY) !== 1) {
      void this.#stopWorker();
      throw new Error(`grok guard worker did not start${this.#failure ? `: ${this.#failure.message}` : ''}`);
    }
  }

  exec(g: CompiledGrok, subject: string, timeoutMs: number): MatchOffsets | null | typeof TIMED_OUT {
    const reg = this.#registered.get(g);
    if (reg === undefined) throw new Error('grok guard: expression not registered');
    if (subject.length > this.#textCapacity) {
      this.#textCapacity = subject.length * 2;
      void this.#stopWorker();
    }
    if (this.#worker === undefined) this.#start();
    const ctrl = this.#ctrl;
    const text = this.#text;
    for (let i = 0; i < subject.length; i++) text[i] = subject.charCodeAt(i);
    ctrl[EXPRESSION] = reg.id;
    ctrl[LENGTH] = subject.length;
    Atomics.store(ctrl, STATE, REQUEST);
    Atomics.notify(ctrl, STATE);
    const w = Atomics.wait(ctrl, STATE, REQUEST, timeoutMs);
    if (w === 'timed-out' && Atomics.load(ctrl, STATE) !== DONE) {
      this.kills++;
      void this.#stopWorker();
      return TIMED_OUT;
    }
    Atomics.store(ctrl, STATE, IDLE);
    const r = this.#result;
    if (r[0] === 0) return null;
    const out = reg.offsets;
    out.subject = subject;
    out.start = r[1] as number;
    out.end = r[2] as number;
    for (let i = 0; i < out.starts.length; i++) {
      out.starts[i] = r[3 + 2 * i] as number;
      out.ends[i] = r[4 + 2 * i] as number;
    }
    return out;
  }

  #stopWorker(): Promise<void> {
    const w = this.#worker;
    this.#worker = undefined;
    this.#port?.close();
    this.#port = undefined;
    return w === undefined ? Promise.resolve() : w.terminate().then(() => undefined);
  }
}

let shared: WorkerGuard | undefined;

/** A new hold on the process-wide guard (the worker starts at the first guarded match). */
export function openGuard(): MatchGuard {
  const guard = shared ??= new WorkerGuard();
  const mine = new Set<CompiledGrok>();
  return {
    add(g) { if (!mine.has(g)) { mine.add(g); guard.register(g); } },
    exec(g, subject, timeoutMs) { return guard.exec(g, subject, timeoutMs); },
    close() {
      for (const g of mine) guard.release(g);
      mine.clear();
      return Promise.resolve();
    },
    get kills() { return guard.kills; },
  };
}
