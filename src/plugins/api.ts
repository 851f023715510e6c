/**
 * The plugin contract. A plugin module lives at `src/<kind>s/<name>.ts` (or `<name>/index.ts`) and
 * default-exports one definition made with `defineInput` / `defineFilter` / `defineCodec` / `defineOutput`.
 * Its file name is the name users write in configs; the build lists every such module in the generated
 * plugin index (scripts/gen-plugin-index.mjs).
 *
 * `create` receives the options already validated and coerced (defaults filled in, the codec already
 * created), typed from the plugin's own declarations, so a plugin never re-parses options per event.
 * Everything a plugin needs from the runtime (logger, metrics, codecs, where to keep state) comes through
 * its PluginContext: plugins never import src/runtime.
 */
import type { Event } from '../event/event.js';
import {
  COMMON_CODEC_OPTIONS, COMMON_FILTER_OPTIONS, COMMON_INPUT_OPTIONS, COMMON_OUTPUT_OPTIONS,
  type EcsMode, type OptionSpecs, type OptionsOf,
} from './options.js';

export type { LogData, Logger } from '../services/logger.js';
export type { Counter, Gauge, PluginKind, PluginMetrics } from '../services/metrics.js';
import type { Logger } from '../services/logger.js';
import type { PluginKind, PluginMetrics } from '../services/metrics.js';

export interface PluginContext {
  /** The plugin's `id` option, or a generated one (`grok_1`). */
  readonly id: string;
  /** The pipeline it runs in (`pipeline.id`). */
  readonly pipelineId: string;
  /** Effective ECS mode: the plugin's `ecs_compatibility`, else the pipeline's. */
  readonly ecs: EcsMode;
  readonly logger: Logger;
  readonly metrics: PluginMetrics;
  /** Directory relative paths in options resolve against: the working directory, as in Logstash. */
  readonly cwd: string;
  /** `path.data`: where plugins keep state across restarts (sincedb files, offsets). */
  readonly dataDir: string;
  /** Create another plugin's codec from its name and options (for plugins with a nested codec). */
  createCodec(name: string, options?: Record<string, unknown>): Promise<CodecInstance>;
  /**
   * Create a filter from its name and options, for plugins built from others (Logstash's syslog input runs
   * a grok and a date filter of its own). The options get the filter's declared defaults.
   */
  createFilter(name: string, options?: Record<string, unknown>): Promise<FilterInstance>;
  /** Pipeline-to-pipeline communication (the `pipeline` input and output), when the runtime offers it. */
  readonly bus: PipelineBus | undefined;
}

/**
 * Virtual addresses between the pipelines of one process (Logstash's pipeline bus): a `pipeline` input
 * listens on an address, `pipeline` outputs send to addresses.
 */
export interface PipelineBus {
  /** Receive what is sent to `address` into `sink`. Throws when another input listens there already. */
  listen(address: string, sink: InputSink): () => void;
  /**
   * Deliver events to the input listening on `address`, waiting while its pipeline is full and until its
   * queue accepted them. False when nothing listens there (its pipeline is down or not started yet).
   */
  send(address: string, events: readonly Event[]): Promise<boolean>;
}

/** What a plugin's `check` gets: the effective ECS mode and the directory relative paths resolve against. */
export interface CheckContext {
  readonly ecs: EcsMode;
  readonly cwd: string;
}

/**
 * A plugin's own judgement of its options, beyond what the declaration can say (an undefined grok pattern,
 * an unknown mutate conversion type), made at config-check time so `sluice run -t` reports it with the rest:
 * - `'create'`: creating the plugin has no side effects (no sockets, no files), so the config check creates
 *   it, reports what `create` throws, and closes it;
 * - a function that returns the problems it finds (or throws one).
 * A PluginConfigError names the option at fault and may carry a more specific diagnostic code.
 */
