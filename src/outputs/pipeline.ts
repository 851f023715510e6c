/**
 * The `pipeline` output: sends every event to the `pipeline` inputs listening on the `send_to` addresses
 * (a copy to each), waiting while a receiving pipeline is full and until its queue accepted them. With
 * `ensure_delivery` (the default) a receiver that is down holds this pipeline, retried until it comes
 * back; without it the events for that address are dropped with a warning, as Logstash does.
 */
import type { Event } from '../event/event.js';
import { defineOutput, PluginConfigError } from '../plugins/api.js';

export default defineOutput({
  name: 'pipeline',
  doc: 'Sends events to the `pipeline` inputs of other pipelines of this process, by virtual address.',
  options: {
    send_to: { type: 'array', required: true, doc: 'Virtual addresses to send every event to.' },
    ensure_delivery: { type: 'boolean', default: true, doc: 'Wait (and retry) while a receiving pipeline is down instead of dropping its events.' },
  },
  create(options, ctx) {
    const bus = ctx.bus;
    if (!bus) throw new PluginConfigError('pipeline-to-pipeline communication needs the sluice runtime', 'send_to');
    const addresses = options.send_to.map(String);
    const warned = new Set<string>();
    // Addresses a batch already reached, across the retries of that batch (keyed by its first event): a
    // retry goes only to the addresses still missing, never twice to one.
    const reached = new WeakMap<Event, Set<string>>();
    return {
      // A receiver that is down is not an error of the events: retry soon, and keep retrying.
      retryPolicy: { initialMs: 250, maxMs: 5000 },
      async receive(events) {
        const key = events[0]!;
        const done = reached.get(key) ?? new Set<string>();
        reached.set(key, done);
        const missing: string[] = [];
        for (const address of addresses) {
          if (done.has(address)) continue;
          // The receiving pipeline gets its own copies: the sender's other outputs may still be reading these.
          const copies: Event[] = events.map((e) => e.clone());
          if (await bus.send(address, copies)) done.add(address);
          else missing.push(address);
        }
        if (missing.length === 0) { reached.delete(key); return; }
        if (!options.ensure_delivery) {
          reached.delete(key);
          for (const a of missing) if (!warned.has(a)) { warned.add(a); ctx.logger.warn(`Attempted to send events to '${a}' but that address was unavailable; ensure_delivery is false, so they are dropped`); }
          return missing.length === addresses.length ? { dropped: events.map((_, i) => i) } : {};
        }
        ctx.logger.warn(`Attempted to send event to '${missing.join(', ')}' but that address was unavailable. Maybe the destination pipeline is down or stopping? Will Retry.`);
        throw new Error(`address ${missing.join(', ')} unavailable`);
      },
    };
  },
});
