/**
 * statsd: sends metrics built from each event to a statsd server, as logstash-output-statsd 3.2 with
 * statsd-ruby 1.4.0. Each metric is one message `namespace.sender.metric:value|type[|@rate]`:
 * - `namespace` (sprintf; no prefix when empty) is used as it is; in `sender` (sprintf, default `%{host}`)
 *   `::` becomes `.`, then `:`, `|`, `@` and `.` become `_`; in a metric name (sprintf) `::` becomes `.`
 *   and `:`, `|`, `@` become `_`;
 * - `increment` sends `1|c`, `decrement` `-1|c`, `count` `<value>|c`, `timing` `<value>|ms`, `set`
 *   `<value>|s`, `gauge` `<value>|g`, in that order, values sprintf'd and sent as they are;
 * - with a `sample_rate` other than 1 a metric is sent with that probability, marked `|@<rate>`.
 * Over UDP each metric is one datagram; over TCP each is followed by a newline (sluice's addition:
 * statsd-ruby writes them back to back, which a statsd server cannot split). Send errors are logged,
 * never retried: metrics are best effort, as upstream.
 */
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { Event } from '../event/event.js';
import { toS } from '../event/ruby.js';
import { compileSprintf, type Formatter } from '../event/sprintf.js';
import { defineOutput } from '../plugins/api.js';
import type { ConfigValue } from '../plugins/options.js';

const RESERVED = /[:|@]/g;

/** upstream's build_stat: the sender and metric name parts of a metric path. */
export function buildStat(metric: string, sender: string): string {
  const s = sender.split('::').join('.').replace(RESERVED, '_').replaceAll('.', '_');
  const m = metric.split('::').join('.').replace(RESERVED, '_');
  return `${s}.${m}`;
}

interface Metric { name: Formatter; value: Formatter | string; type: 'c' | 'ms' | 's' | 'g' }

const valueFormatter = (v: ConfigValue): Formatter => compileSprintf(typeof v === 'string' ? v : toS(v as never));