export type PluginCheck<O> =
  | 'create'
  | ((options: O, ctx: CheckContext) => void | PluginConfigError[] | Promise<void | PluginConfigError[]>);

/** A problem in a plugin's options, reported at config-check time (`code` defaults to SLC_PLUGIN_CONFIG). */
export class PluginConfigError extends Error {
  constructor(message: string, readonly option?: string, readonly hint?: string, readonly code?: string) { super(message); }
}

// ---- codecs -------------------------------------------------------------------------------------

/** Where a stream's data comes from (set by inputs; codecs may add it to events). */
export interface StreamInfo {
  /** A key unique among the input's streams: `tcp:127.0.0.1:50312`, a file path, … */
  key: string;
  /** Fields the input wants on every event of this stream (host, port, path…), already ECS-aware. */
  fields?: (event: Event) => void;
}

/** One stream's decoding state (partial lines, multiline buffers). Events go to the `emit` given at creation. */
export interface Decoder {
  /** Feed bytes or text as they arrive from the stream. */
  push(chunk: Buffer | string): void;
  /** The stream ended: emit whatever is pending. */
  end(): void;
  /**
   * Decode one line an input has already cut (the file input splits on its own `delimiter`, as Logstash's
   * hands each line to `codec.decode`). Codecs that split streams into lines implement it; for the others
   * the line is a frame (`decodeFrame`).
   */
  line?(bytes: Buffer): void;
}

export interface CodecInstance {
  /** A decoder for one stream. Every stream (connection, file, sender) gets its own. */
  decoder(emit: (event: Event) => void, stream?: StreamInfo): Decoder;
  /** Decode one complete frame (a datagram, a syslog frame, an HTTP body) into events. */
  decodeFrame?(frame: Buffer | string, emit: (event: Event) => void): void;
  /** Encode one event for an output. */
  encode(event: Event): string | Buffer;
  close?(): void | Promise<void>;
}

// ---- inputs -------------------------------------------------------------------------------------

/** Where an input puts its events. The pipeline decorates them (type, tags, add_field) and queues them. */
export interface InputSink {
  /**
   * Queue an event. Returns false when the queue is full: the input should stop reading (pause the
   * socket) until `drained()` resolves. The event is accepted either way; nothing is dropped.
   */
  push(event: Event): boolean;
  /** Resolves when there is room in the queue again. */
  drained(): Promise<void>;
  /**
   * Resolves once every event pushed so far is accepted by the queue: in memory at once, with
   * `queue.type: persisted` once written to the queue's pages. Inputs that answer their senders (the http
   * input's response, a beats ACK, a file position in the sincedb) wait for this before answering.
   */
  accepted(): Promise<void>;
  /**
   * Resolves once every event pushed so far survives a crash of this process: with `queue.type: persisted`
   * as soon as accepted; with the memory queue once every output is done with it. Inputs that record
   * a position of their own (the file input's sincedb) record only what this covers, so `kill -9` loses
   * nothing whatever the queue.
   */
  delivered(): Promise<void>;
  /**
   * Offered when the pipeline decodes this input's data on its worker threads (`decoderForChunks`): hand
   * over bytes instead of events, in a form the input's own `decoderForChunks` reads (stdin: raw bytes cut
   * at a line boundary, the remainder kept for the next read; syslog: one connection's frames), with a
   * `context` that the decoder gets too (the peer's address). Chunks are written in the order they are
   * pushed. Returns false like `push`: wait on `drained()`.
   */
  readonly pushChunk?: (bytes: Buffer, context?: string) => boolean;
  /** True while the queue is full (the http input answers 429 instead of waiting). */
  readonly full: boolean;
  /** True once shutdown has begun: the input should stop producing and return from run(). */
  readonly stopping: boolean;
}

