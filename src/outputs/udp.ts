/**
 * udp: sends each event as one datagram to `host:port`, encoded by the codec (default `json`). A send that
 * fails is retried `retry_count` times, `retry_backoff_ms` apart, then the event is given up with a warning,
 * as in Logstash (UDP has no delivery guarantee to wait for).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { defineOutput } from '../plugins/api.js';

export default defineOutput({
  name: 'udp',
  doc: 'Sends each event as one UDP datagram to `host:port` (codec default `json`).',
  options: {
    host: { type: 'string', required: true, doc: 'Host to send to.' },
    port: { type: 'number', required: true, doc: 'Port to send to.' },
    codec: { type: 'codec', default: 'json', doc: 'Codec encoding each event (default `json`).' },
    retry_count: { type: 'number', default: 0, doc: 'Times a failed send is retried.' },
    retry_backoff_ms: { type: 'number', default: 10, doc: 'Milliseconds between retries of a failed send.' },
  },
  create(options, ctx) {
    const socket = dgram.createSocket(net.isIPv6(options.host) ? 'udp6' : 'udp4');
    socket.on('error', (err) => { ctx.logger.warn(`udp output ${ctx.id}: socket error`, { error: err.message }); });
    socket.unref();
    const failures = ctx.metrics.counter('failures');
    const sendOne = (data: Buffer): Promise<Error | null> => new Promise((resolve) => {
      socket.send(data, options.port, options.host, (err) => resolve(err ?? null));
    });
    return {
      async receive(events) {
        const dropped: number[] = [];
        for (let i = 0; i < events.length; i++) {
          const enc = options.codec.encode(events[i]!);
          const data = typeof enc === 'string' ? Buffer.from(enc) : enc;
          let err = await sendOne(data);
          for (let t = 0; err && t < options.retry_count; t++) {
            await new Promise((r) => setTimeout(r, options.retry_backoff_ms));
            err = await sendOne(data);
          }
          if (err) {
            failures.inc();
            ctx.logger.warn(`udp output ${ctx.id}: Failed to send event`, { error: err.message, host: options.host, port: options.port });
            dropped.push(i);
          }
        }
        return dropped.length ? { dropped } : undefined;
      },
      close() { return new Promise<void>((r) => { try { socket.close(() => r()); } catch { r(); } }); },
    };
  },
});
