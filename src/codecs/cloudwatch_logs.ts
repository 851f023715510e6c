/**
 * cloudwatch_logs: decodes CloudWatch Logs subscription payloads (`{messageType, owner, logGroup, logStream,
 * subscriptionFilters, logEvents}`) as raw JSON, gzip, or base64 of either, into one event per log event
 * (`message`, `@timestamp` from the log event, `[event][id]`, `[aws][cloudwatch][log_group]`,
 * `[aws][cloudwatch][log_stream]`, `[aws][cloudwatch][subscription_filters]`, `[cloud][account][id]`).
 * A CONTROL_MESSAGE makes no event (counted as `control_messages`). A frame (an HTTP body) is one payload;
 * a stream (stdin, a file) holds one payload per line. A payload that cannot be decoded becomes an event with
 * the text in `message`, tagged `_cloudwatchlogsparsefailure`. Encoding writes the event as JSON.
 */
import type { Event } from '../event/event.js';
import { CloudWatchLogsError, cloudWatchEvents, decodeCloudWatchLogs, isGzip } from '../formats/cloudwatch-logs.js';
import { defineCodec } from '../plugins/api.js';
import { asBytes, lineDecoder, messageEvent } from './_text.js';

export const CLOUDWATCH_FAILURE_TAG = '_cloudwatchlogsparsefailure';

export default defineCodec({
  name: 'cloudwatch_logs',
  doc: 'CloudWatch Logs subscription payloads (JSON, gzip or base64) to one event per log event; control messages skipped.',
  options: {},
  check: 'create',
  create(_options, ctx) {
    const control = ctx.metrics.counter('control_messages');
    const failures = ctx.metrics.counter('failures');
    const decode = (data: Buffer | string, emit: (e: Event) => void): void => {
      let events: Event[];
      try {
        const payload = decodeCloudWatchLogs(data);
        if (payload.messageType === 'CONTROL_MESSAGE') { control.inc(); return; }
        events = cloudWatchEvents(payload);
      } catch (err) {
        if (!(err instanceof CloudWatchLogsError)) throw err;
        failures.inc();
        const bytes = asBytes(data);
        const e = messageEvent(isGzip(bytes) ? bytes.toString('base64') : bytes.toString('utf8'));
        e.tag(CLOUDWATCH_FAILURE_TAG);
        ctx.logger.warn('cloudwatch_logs codec: cannot decode a payload', { reason: err.message });
        emit(e);
        return;
      }
      for (const e of events) emit(e);
    };
    return {
      decoder(emit, stream) {
        return lineDecoder({
          delimiter: '\n', convert: (b) => b.toString('utf8'), emit, stream,
          onLine: (text, out) => { if (text.trim() !== '') decode(text, out); },
        });
      },
      decodeFrame(frame, emit) { decode(frame, emit); },
      encode: (event) => event.toJSON(),
    };
  },
});
