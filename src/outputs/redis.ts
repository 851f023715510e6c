/**
 * The `redis` output (logstash-output-redis 5.x): each event, encoded by the codec (default `json`), is
 * RPUSHed to a list or PUBLISHed to a channel; `key` is sprintf'd per event. With `batch`, one RPUSH
 * carries up to `batch_events` values of a key (the pipeline's batch is already the buffer, so
 * `batch_timeout` has nothing to wait for). `congestion_threshold` holds the output, checking every
 * `congestion_interval` seconds, while the list is longer than that. `host` entries may be `host` or
 * `host:port`; with `shuffle_hosts` the order is shuffled at start, and a failing server makes the next
 * try use the next host. A failed write is retried by the pipeline (the whole batch: at least once).
 */
import { Redis } from 'ioredis';
import type { Event } from '../event/event.js';
import { compileSprintf } from '../event/sprintf.js';
import { defineOutput } from '../plugins/api.js';
import { secretValue } from '../io/tls.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export default defineOutput({
  name: 'redis',
  doc: 'Sends events to Redis: RPUSH to a list (for indexers to share) or PUBLISH to a channel.',
  options: {
    codec: { type: 'codec', default: 'json', doc: 'Codec encoding each event (default `json`).' },
    host: { type: 'array', default: ['127.0.0.1'], doc: 'Redis servers, `host` or `host:port`; one is used at a time.' },
    shuffle_hosts: { type: 'boolean', default: true, doc: 'Shuffle `host` at start.' },
    port: { type: 'number', default: 6379, doc: 'The port of hosts given without one.' },
    db: { type: 'number', default: 0, doc: 'The Redis database number.' },
    timeout: { type: 'number', default: 5, doc: 'Connection timeout, in seconds.' },
    password: { type: 'password', doc: 'Password to authenticate with.' },
    key: { type: 'string', required: true, doc: 'The list or channel (sprintf).' },
    data_type: { type: 'string', values: ['list', 'channel'], required: true, doc: '`list` (RPUSH) or `channel` (PUBLISH).' },
    batch: { type: 'boolean', default: false, doc: 'RPUSH several values per command (lists only).' },
    batch_events: { type: 'number', default: 50, doc: 'Most values in one batched RPUSH.' },
    batch_timeout: { type: 'number', default: 5, doc: 'Accepted; the pipeline\'s batches are pushed at once.' },
    reconnect_interval: { type: 'number', default: 1, doc: 'Seconds to wait before retrying after a failed write.' },
    congestion_threshold: { type: 'number', default: 0, doc: 'Hold the output while the list is longer than this (0: never).' },
    congestion_interval: { type: 'number', default: 1, doc: 'Seconds between congestion checks of a key.' },
    ssl_enabled: { type: 'boolean', default: false, doc: 'Connect with TLS.' },
    ssl_verification_mode: { type: 'string', values: ['full', 'none'], default: 'full', doc: 'Verify the server certificate (`full`) or not.' },
  },
  create(options, ctx) {
    const hosts = options.host.map((h) => {
      const text = String(h);
      const m = /^(.*):(\d+)$/.exec(text);
      return m ? { host: m[1]!, port: Number(m[2]) } : { host: text, port: options.port };
    });
    if (options.shuffle_hosts) {
      for (let i = hosts.length - 1; i > 0; i--) { const j = Math.floor(Math.random() * (i + 1)); [hosts[i], hosts[j]] = [hosts[j]!, hosts[i]!]; }
    }
    const password = secretValue(options.password);
    const key = compileSprintf(options.key);
    const codec = options.codec;
    let current = 0;
    let client: Redis | undefined;
    const connect = (): Redis => {
      if (client) return client;
      const h = hosts[current % hosts.length]!;
      const r = new Redis({
        host: h.host, port: h.port, db: options.db, connectTimeout: options.timeout * 1000, maxRetriesPerRequest: 1,
        ...(password !== undefined ? { password } : {}),
        ...(options.ssl_enabled ? { tls: { rejectUnauthorized: options.ssl_verification_mode === 'full' } } : {}),
        retryStrategy: () => null,
      });
      r.on('error', (err: Error) => { ctx.logger.warn('Failed to send event to Redis', { identity: `redis://${h.host}:${h.port}/${options.db} ${options.data_type}:${options.key}`, error: err.message }); });
      client = r;
      return r;
    };
    const lastCheck = new Map<string, number>();
    const congestion = async (r: Redis, k: string): Promise<void> => {
      if (options.congestion_threshold === 0) return;
      const now = Date.now();
      if (now - (lastCheck.get(k) ?? 0) < options.congestion_interval * 1000) return;
      while (await r.llen(k) > options.congestion_threshold) {
        ctx.logger.warn(`Redis key size has hit a congestion threshold ${options.congestion_threshold} suspending output for ${options.congestion_interval} seconds`);
        await sleep(options.congestion_interval * 1000);
      }
      lastCheck.set(k, Date.now());
    };
    const encode = (e: Event): string => { const v = codec.encode(e); return typeof v === 'string' ? v : v.toString('utf8'); };
    return {
      async receive(events) {
        const r = connect();
        try {
          if (options.data_type === 'channel') {
            const p = r.pipeline();
            for (const e of events) p.publish(key(e), encode(e));
            const res = await p.exec();
            const failed = res?.find(([err]) => err);
            if (failed) throw failed[0]!;
            return;
          }
          // Group by key, keeping the order of each key's events.
          const byKey = new Map<string, string[]>();
          for (const e of events) {
            const k = key(e);
            let list = byKey.get(k);
            if (!list) byKey.set(k, list = []);
            list.push(encode(e));
          }
          for (const [k, values] of byKey) {
            await congestion(r, k);
            const size = options.batch ? Math.max(1, options.batch_events) : 1;
            const p = r.pipeline();
            for (let i = 0; i < values.length; i += size) p.rpush(k, ...values.slice(i, i + size));
            const res = await p.exec();
            const failed = res?.find(([err]) => err);
            if (failed) throw failed[0]!;
          }
        } catch (err) {
          // The next try goes to the next host, after reconnect_interval.
          client = undefined;
          r.disconnect();
          current++;
          await sleep(options.reconnect_interval * 1000);
          throw err;
        }
      },
      async close() { if (client) await client.quit().catch(() => client?.disconnect()); },
    };
  },
});