export interface InputInstance {
  /** Produce events until the source ends or `stop()` is called. Resolving means the input is done. */
  run(sink: InputSink): Promise<void>;
  /**
   * Resolves once the input receives data (its sockets are bound), after run() was called; rejects when it
   * cannot (a port in use). The pipeline logs `Pipelines running` only after every input's ready().
   * Inputs without a listener may leave it out.
   */
  ready?(): Promise<void>;
  /** Stop accepting data (close listeners); run() should resolve soon after, flushing codecs. */
  stop(): void | Promise<void>;
  /**
   * Optional, for inputs whose data can be decoded in independent chunks (stdin with a line codec; the
   * syslog input's frames): the decoder for one chunk that `sink.pushChunk` received, with the `context`
   * pushed with it, giving the events with the fields the input adds. A worker thread calls it on its own
   * instance of the input (created, never run). Returns undefined when the configuration cannot be
   * decoded that way.
   */
  decoderForChunks?(emit: (event: Event) => void, context?: string): Decoder | undefined;
}

// ---- filters ------------------------------------------------------------------------------------

export interface FilterInstance {
  /**
   * Process one event in place. Return true when the filter succeeded ("matched"): the common options
   * (add_field, add_tag, remove_field, remove_tag) are then applied by the pipeline. Return false on
   * failure (after tagging the event). New events (clone, split) go to `emit`; drop with `event.cancel()`.
   * May return a Promise only when it must (e.g. grok's timeout guard on a worker).
   */
  filter(event: Event, emit: (event: Event) => void): boolean | Promise<boolean>;
  /**
   * Optional: process every event of a batch that reaches this filter in one call (the ruby filter crosses
   * into Ruby once per batch, not once per event). Returns each event's success, in order; an event made
   * for another goes to `emit` with its parent, and continues right after it (Logstash's multi_filter).
   * When present the pipeline calls this instead of `filter`.
   */
  filterBatch?(events: readonly Event[], emit: (event: Event, parent: Event) => void): readonly boolean[] | Promise<readonly boolean[]>;
  /** Periodic / final flush for filters holding events (aggregate-style). */
  flush?(final: boolean): Event[];
  close?(): void | Promise<void>;
}

// ---- outputs ------------------------------------------------------------------------------------

/** An event an output refused for good (a mapping error): it goes to the dead letter queue when enabled. */
export interface Rejection {
  /** Index of the event in the batch given to `receive`. */
  index: number;
  /** Why, as the destination said it (`status 400: mapper_parsing_exception …`). */
  reason: string;
}

/**
 * What became of a batch. Events not listed were written. Returning nothing means all were written;
 * throwing means none was and the whole batch is retried later (a connection refused, a 503 for the request).
 */
export interface DeliveryReport {
  /** Events to send again after a back-off (a per-item 429 or 503): only these are resent. */
  retry?: readonly number[];
  /** Events refused for good: to the dead letter queue when it is enabled, else logged and counted. */
  rejected?: readonly Rejection[];
  /** Events dropped on purpose and counted, not retried (a 409 conflict on `create`). */
  dropped?: readonly number[];
}

/** Given to an output with each batch. */
export interface DeliveryContext {
  /** Aborted when the pipeline must stop waiting (a second signal, or a persisted queue that keeps the batch). */
  readonly signal: AbortSignal;
  /** 0 for the first try of these events, then 1, 2, … for each retry. */
  readonly attempt: number;
}

/** Back-off between retries of one batch: from `initialMs`, doubling up to `maxMs` (Logstash: 2 s to 64 s). */
export interface RetryPolicy {
  initialMs: number;
  maxMs: number;
}

