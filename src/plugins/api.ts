/**
 * The plugin contract. A plugin module lives at `src/<kind>s/<name>.ts` (or `<name>/index.ts`) and
 * default-exports one definition made with `defineInput` / `defineFilter` / `defineCodec` / `defineOutput`.
 * Its file name is the name users write in configs.
 *
 * `create` receives the options already validated and coerced (defaults filled in, codec options
 * already turned into CodecInstance objects), so a plugin never re-parses options per event.
 */
import type { Event } from '../event/event.js';
import type { EcsMode, OptionSpecs } from './options.js';

export type PluginKind = 'input' | 'filter' | 'codec' | 'output';

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

export interface PluginContext {
  /** Effective ECS mode: the plugin's `ecs_compatibility`, else the pipeline's. */
  ecs: EcsMode;
  /** The plugin's `id` option, or a generated one. */
  id: string;
  logger: Logger;
  /** Create another plugin's codec from its name and options (for plugins with a nested codec). */
  createCodec(name: string, options?: Record<string, unknown>): Promise<CodecInstance>;
  /** Directory of the config file that declared the plugin (for relative paths), when known. */
  configDir?: string;
}

/** Validated options as the plugin receives them. */
export type Options = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** What a plugin's `check` gets: the effective ECS mode and where the config file lives. */
export interface CheckContext {
  ecs: EcsMode;
  configDir?: string;
}

/**
 * A plugin's own judgement of its options, beyond what the declaration can say (an undefined grok pattern,
 * an unknown mutate conversion type), made at config-check time so `sluice run -t` reports it with the rest:
 * - `'create'`: creating the plugin has no side effects (no sockets, no files), so the config check creates
 *   it, reports what `create` throws, and closes it;
 * - a function that returns the problems it finds (or throws one).
 * A PluginConfigError names the option at fault and may carry a more specific diagnostic code.
 */
export type PluginCheck =
  | 'create'
  | ((options: Options, ctx: CheckContext) => void | PluginConfigError[] | Promise<void | PluginConfigError[]>);

/** A problem in a plugin's options, reported at config-check time (`code` defaults to SLC_PLUGIN_CONFIG). */
export class PluginConfigError extends Error {
  constructor(message: string, readonly option?: string, readonly hint?: string, readonly code?: string) { super(message); }
}

interface DefinitionBase<K extends PluginKind> {
  kind: K;
  name: string;
  /** One paragraph for the option reference. */
  doc: string;
  /** Plugin-specific options; the common options of the kind are added by the registry. */
  options: OptionSpecs;
  /** Config-time check of the options beyond the declaration (see PluginCheck). */
  check?: PluginCheck;
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

export interface CodecDefinition extends DefinitionBase<'codec'> {
  create(options: Options, ctx: PluginContext): CodecInstance | Promise<CodecInstance>;
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
  /** True once shutdown has begun: the input should stop producing and return from run(). */
  readonly stopping: boolean;
}

export interface InputInstance {
  /** Produce events until the source ends or `stop()` is called. Resolving means the input is done. */
  run(sink: InputSink): Promise<void>;
  /** Stop accepting data (close listeners); run() should resolve soon after, flushing codecs. */
  stop(): void | Promise<void>;
}

export interface InputDefinition extends DefinitionBase<'input'> {
  create(options: Options, ctx: PluginContext): InputInstance | Promise<InputInstance>;
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
  /** Periodic / final flush for filters holding events (aggregate-style). */
  flush?(final: boolean): Event[];
  close?(): void | Promise<void>;
}

export interface FilterDefinition extends DefinitionBase<'filter'> {
  create(options: Options, ctx: PluginContext): FilterInstance | Promise<FilterInstance>;
}

// ---- outputs ------------------------------------------------------------------------------------

export interface OutputInstance {
  /** Write a batch. Resolve once written (back-pressure flows upstream through this promise). */
  receive(events: readonly Event[]): void | Promise<void>;
  close?(): void | Promise<void>;
}

export interface OutputDefinition extends DefinitionBase<'output'> {
  create(options: Options, ctx: PluginContext): OutputInstance | Promise<OutputInstance>;
}

export type PluginDefinition = InputDefinition | FilterDefinition | CodecDefinition | OutputDefinition;

export const defineInput = (d: Omit<InputDefinition, 'kind'>): InputDefinition => ({ ...d, kind: 'input' });
export const defineFilter = (d: Omit<FilterDefinition, 'kind'>): FilterDefinition => ({ ...d, kind: 'filter' });
export const defineCodec = (d: Omit<CodecDefinition, 'kind'>): CodecDefinition => ({ ...d, kind: 'codec' });
export const defineOutput = (d: Omit<OutputDefinition, 'kind'>): OutputDefinition => ({ ...d, kind: 'output' });
