/**
 * Delivering a batch to one output under the output contract (src/plugins/api.ts): the output says what
 * became of each event — written, retry later, rejected for good, dropped on purpose — and this loop
 * resends only what is retryable, with Logstash's exponential back-off (retry_initial_interval 2 s doubling
 * to retry_max_interval 64 s), for as long as it takes. Meanwhile the batch is not done, so the pipeline's
 * workers are busy and the queue fills: the inputs are held back, nothing is buffered without bound and
 * nothing is dropped. A thrown error means nothing of the attempt was delivered: all of it is retried.
 *
 * The wait between attempts ends early when `signal` is aborted (a persisted queue keeps the batch for the
 * next start, or the user insists on stopping); what was not delivered is then reported `unfinished`.
 */
import type { Event } from '../event/event.js';
import type { DeliveryReport, OutputInstance, RetryPolicy } from '../plugins/api.js';
import type { Logger } from '../services/logger.js';
import type { PluginStats } from '../services/metrics.js';

export const DEFAULT_RETRY: RetryPolicy = { initialMs: 2000, maxMs: 64_000 };

export interface Rejected { event: Event; reason: string }

export interface DeliveryOutcome {
  written: number;
  rejected: Rejected[];
  dropped: number;
  /** Events still not delivered when the signal stopped the retries. */
  unfinished: Event[];
}

/** What the pipeline shows while an output is retrying (the shutdown watcher reports it). */
export interface RetryState {
  output: string;
  events: number;
  attempt: number;
  lastError: string;
}

export interface DeliverOptions {
  output: OutputInstance;
  id: string;
  name: string;
  stats: PluginStats;
  logger: Logger;
  signal: AbortSignal;
  /** Called while this delivery waits to retry, and with undefined once it is done. */
  onRetry?: (state: RetryState | undefined) => void;
}

/** Resolves after `ms`, or at once when the signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function validIndices(list: readonly number[] | undefined, n: number): number[] {
  if (!list) return [];
  return [...new Set(list)].filter((i) => Number.isInteger(i) && i >= 0 && i < n).sort((a, b) => a - b);
}

export async function deliver(events: readonly Event[], o: DeliverOptions): Promise<DeliveryOutcome> {
  const outcome: DeliveryOutcome = { written: 0, rejected: [], dropped: 0, unfinished: [] };
  if (events.length === 0) return outcome;
  const policy = o.output.retryPolicy ?? DEFAULT_RETRY;
  let pending: readonly Event[] = events;
  let wait = policy.initialMs;
  o.stats.events.in.inc(events.length);
  const t0 = performance.now();
  try {
    for (let attempt = 0; ; attempt++) {
      let report: DeliveryReport | void = undefined;
      let failure: string | undefined;
      try {
        report = await o.output.receive(pending, { signal: o.signal, attempt });
      } catch (err) {
        failure = err instanceof Error ? err.message : String(err);
      }
      let retry: Event[];
      if (failure !== undefined) {
        retry = [...pending];
      } else {
        const n = pending.length;
        const retryIdx = validIndices(report?.retry, n);
        const dropIdx = validIndices(report?.dropped, n);
        const rejected = (report?.rejected ?? []).filter((r) => Number.isInteger(r.index) && r.index >= 0 && r.index < n);
        const settled = new Set<number>([...retryIdx, ...dropIdx, ...rejected.map((r) => r.index)]);
        retry = retryIdx.map((i) => pending[i]!);
        for (const r of rejected) if (!retryIdx.includes(r.index)) outcome.rejected.push({ event: pending[r.index]!, reason: r.reason });
        outcome.dropped += dropIdx.filter((i) => !retryIdx.includes(i)).length;
        outcome.written += n - settled.size;
        failure = retry.length > 0 ? `${retry.length} of ${n} events were not accepted` : undefined;
      }
      if (retry.length === 0) break;
      if (o.signal.aborted) { outcome.unfinished = retry; break; }
      o.onRetry?.({ output: o.id, events: retry.length, attempt: attempt + 1, lastError: failure ?? '' });
      o.logger.warn(`output ${o.id} (${o.name}): ${failure}; retrying ${retry.length} events in ${Math.round(wait / 1000)}s`, { attempt: attempt + 1 });
      await pause(wait, o.signal);
      wait = Math.min(wait * 2, policy.maxMs);
      if (o.signal.aborted) { outcome.unfinished = retry; break; }
      pending = retry;
    }
  } finally {
    o.onRetry?.(undefined);
    o.stats.events.out.inc(outcome.written);
    o.stats.events.duration_in_millis.inc(performance.now() - t0);
  }
  return outcome;
}

/**
 * Deliver a batch a worker thread has already encoded for this output (`receiveEncoded`): all or nothing,
 * so a failure retries the same bytes with the same back-off as `deliver`, for as long as it takes.
 */
export async function deliverEncoded(payload: string | Buffer, count: number, o: DeliverOptions): Promise<{ written: number; unfinished: boolean }> {
  const receive = o.output.receiveEncoded;
  if (count === 0 || !receive) return { written: 0, unfinished: false };
  const policy = o.output.retryPolicy ?? DEFAULT_RETRY;
  let wait = policy.initialMs;
  o.stats.events.in.inc(count);
  const t0 = performance.now();
  let written = 0;
  try {
    for (let attempt = 0; ; attempt++) {
      let failure: string | undefined;
      try { await receive.call(o.output, payload, { signal: o.signal, attempt }); } catch (err) { failure = err instanceof Error ? err.message : String(err); }
      if (failure === undefined) { written = count; return { written, unfinished: false }; }
      if (o.signal.aborted) return { written, unfinished: true };
      o.onRetry?.({ output: o.id, events: count, attempt: attempt + 1, lastError: failure });
      o.logger.warn(`output ${o.id} (${o.name}): ${failure}; retrying ${count} events in ${Math.round(wait / 1000)}s`, { attempt: attempt + 1 });
      await pause(wait, o.signal);
      wait = Math.min(wait * 2, policy.maxMs);
      if (o.signal.aborted) return { written, unfinished: true };
    }
  } finally {
    o.onRetry?.(undefined);
    o.stats.events.out.inc(written);
    o.stats.events.duration_in_millis.inc(performance.now() - t0);
  }
}
