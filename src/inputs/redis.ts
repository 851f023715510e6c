/**
 * The `redis` input (logstash-input-redis 3.7): reads from a Redis list (work shared between readers),
 * a channel or a pattern channel (broadcast), decoding each value with the codec (default `json`).
 *
 * Lists: with `batch_count` > 1 each read is one `LPOP key count` (atomic; Redis ≥ 6.2) and, when the
 * list is empty, a `BLPOP` waiting at most a second; with `batch_count => 1` a `BLPOP` per value. Each of
 * `threads` readers has its own connection. As in Logstash, a popped value is gone from Redis: values
 * popped but not yet through the pipeline are lost if the process dies.
 *
 * Beyond Logstash, `reliable => true` keeps them: values are moved (`LMOVE`) into a processing list of
 * this reader (`processing_key`, default `<key>:processing:<id>:<thread>`), and removed from it only once
 * the pipeline's queue accepted their events (with `queue.type: persisted`, once on disk). At start, what
 * a previous run left in its processing list is read first. Delivery is then at least once.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Event } from '../event/event.js';
import { defineInput, type CodecInstance, type InputInstance, type InputSink, type Logger, type PluginContext } from '../plugins/api.js';
import { secretValue } from '../io/tls.js';

const OPTIONS = {
  codec: { type: 'codec', default: 'json', doc: 'Codec decoding each value (default `json`).' },
  host: { type: 'string', default: '127.0.0.1', doc: 'The Redis server\'s address.' },
  port: { type: 'number', default: 6379, doc: 'The Redis server\'s port.' },
  path: { type: 'string', doc: 'A Unix socket path, instead of `host` and `port`.' },
  ssl: { type: 'boolean', default: false, doc: 'Connect with TLS.' },
  db: { type: 'number', default: 0, doc: 'The Redis database number.' },
  timeout: { type: 'number', default: 5, doc: 'Connection timeout, in seconds.' },
  password: { type: 'password', doc: 'Password to authenticate with.' },
  key: { type: 'string', required: true, doc: 'The list, channel or channel pattern to read.' },
  data_type: { type: 'string', values: ['list', 'channel', 'pattern_channel'], required: true, doc: '`list` (LPOP, work shared between readers), `channel` (SUBSCRIBE) or `pattern_channel` (PSUBSCRIBE).' },
  batch_count: { type: 'number', default: 125, doc: 'How many values one list read takes.' },
  threads: { type: 'number', default: 1, doc: 'Readers, each with its own connection (lists).' },
  reliable: { type: 'boolean', default: false, doc: 'Not in Logstash: move values into a processing list (LMOVE) and remove them only once the queue accepted their events; recovered at start.' },
  processing_key: { type: 'string', doc: 'With `reliable`: the processing list (default `<key>:processing:<id>`, with `:<thread>` appended).' },
} as const;

interface Conf {
  redis: RedisOptions;
  key: string;
  dataType: 'list' | 'channel' | 'pattern_channel';
  batch: number;
  threads: number;
  reliable: boolean;
  processingKey: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

class RedisInput implements InputInstance {
  readonly #c: Conf;
  readonly #codec: CodecInstance;
  readonly #log: Logger;
  readonly #clients = new Set<Redis>();
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(c: Conf, codec: CodecInstance, ctx: PluginContext) {
    this.#c = c;
    this.#codec = codec;
    this.#log = ctx.logger;
  }

  #client(): Redis {
    const r = new Redis({ ...this.#c.redis, maxRetriesPerRequest: null, retryStrategy: (n) => (this.#stopped ? null : Math.min(n * 200, 2000)) });
    r.on('error', (err: Error) => { if (!this.#stopped) this.#log.warn('redis input: connection error', { error: err.message }); });
    this.#clients.add(r);
    return r;
  }

  async run(sink: InputSink): Promise<void> {
    const c = this.#c;
    if (c.dataType === 'list') {
      await Promise.all(Array.from({ length: Math.max(1, c.threads) }, (_, t) => this.#listReader(sink, t)));
    } else {
      await this.#subscriber(sink);
    }
    await Promise.all([...this.#clients].map((r) => r.quit().catch(() => r.disconnect())));
  }

  stop(): void {
    this.#stopped = true;
    this.#wake?.();
    // A blocking pop returns within its 1 s timeout; subscribers end at once.
  }

  #decode(value: string, sink: InputSink, channel?: string): boolean {
    let room = true;
    const emit = (e: Event): void => {
      if (channel !== undefined) e.set('[@metadata][redis_channel]', channel);
      if (!sink.push(e)) room = false;
    };
    if (this.#codec.decodeFrame) this.#codec.decodeFrame(value, emit);
    else { const d = this.#codec.decoder(emit); d.push(value); d.end(); }
    return room;
  }

  async #listReader(sink: InputSink, thread: number): Promise<void> {
    const c = this.#c;
    const r = this.#client();
    const processing = `${c.processingKey}:${thread}`;
    if (c.reliable) {
      // What a previous run left unacknowledged goes through first.
      const left = await r.lrange(processing, 0, -1);
      if (left.length > 0) {
        this.#log.info('redis input: recovering values left in the processing list', { processing_key: processing, count: left.length });
        await this.#deliver(left, sink, r, processing);
      }
    }
    while (!this.#stopped && !sink.stopping) {
      let values: string[];
      try {
        values = c.reliable ? await this.#moveBatch(r, processing) : await this.#popBatch(r);
      } catch (err) {
        if (this.#stopped) break;
        this.#log.warn('redis input: read failed, retrying', { key: c.key, error: String(err) });
        await sleep(1000);
        continue;
      }
      if (values.length > 0) await this.#deliver(values, sink, r, c.reliable ? processing : undefined);
    }
  }

  async #deliver(values: string[], sink: InputSink, r: Redis, processing: string | undefined): Promise<void> {
    let room = true;
    for (const v of values) if (!this.#decode(v, sink)) room = false;
    if (processing !== undefined) {
      await sink.accepted();
      await r.ltrim(processing, values.length, -1);
    }
    if (!room) await sink.drained();
  }

  async #popBatch(r: Redis): Promise<string[]> {
    const c = this.#c;
    if (c.batch > 1) {
      const got = await r.lpop(c.key, c.batch);
      if (got && got.length > 0) return got;
    }
    const one = await r.blpop(c.key, 1);
    if (!one) return [];
    if (c.batch <= 1) return [one[1]];
    const more = await r.lpop(c.key, c.batch - 1);
    return more ? [one[1], ...more] : [one[1]];
  }

  async #moveBatch(r: Redis, processing: string): Promise<string[]> {
    const c = this.#c;
    const p = r.pipeline();
    for (let i = 0; i < c.batch; i++) p.lmove(c.key, processing, 'LEFT', 'RIGHT');
    const res = (await p.exec()) ?? [];
    const got = res.map(([, v]) => v).filter((v): v is string => typeof v === 'string');
    if (got.length > 0) return got;
    const one = await r.blmove(c.key, processing, 'LEFT', 'RIGHT', 1);
    return one === null ? [] : [one];
  }

  async #subscriber(sink: InputSink): Promise<void> {
    const c = this.#c;
    const r = this.#client();
    if (c.dataType === 'channel') {
      r.on('message', (channel: string, message: string) => { this.#decode(message, sink, channel); });
      await r.subscribe(c.key);
    } else {
      r.on('pmessage', (_pattern: string, channel: string, message: string) => { this.#decode(message, sink, channel); });
      await r.psubscribe(c.key);
    }
    this.#log.info('Subscribed', { channel: c.key });
    if (!this.#stopped) await new Promise<void>((res) => { this.#wake = res; });
  }
}

export default defineInput({
  name: 'redis',
  doc: 'Reads events from Redis: a list (values popped, work shared between readers), a channel or a channel pattern (broadcast).',
  options: OPTIONS,
  create(options, ctx) {
    const password = secretValue(options.password);
    const redis: RedisOptions = {
      ...(options.path !== undefined ? { path: options.path } : { host: options.host, port: options.port }),
      db: options.db,
      connectTimeout: options.timeout * 1000,
      ...(password !== undefined ? { password } : {}),
      ...(options.ssl ? { tls: {} } : {}),
    };
    return new RedisInput({
      redis, key: options.key, dataType: options.data_type, batch: Math.max(1, options.batch_count), threads: options.threads,
      reliable: options.reliable, processingKey: options.processing_key ?? `${options.key}:processing:${ctx.id}`,
    }, options.codec, ctx);
  },
});
