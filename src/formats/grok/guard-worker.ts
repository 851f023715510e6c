/**
 * The guard worker's side (guard.ts starts the thread through guard-worker.mjs): it runs, with the very
 * engines of engine.ts, the matches the main thread cannot bound, and is terminated when one runs past
 * its timeout. Importing this module has no effect; the thread calls runGuardWorker.
 *
 * Shared memory: `ctrl` = [state, ready, expression id, subject length]; `text` holds the subject as
 * UTF-16 units; `result` = [matched, then Engine.locate's offsets]. Expressions are registered and
 * released by messages on `port`, read when a request arrives (they are posted before it).
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { engineFromSpec, type Engine, type EngineSpec } from './engine.js';

export const STATE = 0;
export const READY = 1;
export const EXPRESSION = 2;
export const LENGTH = 3;
/** Values of ctrl[STATE]. */
export const IDLE = 0;
export const REQUEST = 1;
export const DONE = 2;

export interface GuardWorkerData {
  ctrl: SharedArrayBuffer;
  result: SharedArrayBuffer;
  text: SharedArrayBuffer;
  port: MessagePort;
  /** The expressions registered when the worker starts, by id. */
  patterns: Array<[number, EngineSpec]>;
}

export type GuardMessage = { register: number; spec: EngineSpec } | { release: number };

/**
 * The subject from the shared buffer (TextDecoder refuses shared memory). `apply` takes the typed
 * array as it is (spreading it costs a tenth of the guarded match).
 */
function subjectOf(text: Uint16Array, length: number): string {
  let s = '';
  for (let i = 0; i < length; i += 8192) s += String.fromCharCode.apply(null, text.subarray(i, Math.min(length, i + 8192)) as unknown as number[]);
  return s;
}

export async function runGuardWorker(data: GuardWorkerData): Promise<never> {
  const ctrl = new Int32Array(data.ctrl);
  const result = new Int32Array(data.result);
  const offsets = result.subarray(1);
  const text = new Uint16Array(data.text);
  const engines = new Map<number, Engine>();
  for (const [id, spec] of data.patterns) engines.set(id, await engineFromSpec(spec));
  Atomics.store(ctrl, READY, 1);
  Atomics.notify(ctrl, READY);
  for (;;) {
    // No spinning: on a loaded machine a spinning worker takes the core the pipeline needs.
    let state = Atomics.load(ctrl, STATE);
    while (state !== REQUEST) { Atomics.wait(ctrl, STATE, state); state = Atomics.load(ctrl, STATE); }
    for (let msg = receiveMessageOnPort(data.port); msg !== undefined; msg = receiveMessageOnPort(data.port)) {
      const m = msg.message as GuardMessage;
      if ('release' in m) engines.delete(m.release);
      else engines.set(m.register, await engineFromSpec(m.spec));
    }
    const engine = engines.get(ctrl[EXPRESSION] as number);
    result[0] = engine !== undefined && engine.locate(subjectOf(text, ctrl[LENGTH] as number), offsets) ? 1 : 0;
    Atomics.store(ctrl, STATE, DONE);
    Atomics.notify(ctrl, STATE);
  }
}
