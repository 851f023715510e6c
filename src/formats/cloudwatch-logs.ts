/**
 * CloudWatch Logs subscription payloads (what a subscription filter delivers to Kinesis, Firehose or
 * Lambda): `{messageType, owner, logGroup, logStream, subscriptionFilters, logEvents: [{id, timestamp,
 * message}]}`, usually gzip-compressed and, in transit, base64-encoded. Pure decoding, no I/O: bytes or
 * text in (raw JSON, gzip, base64 of either), a typed payload out, or a CloudWatchLogsError saying why not.
 */
import { gunzipSync } from 'node:zlib';
import { Event, TIMESTAMP, VERSION } from '../event/event.js';
import { Timestamp } from '../event/timestamp.js';

export interface CloudWatchLogEvent {
  id: string;
  /** Milliseconds since the epoch. */
  timestamp: number;
  message: string;
}

export interface CloudWatchLogsPayload {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: CloudWatchLogEvent[];
}

export class CloudWatchLogsError extends Error {}

/** True when the bytes start with gzip's magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function gunzip(bytes: Buffer): Buffer {
  try { return gunzipSync(bytes); } catch (err) {
    throw new CloudWatchLogsError(`invalid gzip data: ${(err as Error).message}`);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Strict base64 (standard alphabet, padding optional, whitespace ignored); undefined when it is not. */
export function decodeBase64(text: string): Buffer | undefined {
  const t = text.replace(/\s+/g, '');
  if (t.length === 0 || !BASE64.test(t) || t.length % 4 === 1) return undefined;
  return Buffer.from(t, 'base64');
}

/**
 * The payload's JSON text: gzip is undone (detected by its magic bytes), base64 is undone when the data is
 * not JSON already (at most once, so a random string cannot loop).
 */
export function payloadText(data: Buffer | string): string {
  let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  for (let pass = 0; pass < 2; pass++) {
    if (isGzip(bytes)) bytes = gunzip(bytes);
    const text = bytes.toString('utf8').trim();
    if (text.startsWith('{')) return text;
    if (pass === 1) break;
    const decoded = decodeBase64(text);
    if (!decoded) throw new CloudWatchLogsError('neither JSON, gzip nor base64');
    bytes = decoded;
  }
  throw new CloudWatchLogsError('not a CloudWatch Logs payload (no JSON object after decoding)');
}

/** Whether a parsed JSON value has the shape of a subscription payload. */
export function looksLikePayload(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    && typeof (v as Record<string, unknown>).messageType === 'string' && Array.isArray((v as Record<string, unknown>).logEvents);
}

/** Validate a parsed JSON value as a subscription payload. */
export function toPayload(v: unknown): CloudWatchLogsPayload {
  if (!looksLikePayload(v)) throw new CloudWatchLogsError('not a CloudWatch Logs payload (messageType and logEvents expected)');
  const o = v as Record<string, unknown>;
  const type = o.messageType;
  if (type !== 'DATA_MESSAGE' && type !== 'CONTROL_MESSAGE') throw new CloudWatchLogsError(`unknown messageType ${JSON.stringify(type)}`);
  const str = (k: string): string => (typeof o[k] === 'string' ? o[k] as string : '');
  const filters = Array.isArray(o.subscriptionFilters) ? (o.subscriptionFilters as unknown[]).map(String) : [];
  const events = (o.logEvents as unknown[]).map((e, i): CloudWatchLogEvent => {
    if (typeof e !== 'object' || e === null) throw new CloudWatchLogsError(`logEvents[${i}] is not an object`);
    const r = e as Record<string, unknown>;
    const ts = typeof r.timestamp === 'number' ? r.timestamp : Number(r.timestamp);
    if (!Number.isFinite(ts)) throw new CloudWatchLogsError(`logEvents[${i}].timestamp is not a number`);
    if (typeof r.message !== 'string') throw new CloudWatchLogsError(`logEvents[${i}].message is not a string`);
    return { id: r.id === undefined ? '' : String(r.id), timestamp: ts, message: r.message };
  });
  return { messageType: type, owner: str('owner'), logGroup: str('logGroup'), logStream: str('logStream'), subscriptionFilters: filters, logEvents: events };
}

/** Decode a payload from raw JSON, gzip, or base64 of either. */
export function decodeCloudWatchLogs(data: Buffer | string): CloudWatchLogsPayload {
  const text = payloadText(data);
  let parsed: unknown;
  try { parsed = JSON.parse(text); } catch (err) {
    throw new CloudWatchLogsError(`invalid JSON: ${(err as Error).message}`);
  }
  return toPayload(parsed);
}

/**
 * One event per log event: `message`, `@timestamp` from the log event's milliseconds, `[event][id]`,
 * `[aws][cloudwatch][log_group|log_stream|subscription_filters]`, `[cloud][account][id]` (the owner).
 * A CONTROL_MESSAGE (CloudWatch checking that the destination is reachable) makes none.
 */
export function cloudWatchEvents(p: CloudWatchLogsPayload): Event[] {
  if (p.messageType === 'CONTROL_MESSAGE') return [];
  return p.logEvents.map((e) => new Event({
    [TIMESTAMP]: new Timestamp(e.timestamp),
    message: e.message,
    [VERSION]: '1',
    event: { id: e.id },
    aws: { cloudwatch: { log_group: p.logGroup, log_stream: p.logStream, subscription_filters: [...p.subscriptionFilters] } },
    cloud: { account: { id: p.owner } },
  }));
}