export interface OutputInstance {
  /**
   * Deliver a batch (events in order). The pipeline retries what is reported retryable, with back-off,
   * holding the pipeline (and so the inputs) meanwhile; nothing is dropped silently.
   */
  receive(events: readonly Event[], delivery: DeliveryContext): void | DeliveryReport | Promise<void | DeliveryReport>;
  /**
   * Optional, for outputs whose `receive` is exactly "encode each event with my codec, write the bytes":
   * deliver a batch a worker thread has already encoded with a copy of this output's codec (each event's
   * `encode`, in order, concatenated). The pipeline thread then only writes. Throwing means nothing was
   * written: the same bytes are retried with the back-off.
   */
  receiveEncoded?(payload: string | Buffer, delivery: DeliveryContext): void | Promise<void>;
  /** Back-off for retries; the pipeline's default (2 s doubling to 64 s) when absent. */
  readonly retryPolicy?: RetryPolicy;
  close?(): void | Promise<void>;
}

// ---- definitions --------------------------------------------------------------------------------

/** The options as validated at config time, before the plugin's typed view of them. */
export type ResolvedOptions = Readonly<Record<string, unknown>>;

interface InstanceOf {
  input: InputInstance;
  filter: FilterInstance;
  codec: CodecInstance;
  output: OutputInstance;
}

const COMMON = { input: COMMON_INPUT_OPTIONS, filter: COMMON_FILTER_OPTIONS, codec: COMMON_CODEC_OPTIONS, output: COMMON_OUTPUT_OPTIONS } as const;
type Common = typeof COMMON;

/** A plugin as the registry holds it: options erased to their validated form. */
export interface PluginDefinition<K extends PluginKind = PluginKind> {
  readonly kind: K;
  readonly name: string;
  /** One paragraph for the option reference. */
  readonly doc: string;
  /** Plugin-specific options. */
  readonly options: OptionSpecs;
  /** The plugin's options plus the common options of its kind (what a config may set). */
  readonly allOptions: OptionSpecs;
  /** Config-time check of the options beyond the declaration (see PluginCheck). */
  readonly check?: PluginCheck<ResolvedOptions>;
  create(options: ResolvedOptions, ctx: PluginContext): InstanceOf[K] | Promise<InstanceOf[K]>;
}

export type InputDefinition = PluginDefinition<'input'>;
export type FilterDefinition = PluginDefinition<'filter'>;
export type CodecDefinition = PluginDefinition<'codec'>;
export type OutputDefinition = PluginDefinition<'output'>;

/** What a plugin module writes: its own options, typed, and `create`/`check` receiving them typed. */
interface Declaration<K extends PluginKind, S extends OptionSpecs> {
  name: string;
  doc: string;
  options: S;
  check?: PluginCheck<OptionsOf<Omit<Common[K], keyof S> & S>>;
  create(options: OptionsOf<Omit<Common[K], keyof S> & S>, ctx: PluginContext): InstanceOf[K] | Promise<InstanceOf[K]>;
}

function define<K extends PluginKind, S extends OptionSpecs>(kind: K, d: Declaration<K, S>): PluginDefinition<K> {
  type Typed = OptionsOf<Omit<Common[K], keyof S> & S>;
  // The config compiler validated and coerced every option against these very declarations, so the
  // erased options object has the declared shape: this is the one place the two views meet.
  const typed = (o: ResolvedOptions): Typed => o as Typed;
  const check = d.check;
  return {
    kind,
    name: d.name,
    doc: d.doc,
    options: d.options,
    allOptions: { ...COMMON[kind], ...d.options },
    ...(check === undefined ? {} : { check: check === 'create' ? 'create' as const : (o: ResolvedOptions, c: CheckContext) => check(typed(o), c) }),
    create: (o, ctx) => d.create(typed(o), ctx),
  };
}

export const defineInput = <const S extends OptionSpecs>(d: Declaration<'input', S>): InputDefinition => define('input', d);
export const defineFilter = <const S extends OptionSpecs>(d: Declaration<'filter', S>): FilterDefinition => define('filter', d);
export const defineCodec = <const S extends OptionSpecs>(d: Declaration<'codec', S>): CodecDefinition => define('codec', d);
export const defineOutput = <const S extends OptionSpecs>(d: Declaration<'output', S>): OutputDefinition => define('output', d);
