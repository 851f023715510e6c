/**
 * The persisted queue on disk: what was accepted survives a crash (an abandoned queue reopened on the same
 * directory) and is delivered again until acknowledged; a torn last record is cut, every complete one
 * kept; pages roll over and are deleted once acknowledged; a full queue says so and drops nothing.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import { PersistedQueue, type PersistedQueueOptions } from '../src/runtime/queue/persisted/queue.js';
import { encodeRecord, PAGE_MAGIC, scanPage } from '../src/runtime/queue/persisted/page.js';
import { recordingLogger, type LogLine } from './helpers/plugin-context.js';

function options(dir: string, extra: Partial<PersistedQueueOptions> = {}): PersistedQueueOptions & { logs: LogLine[] } {
  const logs: LogLine[] = [];
  return {
    dir, pageCapacity: 64 * 1024 * 1024, maxBytes: 1024 * 1024 * 1024, maxEvents: 0, checkpointWrites: 1024,
    checkpointAcks: 1024, checkpointIntervalMs: 0, drain: false, logger: recordingLogger(logs), logs, ...extra,
  };
}

const tmp = (): string => mkdtempSync(join(tmpdir(), 'sluice-pq-'));
const ns = (events: Event[]): unknown[] => events.map((e) => e.get('n'));

async function pushAll(q: PersistedQueue, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) q.push(new Event({ n: i, f: new LsFloat(i + 0.5) }));
  await q.accepted();
}

describe('persisted queue', () => {
  it('hands out what was pushed, in order, with every value type, and forgets it once acknowledged', async () => {
    const dir = tmp();
    const q = PersistedQueue.open(options(dir));
    await pushAll(q, 0, 10);
    const b = (await q.read(4, 0))!;
    expect(ns(b.events)).toEqual([0, 1, 2, 3]);
    expect(b.events[0]!.get('f')).toBeInstanceOf(LsFloat);
    q.ack(b);
    const rest = (await q.read(100, 0))!;
    expect(ns(rest.events)).toEqual([4, 5, 6, 7, 8, 9]);
    q.ack(rest);
    q.close();
    expect(await q.read(10, 0)).toBeNull();
    await q.dispose();
    const again = PersistedQueue.open(options(dir));
    expect(again.figures().events_count).toBe(0);
    again.close();
    expect(await again.read(10, 0)).toBeNull();
    await again.dispose();
  });

  it('after a crash delivers again every accepted event not acknowledged, and only those', async () => {
    const dir = tmp();
    const q = PersistedQueue.open(options(dir, { checkpointAcks: 1 }));
    await pushAll(q, 0, 100);
    const first = (await q.read(30, 0))!;
    q.ack(first);
    const second = (await q.read(30, 0))!; // in flight when the process dies: not acknowledged
    expect(second.events.length).toBe(30);
    // The process dies: no close, no dispose. A new process opens the same directory.
    const o = options(dir);
    const back = PersistedQueue.open(o);
    expect(back.figures().events_count).toBe(70);
    const replay = (await back.read(1000, 0))!;
    expect(ns(replay.events)).toEqual(Array.from({ length: 70 }, (_, i) => 30 + i));
    expect(o.logs.some((l) => /recovered unacknowledged events/.test(l.msg))).toBe(true);
    back.close();
    await back.dispose();
  });

  it('with checkpoints off the event loop (the default cadence), a crash at any moment loses no accepted event and replays a contiguous suffix', async () => {
    for (const crashAfterAcks of [0, 7, 23, 40]) {
      const dir = tmp();
      // Small pages: rolls over while checkpoints are in flight.
      const q = PersistedQueue.open(options(dir, { pageCapacity: 64 * 1024, checkpointWrites: 64, checkpointAcks: 64 }));
      for (let from = 0; from < 5000; from += 500) await pushAll(q, from, from + 500);
      for (let i = 0; i < crashAfterAcks; i++) q.ack((await q.read(100, 0))!);
      // The process dies now, checkpoints perhaps half done. A new one opens the directory.
      const back = PersistedQueue.open(options(dir));
      const replay = (await back.read(10_000, 0))!;
      const got = ns(replay.events) as number[];
      expect(got[got.length - 1]).toBe(4999);
      expect(got[0]).toBeLessThanOrEqual(crashAfterAcks * 100);
      expect(got).toEqual(Array.from({ length: got.length }, (_, i) => got[0]! + i));
      back.close();
      await back.dispose();
    }
  });

  it('keeps every complete record when the last write was torn', async () => {
    const dir = tmp();
    const q = PersistedQueue.open(options(dir));
    await pushAll(q, 0, 20);
    const page = join(dir, readdirSync(dir).find((f) => f.startsWith('page.'))!);
    const size = statSync(page).size;
    // Half a record: a header claiming 500 bytes, and 10 of them.
    const torn = Buffer.alloc(26);
    torn.writeUInt32LE(500, 0);
    appendFileSync(page, torn);
    const o = options(dir);
    const back = PersistedQueue.open(o);
    const all = (await back.read(1000, 0))!;
    expect(ns(all.events)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(statSync(page).size).toBe(size);
    expect(o.logs.some((l) => /incomplete record/.test(l.msg))).toBe(true);
    // New events go after the kept ones.
    await pushAll(back, 20, 22);
    back.ack(all);
    expect(ns((await back.read(10, 0))!.events)).toEqual([20, 21]);
    await back.dispose();
  });

  it('a record whose bytes were damaged ends the page there on recovery (checksum)', async () => {
    const dir = tmp();
    const q = PersistedQueue.open(options(dir));
    await pushAll(q, 0, 5);
    const page = join(dir, readdirSync(dir).find((f) => f.startsWith('page.'))!);
    const bytes = readFileSync(page);
    bytes[bytes.length - 3] ^= 0xff; // inside the last record's payload
    writeFileSync(page, bytes);
    const back = PersistedQueue.open(options(dir));
    expect(ns((await back.read(100, 0))!.events)).toEqual([0, 1, 2, 3]);
    await back.dispose();
  });

  it('rolls over to new pages and deletes pages once everything in them is acknowledged', async () => {
    const dir = tmp();
    const q = PersistedQueue.open(options(dir, { pageCapacity: 4096 }));
    await pushAll(q, 0, 400);
    const pages = () => readdirSync(dir).filter((f) => f.startsWith('page.')).length;
    expect(pages()).toBeGreaterThan(5);
    for (;;) {
      const b = await q.read(50, 0);
      q.ack(b!);
      if (q.figures().events_count === 0) break;
    }
    expect(pages()).toBe(1);
    await q.dispose();
  });

  it('says full at max_bytes or max_events and still keeps what it was given', async () => {
    const dir = tmp();
    const q = PersistedQueue.open(options(dir, { maxEvents: 50 }));
    let firstFull = -1;
    for (let i = 0; i < 60; i++) if (!q.push(new Event({ n: i })) && firstFull < 0) firstFull = i;
    expect(firstFull).toBe(49);
    expect(q.full).toBe(true);
    let drained = false;
    const waiting = q.drained().then(() => { drained = true; });
    await q.accepted();
    const b = (await q.read(30, 0))!;
    q.ack(b);
    await waiting;
    expect(drained).toBe(true);
    expect(q.figures().events_count).toBe(30);
    await q.dispose();

    const small = PersistedQueue.open(options(tmp(), { maxBytes: 64 * 1024 }));
    let n = 0;
    while (small.push(new Event({ n, pad: 'x'.repeat(200) }))) n++;
    await small.accepted();
    expect(small.figures().queue_size_in_bytes).toBeLessThanOrEqual(64 * 1024);
    await small.dispose();
  });
});

describe('page scan (recovery) across its read window', () => {
  it('finds every record of a 20 MiB page, records straddling the 8 MiB windows and one bigger than a window, and cuts a torn tail', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-scan-'));
    const path = join(dir, 'page.1');
    const parts: Buffer[] = [PAGE_MAGIC];
    let seq = 1;
    // Odd sizes so that records fall across window boundaries at varied offsets.
    for (let total = 0; total < 11 * 1024 * 1024; seq++) { const r = encodeRecord(seq, Buffer.alloc(1000 + (seq % 777), seq % 251)); parts.push(r); total += r.length; }
    const huge = encodeRecord(seq++, Buffer.alloc(9 * 1024 * 1024, 7));
    parts.push(huge);
    for (let i = 0; i < 100; i++) parts.push(encodeRecord(seq++, Buffer.from(`tail ${i}`)));
    const complete = Buffer.concat(parts);
    const torn = encodeRecord(seq, Buffer.alloc(5000, 1)).subarray(0, 3000);
    writeFileSync(path, Buffer.concat([complete, torn]));
    const scan = scanPage(path);
    expect(scan.records).toHaveLength(seq - 1);
    expect(scan.records.map((r) => r.seq)).toEqual(Array.from({ length: seq - 1 }, (_, i) => i + 1));
    expect(scan.validBytes).toBe(complete.length);
    expect(scan.tornBytes).toBe(3000);
  });
});
