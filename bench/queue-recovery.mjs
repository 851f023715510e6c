#!/usr/bin/env node
// Persisted queue recovery: fill a queue directory with QUEUE_BENCH_MB (default 1024) MiB of unacknowledged
// events (real Apache lines, 64 MiB pages), close it as a crash would leave it (no final checkpoint of the
// head page), then time opening it again: the checkpoint read, every page scanned and its records checked
// (CRC-32), the head page's torn tail cut. Reference, same run: reading the same files end to end with
// fs.readFileSync, the least a recovery that looks at every byte must cost.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Event } from '../dist/event/event.js';
import { PersistedQueue } from '../dist/runtime/queue/persisted/queue.js';
import { corpus } from './_corpus.mjs';

const MB = Number(process.env.QUEUE_BENCH_MB || 1024);
const dir = mkdtempSync(join(tmpdir(), 'sluice-queue-recovery-'));
const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };
const options = { dir, pageCapacity: 64 * 1024 * 1024, maxBytes: (MB + 256) * 1024 * 1024, maxEvents: 0, checkpointWrites: 0, checkpointAcks: 0, checkpointIntervalMs: 0, drain: false, logger: quiet };

const lines = corpus('apache_access_10k.log', 10_000);
const q = PersistedQueue.open(options);
let events = 0;
const bytes = () => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
const t0 = process.hrtime.bigint();
while (true) {
  for (let i = 0; i < 10_000; i++) q.push(new Event({ message: lines[i], host: { name: 'web-1' } }));
  events += 10_000;
  await q.accepted();
  if (events % 200_000 === 0) {
    const b = bytes();
    process.stderr.write(`\rfilling: ${(b / 1048576).toFixed(0)} / ${MB} MiB`);
    if (b >= MB * 1048576) break;
  }
}
const fillS = Number(process.hrtime.bigint() - t0) / 1e9;
q.close();
process.stderr.write('\n');
const total = bytes();

const t1 = process.hrtime.bigint();
const again = PersistedQueue.open(options);
const recoverS = Number(process.hrtime.bigint() - t1) / 1e9;
const recovered = again.figures().events_count;
await again.dispose();

const t2 = process.hrtime.bigint();
for (const f of readdirSync(dir)) readFileSync(join(dir, f));
const readS = Number(process.hrtime.bigint() - t2) / 1e9;

if (recovered !== events) throw new Error(`recovered ${recovered} of ${events} events`);
console.log(`queue: ${(total / 1048576).toFixed(0)} MiB, ${events.toLocaleString('en-US')} events (filled at ${Math.round(events / fillS).toLocaleString('en-US')} events/s)`);
console.log(`recovery (open after a crash): ${recoverS.toFixed(2)} s, every event back`);
console.log(`reference (read every file):   ${readS.toFixed(2)} s  (recovery takes ${(recoverS / readS).toFixed(2)}x the plain read)`);
rmSync(dir, { recursive: true, force: true });
