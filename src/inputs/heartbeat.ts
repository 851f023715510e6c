/**
 * heartbeat: one event every `interval` seconds (Logstash's logstash-input-heartbeat 3.1). The event has
 * `message` (default `ok`) and the host name (`host`, or `[host][name]` with ECS); with `sequence => epoch`
 * the current UNIX time, with `sequence => sequence` a counter from 1, in `clock` (ECS disabled) or
 * `[event][sequence]` (ECS). With ECS disabled and no `sequence`, `message => epoch|sequence` still selects
 * the sequence (the deprecated magic values) and the event then has no `message`. `count` (-1 = forever)
 * stops the input after that many events.
 */
import { hostname } from 'node:os';
import { Event } from '../event/event.js';
import { defineInput } from '../plugins/api.js';
import { fieldStamper } from '../plugins/stamp.js';

export default defineInput({
  name: 'heartbeat',
  doc: 'Generates a heartbeat event every `interval` seconds (a fixed message, the epoch or a sequence number), to check that a pipeline is alive.',
  options: {
    codec: { type: 'codec', default: 'plain', doc: 'Accepted as in Logstash (default `plain`); heartbeat events are built directly, not decoded.' },
    message: { type: 'string', default: 'ok', doc: 'The `message` of each event. With ECS disabled and no `sequence`, `epoch` or `sequence` select the sequence type instead (deprecated).' },
    interval: { type: 'number', default: 60, doc: 'Seconds between events.' },
    count: { type: 'number', default: -1, doc: 'How many events to generate before the input stops; -1 means without end.' },
    sequence: { type: 'string', values: ['none', 'epoch', 'sequence'], doc: 'What goes into `clock` / `[event][sequence]`: nothing, the UNIX time in seconds, or a counter from 1.' },
    threads: { type: 'number', default: 1, doc: 'Accepted for compatibility; one producer generates the events.' },
  },
  create(options, ctx) {
    const legacy = ctx.ecs === 'disabled';
    const seqField = legacy ? 'clock' : '[event][sequence]';
    const hostField = legacy ? 'host' : '[host][name]';
    let sequence = options.sequence;
    let message: string | undefined = options.message;
    if (sequence === undefined && (message === 'epoch' || message === 'sequence')) {
      if (legacy) {
        ctx.logger.warn('heartbeat input: magic values of `message` to specify sequence type are deprecated; use separate `sequence` option instead.');
        sequence = message;
        message = undefined;
      } else {
        ctx.logger.warn('heartbeat input: message contains sequence type specification (epoch|sequence) for this purpose use the sequence option');
      }
    }
    const mode = sequence ?? 'none';
    const host = hostname();
    const stamp = fieldStamper(ctx.logger);
    const intervalMs = Math.max(0, options.interval * 1000);
    let stopped = false;
    let wake: (() => void) | undefined;
    return {
      async run(sink) {
        let n = 0;
        while (!stopped && !sink.stopping) {
          const start = Date.now();
          n++;
          const e = new Event(mode === 'none' || message !== undefined ? { message: message ?? '' } : {});
          if (mode !== 'none') e.set(seqField, mode === 'epoch' ? Math.floor(Date.now() / 1000) : n);
          stamp(e, hostField, host, true);
          if (!sink.push(e)) await sink.drained();
          if (n === options.count || stopped) return;
          const wait = intervalMs - (Date.now() - start);
          if (wait > 0) await new Promise<void>((r) => { const t = setTimeout(r, wait); wake = () => { clearTimeout(t); r(); }; });
          else await new Promise((r) => setImmediate(r));
        }
      },
      stop() { stopped = true; wake?.(); },
    };
  },
});