export default defineOutput({
  name: 'statsd',
  doc: 'Sends counters, timings, sets and gauges built from events to a statsd server (UDP, or TCP).',
  options: {
    host: { type: 'string', default: 'localhost', doc: 'Host name or IP address of the statsd server.' },
    port: { type: 'number', default: 8125, doc: 'Port of the statsd server.' },
    protocol: { type: 'string', default: 'udp', values: ['udp', 'tcp'], doc: 'Protocol to the statsd server.' },
    namespace: { type: 'string', default: 'logstash', doc: 'First part of every metric path (sprintf allowed; empty: none).' },
    sender: { type: 'string', default: '%{host}', doc: 'Second part of every metric path (sprintf allowed); dots become underscores.' },
    increment: { type: 'array', default: [], doc: 'Metric names to increment by 1 (sprintf allowed).' },
    decrement: { type: 'array', default: [], doc: 'Metric names to decrement by 1 (sprintf allowed).' },
    count: { type: 'hash', default: {}, doc: '`metric_name => count` (sprintf allowed in both).' },
    timing: { type: 'hash', default: {}, doc: '`metric_name => duration` in ms (sprintf allowed in both).' },
    set: { type: 'hash', default: {}, doc: '`metric_name => value` to add to a set (sprintf allowed in both).' },
    gauge: { type: 'hash', default: {}, doc: '`metric_name => value` (sprintf allowed in both).' },
    sample_rate: { type: 'number', default: 1, doc: 'Probability with which each metric is sent; other than 1 it is sent along (`|@0.5`).' },
    codec: { type: 'codec', default: 'plain', doc: 'Accepted as in Logstash (default `plain`); not used.' },
  },
  create(options, ctx) {
    const metrics: Metric[] = [
      ...options.increment.map((n) => ({ name: compileSprintf(String(n)), value: '1', type: 'c' as const })),
      ...options.decrement.map((n) => ({ name: compileSprintf(String(n)), value: '-1', type: 'c' as const })),
      ...Object.entries(options.count).map(([n, v]) => ({ name: compileSprintf(n), value: valueFormatter(v), type: 'c' as const })),
      ...Object.entries(options.timing).map(([n, v]) => ({ name: compileSprintf(n), value: valueFormatter(v), type: 'ms' as const })),
      ...Object.entries(options.set).map(([n, v]) => ({ name: compileSprintf(n), value: valueFormatter(v), type: 's' as const })),
      ...Object.entries(options.gauge).map(([n, v]) => ({ name: compileSprintf(n), value: valueFormatter(v), type: 'g' as const })),
    ];
    const namespace = options.namespace === '' ? undefined : compileSprintf(options.namespace);
    const sender = compileSprintf(options.sender);
    const rate = options.sample_rate;
    const rateSuffix = rate === 1 ? '' : `|@${String(rate)}`;
    const failures = ctx.metrics.counter('failures');
    const warn = (what: string, err: Error): void => {
      failures.inc();
      ctx.logger.error(`Statsd: ${what}`, { host: options.host, port: options.port, exception: err.message });
    };

    const messages = (e: Event): string[] => {
      const prefix = namespace ? `${namespace(e)}.` : '';
      const who = sender(e);
      const out: string[] = [];
      for (const m of metrics) {
        if (rate !== 1 && !(Math.random() < rate)) continue;
        const value = typeof m.value === 'string' ? m.value : m.value(e);
        out.push(`${prefix}${buildStat(m.name(e), who)}:${value}|${m.type}${rateSuffix}`);
      }
      return out;
    };

    let send: (msg: string) => Promise<void>;
    let shutdown: () => Promise<void>;
    if (options.protocol === 'udp') {
      let socket: Promise<dgram.Socket> | undefined;
      const connect = async (): Promise<dgram.Socket> => {
        const { family } = await lookup(options.host);
        const s = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
        s.on('error', (err) => warn('socket error', err));
        s.unref();
        await new Promise<void>((resolve, reject) => {
          s.once('error', reject);
          s.connect(options.port, options.host, () => { s.off('error', reject); resolve(); });
        });
        return s;
      };
      send = async (msg) => {
        socket ??= connect();
        let s: dgram.Socket;
        try { s = await socket; } catch (err) { socket = undefined; warn('could not reach the server', err as Error); return; }
        await new Promise<void>((resolve) => { s.send(msg, (err) => { if (err) warn('send failed', err); resolve(); }); });
      };
      shutdown = async () => {
        const s = await socket?.catch(() => undefined);
        if (s) await new Promise<void>((r) => { try { s.close(() => r()); } catch { r(); } });
      };
    } else {
      let conn: net.Socket | undefined;
      let ready: Promise<net.Socket> | undefined;
      const connect = (): Promise<net.Socket> => new Promise((resolve, reject) => {
        const c = net.connect(options.port, options.host);
        c.once('connect', () => { c.off('error', reject); c.on('error', (err) => { warn('connection error', err); if (conn === c) { conn = undefined; ready = undefined; } }); conn = c; resolve(c); });
        c.once('error', reject);
        c.on('close', () => { if (conn === c) { conn = undefined; ready = undefined; } });
      });
      send = async (msg) => {
        ready ??= connect();
        let c: net.Socket;
        try { c = await ready; } catch (err) { ready = undefined; warn('could not connect', err as Error); return; }
        await new Promise<void>((resolve) => { c.write(msg + '\n', (err) => { if (err) warn('send failed', err); resolve(); }); });
      };
      shutdown = async () => {
        const c = conn;
        if (c) await new Promise<void>((r) => { c.end(() => r()); });
      };
    }

    return {
      async receive(events) {
        for (const e of events) {
          let list: string[];
          try { list = messages(e); } catch (err) { warn('could not build the metrics of an event', err as Error); continue; }
          for (const msg of list) await send(msg);
        }
      },
      close: () => shutdown(),
    };
  },
});
