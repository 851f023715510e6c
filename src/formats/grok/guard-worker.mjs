// The guard worker's entry point (guard.ts starts a thread on this file). Built, it runs the compiled
// guard-worker.js next to it. Run from the TypeScript sources (vitest transforms the modules it loads
// itself, but not those of a worker thread, and Node 20 cannot strip types), it first registers
// source-hooks.mjs, so the worker runs the same engine code as the tests that start it.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { workerData } from 'node:worker_threads';

try {
  let entry = new URL('./guard-worker.js', import.meta.url);
  if (!existsSync(entry)) {
    register('./source-hooks.mjs', import.meta.url);
    entry = new URL('./guard-worker.ts', import.meta.url);
  }
  const { runGuardWorker } = await import(entry.href);
  await runGuardWorker(workerData);
} catch (e) {
  // A worker that cannot start says so at once (ctrl[1] is the ready flag) rather than by a timeout.
  const ctrl = new Int32Array(workerData.ctrl);
  Atomics.store(ctrl, 1, -1);
  Atomics.notify(ctrl, 1);
  throw e;
}
