/**
 * The dead letter queue: events an output rejects for good are written with the reason, the plugin and
 * the time; a second pipeline's dead_letter_queue input reads them back with Logstash's metadata; offsets
 * are committed so a restart does not read them twice; max_bytes and the storage policies bound it.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { Timestamp } from '../src/event/timestamp.js';
import { defineOutput, type DeliveryReport } from '../src/plugins/api.js';
import { registerPlugin } from '../src/plugins/registry.js';
import { Settings } from '../src/config/settings.js';
import { configureLogging } from '../src/services/logger.js';
import { Agent, type PipelineSpec } from '../src/runtime/agent.js';
import { SegmentedDeadLetterWriter } from '../src/runtime/dlq/writer.js';
import { recordingLogger } from './helpers/plugin-context.js';

const received: Event[] = [];
const unregister = [
  // Rejects every event whose `bad` field is set, as Elasticsearch answers 400 for a mapping error.
  registerPlugin(defineOutput({
    name: 'picky', doc: '', options: {},
    create: () => ({
      receive: (events): DeliveryReport => ({
        rejected: events.flatMap((e, index) => (e.get('bad') ? [{ index, reason: `status: 400, mapper_parsing_exception for ${String(e.get('n'))}` }] : [])),
      }),
    }),
  })),
  registerPlugin(defineOutput({ name: 'collect', doc: '', options: {}, create: () => ({ receive(events) { received.push(...events); } }) })),
];
afterAll(() => { for (const u of unregister) u(); });

function spec(id: string, text: string, settings: Settings): PipelineSpec {
  const s = new Settings(settings);
  s.set('pipeline.id', id, 'test');
  return { id, settings: s, source: { text }, fillDefaults: false };
}

describe('dead letter queue', () => {
  it('keeps rejected events and a second pipeline reads them back with reason, plugin and time', async () => {
    configureLogging({ sink: () => {} });
    const data = mkdtempSync(join(tmpdir(), 'sluice-dlq-'));
    const base = new Settings();
    base.set('path.data', data, 'test');
    base.set('pipeline.workers', 1, 'test');
    base.set('dead_letter_queue.enable', true, 'test');
    base.set('dead_letter_queue.flush_interval', 100, 'test');
    const writer = spec('main', `input { generator { lines => ["ok", "bad"] count => 3 } }
      filter { if [message] == "bad" { mutate { add_field => { "bad" => "yes" } } } mutate { copy => { "[event][sequence]" => "n" } } }
      output { picky { id => "es_out" } }`, base);
    const readerSettings = new Settings(base);
    readerSettings.set('dead_letter_queue.enable', false, 'test');
    const reader = spec('reprocess', `input { dead_letter_queue { path => "${join(data, 'dead_letter_queue')}" pipeline_id => "main" } } output { collect {} }`, readerSettings);
    const before = Date.now();
    const agent = new Agent({ settings: base, specs: () => [writer, reader], env: {}, cwd: data, color: false });
    await agent.start();
    const t0 = Date.now();
    while (received.length < 3 && Date.now() - t0 < 15_000) await new Promise((r) => setTimeout(r, 50));
    await agent.stop();
    expect(received).toHaveLength(3);
    for (const e of received) {
      expect(e.get('message')).toBe('bad');
      const meta = e.get('[@metadata][dead_letter_queue]') as Record<string, unknown>;
      expect(meta.plugin_id).toBe('es_out');
      expect(meta.plugin_type).toBe('picky');
      expect(meta.reason).toBe(`status: 400, mapper_parsing_exception for ${String(e.get('n'))}`);
      expect(meta.entry_time).toBeInstanceOf(Timestamp);
      expect((meta.entry_time as Timestamp).epochMs).toBeGreaterThanOrEqual(before - 1000);
    }
    expect(received.map((e) => e.get('n')).sort()).toEqual([0, 1, 2]);
    expect(readdirSync(join(data, 'dead_letter_queue', 'main')).some((f) => /^\d+\.log$/.test(f))).toBe(true);

    // A restart of the reader goes on from its committed offset: nothing is read twice.
    received.length = 0;
    const again = new Agent({ settings: readerSettings, specs: () => [reader], env: {}, cwd: data, color: false });
    await again.start();
    await new Promise((r) => setTimeout(r, 1500));
    await again.stop();
    expect(received).toHaveLength(0);
  }, 30_000);

  it('drop_newer refuses entries past max_bytes and counts them; drop_older deletes the oldest segments', async () => {
    const logs: never[] = [];
    const entry = (n: number) => ({ event: new Event({ n, pad: 'x'.repeat(2000) }), reason: 'r', pluginId: 'o', pluginType: 't' });
    const newer = new SegmentedDeadLetterWriter({ dir: mkdtempSync(join(tmpdir(), 'dlq-newer-')), maxBytes: 20_000, storagePolicy: 'drop_newer', flushIntervalMs: 1000, retainAgeMs: undefined, logger: recordingLogger(logs) });
    for (let i = 0; i < 20; i++) newer.write(entry(i));
    const f = newer.figures();
    expect(f.queue_size_in_bytes).toBeLessThanOrEqual(20_000);
    expect(f.dropped_events).toBeGreaterThan(0);
    expect(f.last_error).toMatch(/reached maxQueueSize/);
    await newer.close();

    const dir = mkdtempSync(join(tmpdir(), 'dlq-older-'));
    const older = new SegmentedDeadLetterWriter({ dir, maxBytes: 20_000, storagePolicy: 'drop_older', flushIntervalMs: 100, retainAgeMs: undefined, logger: recordingLogger(logs) });
    for (let i = 0; i < 20; i++) {
      older.write(entry(i));
      // Each entry ends up in a segment of its own (finished once idle for flush_interval).
      await new Promise((r) => setTimeout(r, 250));
    }
    const g = older.figures();
    expect(g.queue_size_in_bytes).toBeLessThanOrEqual(20_000);
    expect(g.dropped_events).toBeGreaterThan(0);
    const segments = readdirSync(dir).filter((n) => /^\d+\.log$/.test(n)).map((n) => Number(n.split('.')[0])).sort((a, b) => a - b);
    expect(segments[0]).toBeGreaterThan(1); // the oldest went
    expect(segments[segments.length - 1]).toBe(20); // the newest stayed
    await older.close();
  }, 20_000);
});
