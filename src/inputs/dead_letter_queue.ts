/**
 * The `dead_letter_queue` input: reads back the events a pipeline's outputs rejected for good (written by
 * the pipeline when `dead_letter_queue.enable` is set), oldest first, then waits for new ones. Each event
 * comes back as it was rejected, with `[@metadata][dead_letter_queue][entry_time|plugin_id|plugin_type|reason]`
 * as Logstash's plugin sets them.
 *
 * With `commit_offsets` (the default) the position reached is saved once the events are accepted by the
 * pipeline's queue, so a restart goes on from there; `clean_consumed` then deletes segments read to the end.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Timestamp } from '../event/timestamp.js';
import { decodeEntryAt, finishedSegments, SEGMENT_MAGIC } from '../formats/dlq.js';
import { defineInput, PluginConfigError, type InputSink } from '../plugins/api.js';

interface Offset { segment: number; offset: number }

function readOffset(path: string): Offset | undefined {
  try {
    const [segment, offset] = readFileSync(path, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(segment) && Number.isInteger(offset) ? { segment: segment!, offset: offset! } : undefined;
  } catch { return undefined; }
}

export default defineInput({
  name: 'dead_letter_queue',
  doc: 'Reads the events a pipeline\'s dead letter queue holds, with the reason, plugin and time of their rejection in `[@metadata][dead_letter_queue]`.',
  options: {
    path: { type: 'string', required: true, doc: 'The dead letter queue directory (`path.dead_letter_queue`, e.g. `/var/lib/logstash/data/dead_letter_queue`).' },
    pipeline_id: { type: 'string', default: 'main', doc: 'The pipeline whose dead letter queue is read.' },
    commit_offsets: { type: 'boolean', default: true, doc: 'Save the position reached, so a restart goes on from there.' },
    sincedb_path: { type: 'string', doc: 'Where the position is saved (default: under `path.data`).' },
    start_timestamp: { type: 'string', doc: 'Only entries written at or after this time (ISO 8601, e.g. `2017-04-04T23:40:37`).' },
    clean_consumed: { type: 'boolean', default: false, doc: 'Delete segments once read to the end (needs `commit_offsets`).' },
  },
  check(options) {
    const problems: PluginConfigError[] = [];
    if (options.clean_consumed && !options.commit_offsets) problems.push(new PluginConfigError('clean_consumed can be used only when commit_offsets is enabled', 'clean_consumed'));
    if (options.start_timestamp !== undefined && Timestamp.parse(options.start_timestamp) === undefined) {
      problems.push(new PluginConfigError(`start_timestamp is not a timestamp: ${options.start_timestamp}`, 'start_timestamp', 'write it as ISO 8601, e.g. 2017-04-04T23:40:37'));
    }
    return problems;
  },
  create(options, ctx) {
    const root = isAbsolute(options.path) ? options.path : resolve(ctx.cwd, options.path);
    const dir = join(root, options.pipeline_id);
    const sincedb = options.sincedb_path !== undefined
      ? resolve(ctx.cwd, options.sincedb_path)
      : join(ctx.dataDir, 'plugins', 'inputs', 'dead_letter_queue', options.pipeline_id, 'offset');
    const since = options.start_timestamp === undefined ? undefined : Timestamp.parse(options.start_timestamp)!.epochMs;
    let stopping = false;
    let wake: (() => void) | undefined;
    const pause = (ms: number): Promise<void> => new Promise((r) => { const t = setTimeout(r, ms); wake = () => { clearTimeout(t); r(); }; });
    const commit = (at: Offset): void => {
      if (!options.commit_offsets) return;
      mkdirSync(dirname(sincedb), { recursive: true });
      writeFileSync(sincedb, `${at.segment} ${at.offset}\n`);
    };
    return {
      async run(sink: InputSink) {
        let at: Offset = (options.commit_offsets ? readOffset(sincedb) : undefined) ?? { segment: 0, offset: SEGMENT_MAGIC.length };
        ctx.logger.info('Starting dead letter queue input', { path: dir, offset: `${at.segment}:${at.offset}` });
        while (!stopping && !sink.stopping) {
          const segments = existsSync(dir) ? finishedSegments(readdirSync(dir)).filter((n) => n >= at.segment) : [];
          let progressed = false;
          for (const n of segments) {
            if (stopping) break;
            const start = n === at.segment ? at.offset : SEGMENT_MAGIC.length;
            let bytes: Buffer;
            try { bytes = readFileSync(join(dir, `${n}.log`)); } catch { continue; }
            let off = start;
            for (let rec = decodeEntryAt(bytes, off); rec; rec = decodeEntryAt(bytes, off)) {
              off = rec.next;
              const { entry } = rec;
              if (since !== undefined && entry.entryTime < since) continue;
              const e = entry.event;
              e.metadata.dead_letter_queue = {
                entry_time: new Timestamp(entry.entryTime),
                plugin_id: entry.pluginId,
                plugin_type: entry.pluginType,
                reason: entry.reason,
              };
              if (!sink.push(e)) await sink.drained();
            }
            if (off !== start || n !== at.segment) progressed = true;
            await sink.accepted();
            at = { segment: n, offset: off };
            commit(at);
            if (options.clean_consumed && off >= bytes.length) {
              try { unlinkSync(join(dir, `${n}.log`)); } catch { /* gone already */ }
            }
          }
          if (!progressed) await pause(1000);
        }
      },
      stop() { stopping = true; wake?.(); },
    };
  },
});
