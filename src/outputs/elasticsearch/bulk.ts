/**
 * The bulk-API half shared by the elasticsearch output and the opensearch output (logstash-output-opensearch
 * is a fork of logstash-output-elasticsearch speaking the same `_bulk` API, so common.rb's submit loop is the
 * same in both): action lines for one event, a batch cut into requests of at most `targetBytes`, gzip, and
 * the per-item verdicts. Per item: 200/201 written; 409 logged, counted and dropped; the DLQ codes (400, 404,
 * plus the output's own) rejected for good; anything else (429, 5xx) retried alone. A request that fails as
 * a whole (connection error, any non-200) has its events retried; those of requests that succeeded are not
 * resent. Everything specific to one product (options, version check, templates, data streams) stays in
 * the output itself.
 */
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import type { Event } from '../../event/event.js';
import type { Counter, DeliveryReport, Logger, PluginMetrics, Rejection } from '../../plugins/api.js';
import { ConnectionError, type HostPool } from './hosts.js';

const gzip = promisify(gzipCb);

export const VALID_ACTIONS = new Set(['index', 'create', 'update', 'delete']);
export const SUCCESS = new Set([200, 201]);
export const CONFLICT = 409;
export const DLQ_CODES = [400, 404];

export interface BulkMetrics {
  successes: Counter; conflicts: Counter; dlq: Counter; retryable: Counter;
  bulkErrors: Counter; bulkOk: Counter; withErrors: Counter;
}

/** The counters Logstash's outputs keep under `documents.*` and `bulk_requests.*`. */
export function bulkMetrics(metrics: PluginMetrics): BulkMetrics {
  return {
    successes: metrics.counter('documents.successes'),
    conflicts: metrics.counter('documents.non_retryable_failures'),
    dlq: metrics.counter('documents.dlq_routed'),
    retryable: metrics.counter('documents.retryable_failures'),
    bulkErrors: metrics.counter('bulk_requests.failures'),
    bulkOk: metrics.counter('bulk_requests.successes'),
    withErrors: metrics.counter('bulk_requests.with_errors'),
  };
}

/** One event as bulk lines (action line, then the source unless `delete`), or why it cannot be sent. */
export type ActionResult = { line: string } | { reason: string };

/**
 * Makes action lines. The action line is the same for every event when nothing in it varies: made once
 * per index name and cached.
 */
export function headLines(): (action: string, params: Record<string, unknown>) => string {
  const cache = new Map<string, string>();
  return (action, params) => {
    const keys = Object.keys(params);
    if (keys.length === 1 && typeof params._index === 'string') {
      const key = `${action}\u0000${params._index}`;
      let h = cache.get(key);
      if (h === undefined) {
        h = `{${JSON.stringify(action)}:${JSON.stringify(params)}}\n`;
        if (cache.size > 1000) cache.clear();
        cache.set(key, h);
      }
      return h;
    }
    return `{${JSON.stringify(action)}:${JSON.stringify(params)}}\n`;
  };
}

/**
 * The lines of one action from its action line and its source JSON: nothing more for `delete`, the
 * `{"doc":…}` body for `update` (with `doc_as_upsert`, or `upsert` JSON when not empty), else the source.
 */
export function actionLines(head: string, action: string, doc: () => string, update: { docAsUpsert: boolean; upsert: string | undefined }): ActionResult {
  if (action === 'delete') return { line: head };
  const source = doc();
  if (action === 'update') {
    let body = `{"doc":${source}`;
    if (update.docAsUpsert) body += ',"doc_as_upsert":true';
    else if (update.upsert !== undefined && update.upsert !== '') {
      try { body += `,"upsert":${JSON.stringify(JSON.parse(update.upsert))}`; } catch { return { reason: `upsert is not valid JSON: ${update.upsert.slice(0, 200)}` }; }
    }
    return { line: `${head}${body}}\n` };
  }
  return { line: `${head}${source}\n` };
}

export interface BulkWriterOptions {
  pool: HostPool;
  /** `elasticsearch output <id>`: the prefix of log lines. */
  label: string;
  /** `Elasticsearch` or `OpenSearch`, as the plugin's messages name the server. */
  product: string;
  logger: Logger;
  metrics: BulkMetrics;
  /** Uncompressed size above which a batch is split into several bulk requests. */
  targetBytes: number;
  /** Gzip level of bodies; 0 sends them uncompressed. */
  level: number;
  bulkPath: string;
  dlqCodes: ReadonlySet<number>;
  /** Error types not logged. */
  silenced: ReadonlySet<string>;
  toAction(event: Event): ActionResult;
  /** Run before each batch: resolves once the output's start-up against the cluster is done. */
  ensureSetup(): Promise<void>;
}

interface Action { event: number; line: string; bytes: number }

