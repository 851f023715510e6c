/**
 * The dead letter queue's segment format (docs/dlq.md), shared by the writer (src/runtime/dlq) and the
 * `dead_letter_queue` input. A pipeline's DLQ is a directory of segments `1.log`, `2.log`, … written in
 * order; the segment being written is `<n>.log.tmp` and becomes `<n>.log` once finished (full, or idle for
 * `dead_letter_queue.flush_interval`), so readers only ever see complete segments.
 *
 *   segment: "SLDQ" | record*
 *   record:  u32 length | u32 crc32(payload) | payload
 *   payload: JSON {"t": entry time in ms, "type": plugin type, "id": plugin id, "reason": text, "event": <wire>}
 *
 * where <wire> is the event in the wire format (src/event/wire.ts), so every value keeps its type.
 */
import { crc32 } from 'node:zlib';
import type { Event } from '../event/event.js';
import { decodeEvent, encodeEvent } from '../event/wire.js';

export const SEGMENT_MAGIC = Buffer.from('SLDQ', 'latin1');
const HEADER = 8;

export interface DeadLetterEntry {
  event: Event;
  reason: string;
  pluginId: string;
  pluginType: string;
  /** When the entry was written, ms since the epoch. */
  entryTime: number;
}

export function encodeEntry(e: DeadLetterEntry): Buffer {
  const json = `{"t":${e.entryTime},"type":${JSON.stringify(e.pluginType)},"id":${JSON.stringify(e.pluginId)},"reason":${JSON.stringify(e.reason)},"event":${encodeEvent(e.event)}}`;
  const payload = Buffer.from(json, 'utf8');
  const b = Buffer.allocUnsafe(HEADER + payload.length);
  b.writeUInt32LE(payload.length, 0);
  b.writeUInt32LE(crc32(payload), 4);
  payload.copy(b, HEADER);
  return b;
}

export interface DecodedRecord { entry: DeadLetterEntry; next: number }

/**
 * The entry at `offset` of a segment's bytes, or undefined when the bytes there do not hold a complete
 * record (end of segment, torn write, bad checksum).
 */
export function decodeEntryAt(segment: Buffer, offset: number): DecodedRecord | undefined {
  if (offset + HEADER > segment.length) return undefined;
  const length = segment.readUInt32LE(offset);
  const sum = segment.readUInt32LE(offset + 4);
  const end = offset + HEADER + length;
  if (end > segment.length) return undefined;
  const payload = segment.subarray(offset + HEADER, end);
  if (crc32(payload) !== sum) return undefined;
  const text = payload.toString('utf8');
  // The event is the last member: its wire text is cut out and decoded by the wire format.
  const at = text.indexOf(',"event":');
  const head = JSON.parse(`${text.slice(0, at)}}`) as { t: number; type: string; id: string; reason: string };
  const event = decodeEvent(text.slice(at + 9, -1));
  return { entry: { event, reason: head.reason, pluginId: head.id, pluginType: head.type, entryTime: head.t }, next: end };
}

/** Segment numbers of finished segments in a DLQ directory listing, in order. */
export function finishedSegments(names: readonly string[]): number[] {
  return names.map((f) => /^(\d+)\.log$/.exec(f)).filter((m): m is RegExpExecArray => m !== null).map((m) => Number(m[1])).sort((a, b) => a - b);
}

/** How many records a segment's bytes hold (walking the headers only). */
export function countEntries(segment: Buffer): number {
  let n = 0;
  let off = SEGMENT_MAGIC.length;
  while (off + HEADER <= segment.length) {
    const end = off + HEADER + segment.readUInt32LE(off);
    if (end > segment.length) break;
    n++;
    off = end;
  }
  return n;
}