/** The `receive` of a bulk output. */
export function bulkWriter(o: BulkWriterOptions): (events: readonly Event[], delivery: { signal: AbortSignal }) => Promise<DeliveryReport> {
  const { pool, label, product, logger, metrics, level, bulkPath, dlqCodes, silenced } = o;
  const targetBytes = Math.max(1, o.targetBytes);

  const send = async (actions: Action[], signal: AbortSignal): Promise<{ status: number; items?: unknown[]; error?: string }> => {
    const text = actions.length === 1 ? actions[0]!.line : actions.map((a) => a.line).join('');
    let body: Buffer | string = text;
    const extra: Record<string, string> = {};
    if (level > 0) { body = await gzip(text, { level }); extra['content-encoding'] = 'gzip'; }
    const res = await pool.request('POST', bulkPath, body, extra, signal);
    if (res.status !== 200) return { status: res.status, error: res.body.toString('utf8').slice(0, 500) };
    let parsed: { errors?: boolean; items?: unknown[] };
    try { parsed = JSON.parse(res.body.toString('utf8')) as typeof parsed; } catch { return { status: 200, error: 'bulk response is not JSON' }; }
    if (!parsed.errors) return { status: 200 };
    return { status: 200, items: parsed.items ?? [] };
  };

  return async (events, { signal }) => {
    await o.ensureSetup();
    const rejected: Rejection[] = [];
    const retry: number[] = [];
    const dropped: number[] = [];
    // Bulk requests of at most targetBytes (an action bigger than that alone in its own request).
    const requests: Action[][] = [];
    let current: Action[] = [];
    let size = 0;
    for (let i = 0; i < events.length; i++) {
      const a = o.toAction(events[i]!);
      if ('reason' in a) { rejected.push({ index: i, reason: a.reason }); logger.warn(`${label}: Could not index event to ${product}: ${a.reason}`); continue; }
      const bytes = Buffer.byteLength(a.line);
      if (current.length > 0 && size + bytes > targetBytes) { requests.push(current); current = []; size = 0; }
      current.push({ event: i, line: a.line, bytes });
      size += bytes;
    }
    if (current.length > 0) requests.push(current);
    let connectionFailure: string | undefined;
    for (const req of requests) {
      if (connectionFailure !== undefined) { for (const a of req) retry.push(a.event); continue; }
      let result;
      try {
        result = await send(req, signal);
      } catch (err) {
        if (!(err instanceof ConnectionError) && !signal.aborted) logger.error(`${label}: bulk request failed`, { error: err instanceof Error ? err.message : String(err) });
        connectionFailure = err instanceof Error ? err.message : String(err);
        logger.error(`${label}: Attempted to send a bulk request but ${product} appears to be unreachable or down`, { error: connectionFailure, events: req.length });
        metrics.bulkErrors.inc();
        for (const a of req) retry.push(a.event);
        continue;
      }
      if (result.status !== 200) {
        metrics.bulkErrors.inc();
        if (result.status === 429) logger.debug(`${label}: Encountered a retryable error (will retry with exponential backoff)`, { code: 429 });
        else logger.error(`${label}: Encountered a retryable error (will retry with exponential backoff)`, { code: result.status, response_body: result.error });
        for (const a of req) retry.push(a.event);
        continue;
      }
      metrics.bulkOk.inc();
      if (!result.items) { metrics.successes.inc(req.length); continue; }
      metrics.withErrors.inc();
      for (let k = 0; k < req.length; k++) {
        const a = req[k]!;
        const item = result.items[k];
        const props = isRecord(item) ? Object.values(item)[0] : undefined;
        const status = isRecord(props) && typeof props.status === 'number' ? props.status : undefined;
        const error = isRecord(props) ? props.error : undefined;
        const type = isRecord(error) && typeof error.type === 'string' ? error.type : undefined;
        const loggable = !type || !silenced.has(type);
        if (status !== undefined && SUCCESS.has(status)) { metrics.successes.inc(); continue; }
        if (status === CONFLICT) {
          metrics.conflicts.inc();
          dropped.push(a.event);
          if (loggable) logger.warn(`${label}: Failed action`, { status, action: a.line.slice(0, a.line.indexOf('\n')), error: JSON.stringify(error) });
          continue;
        }
        if (status !== undefined && dlqCodes.has(status)) {
          metrics.dlq.inc();
          rejected.push({ index: a.event, reason: `Could not index event to ${product}. status: ${status}, action: ${a.line.slice(0, a.line.indexOf('\n'))}, response: ${JSON.stringify(item)}` });
          continue;
        }
        metrics.retryable.inc();
        if (loggable) logger.info(`${label}: Retrying failed action`, { status: status ?? 'missing', error: JSON.stringify(error) });
        retry.push(a.event);
      }
    }
    return {
      ...(retry.length > 0 ? { retry } : {}),
      ...(rejected.length > 0 ? { rejected } : {}),
      ...(dropped.length > 0 ? { dropped } : {}),
    };
  };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
