/**
 * multiline: joins lines into events, as Logstash's multiline codec (v3.1), per stream.
 *
 * - `pattern` (grok `%{…}` allowed, `patterns_dir`), `negate`, `what => previous|next`: Logstash's rules
 *   (src/formats/multiline/joiner.ts). Or, beyond Logstash, `preset => "java"` (python, go, ruby, nodejs, dotnet,
 *   or `stacktraces` for all): stack traces joined without a regex (src/formats/multiline/presets/).
 * - Every stream (TCP connection, UDP sender, file, HTTP request) gets its own decoder: lines from two
 *   streams are never joined. Bytes are split on `delimiter` before charset decoding, so lines and
 *   UTF-8 characters split across reads are reassembled first.
 * - Events: `message` = the lines joined with "\n"; `@timestamp` = when the event is built (Logstash
 *   creates the event at flush time); `[event][original]` = the same text in ECS modes (v1, v8);
 *   tags `multiline` (multiline_tag, only for several lines), `multiline_codec_max_bytes_reached`,
 *   `multiline_codec_max_lines_reached`.
 * - Flushing: at end of stream (connection closed), after `auto_flush_interval` seconds without new
 *   lines (on every input, TCP included; one unref'd timer for all streams), and at shutdown (close()).
 */
import { Event } from '../event/event.js';
import { parseFieldRef } from '../event/fieldref.js';
import { LineTokenizer } from '../formats/lines.js';
import { lineConverter, type LineConverter } from '../formats/charset.js';
import { PatternJoiner, type JoinedRecord, type JoinLimits, type Joiner } from '../formats/multiline/joiner.js';
import { compileLineMatcher } from '../formats/multiline/matcher.js';
import { IdleFlusher } from '../formats/multiline/idle-flush.js';
import { PRESET_NAMES, PresetJoiner, resolvePreset, type Dialect } from '../formats/multiline/presets/index.js';
import { defineCodec, type Decoder, type StreamInfo } from '../plugins/api.js';
import type { EcsMode } from '../plugins/options.js';
import { asBytes, eventToString } from './_text.js';

const MAX_LINES_TAG = 'multiline_codec_max_lines_reached';
const MAX_BYTES_TAG = 'multiline_codec_max_bytes_reached';
const EVENT_ORIGINAL = parseFieldRef('[event][original]');

export class MultilineConfigError extends Error {}

/** Everything a stream's decoder needs, compiled once per codec instance. */
interface Compiled {
  makeJoiner(sink: (r: JoinedRecord) => void): Joiner;
  convert: LineConverter;
  delimiter: Buffer;
  maxLineBytes: number;
  tag: string;
  ecs: EcsMode;
}

/** One stream's state: its partial line and its joiner. */
class MultilineDecoder implements Decoder {
  readonly #tokenizer: LineTokenizer;
  readonly #joiner: Joiner;
  readonly #c: Compiled;
  readonly #owner: MultilineCodec;
  #ended = false;

  constructor(c: Compiled, owner: MultilineCodec, emit: (e: Event) => void, stream: StreamInfo | undefined) {
    this.#c = c;
    this.#owner = owner;
    this.#tokenizer = new LineTokenizer(c.delimiter, c.maxLineBytes);
    const fields = stream?.fields;
    this.#joiner = c.makeJoiner((r) => {
      const event = toEvent(r, c);
      if (fields !== undefined) fields(event);
      emit(event);
    });
  }

  #line(bytes: Buffer): void { this.#joiner.push(this.#c.convert(bytes)); }

  push(chunk: Buffer | string): void {
    if (this.#ended) return;
    let lines = false;
    this.#tokenizer.push(asBytes(chunk), (b) => { lines = true; this.#line(b); });
    // Logstash restarts the auto-flush countdown for every line handled; a chunk that only extends a
    // partial line does not count.
    if (lines) this.#owner.activity(this, this.#joiner.pending);
  }

  line(bytes: Buffer): void {
    if (this.#ended) return;
    this.#line(bytes);
    this.#owner.activity(this, this.#joiner.pending);
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const rest = this.#tokenizer.flush();
    if (rest.length > 0) this.#line(rest);
    this.#joiner.flush();
    this.#owner.forget(this);
  }

  /** auto_flush_interval elapsed: emit the joined lines, keep the partial line (it may still be completed). */
  autoFlush(): void {
    if (!this.#ended) this.#joiner.flush();
  }
}

function toEvent(r: JoinedRecord, c: Compiled): Event {
  const event = new Event({ message: r.message });
  if (c.ecs !== 'disabled') event.set(EVENT_ORIGINAL, r.message);
  if (c.tag !== '' && r.lineCount > 1) event.tag(c.tag);
  if (r.maxBytesReached) event.tag(MAX_BYTES_TAG);
  if (r.maxLinesReached) event.tag(MAX_LINES_TAG);
  return event;
}

class MultilineCodec {
  readonly #c: Compiled;
  readonly #flusher: IdleFlusher<MultilineDecoder> | undefined;
  /** Open decoders, flushed by close() at shutdown. */
  readonly #open = new Set<MultilineDecoder>();

  constructor(c: Compiled, autoFlushSeconds: number | undefined) {
    this.#c = c;
    if (autoFlushSeconds !== undefined) {
      this.#flusher = new IdleFlusher<MultilineDecoder>(autoFlushSeconds * 1000, (d) => d.autoFlush());
    }
  }

  decoder(emit: (e: Event) => void, stream?: StreamInfo): Decoder {
    const d = new MultilineDecoder(this.#c, this, emit, stream);
    this.#open.add(d);
    return d;
  }

  decodeFrame(frame: Buffer | string, emit: (e: Event) => void): void {
    // A frame (datagram, HTTP body) is a whole stream of its own.
    const d = new MultilineDecoder(this.#c, this, emit, undefined);
    d.push(frame);
    d.end();
  }

  encode(event: Event): string {
    // Logstash's multiline encode hands the event itself to the output, which prints Event#to_s.
    return eventToString(event);
  }

  close(): void {
    for (const d of [...this.#open]) d.end();
    this.#flusher?.clear();
  }

  /** A decoder handled data: (re)start its countdown when lines wait, else drop it from the timer. */
  activity(d: MultilineDecoder, waiting: boolean): void {
    if (this.#flusher === undefined) return;
    if (waiting) this.#flusher.touch(d);
    else this.#flusher.remove(d);
  }

  forget(d: MultilineDecoder): void {
    this.#open.delete(d);
    this.#flusher?.remove(d);
  }

  get openStreams(): number { return this.#open.size; }
}

export default defineCodec({
  name: 'multiline',
  doc: 'Joins lines into events per stream: Logstash\'s pattern/negate/what rules, or a stack-trace `preset` that needs no regex.',
  options: {
    pattern: { type: 'string', doc: 'Regex (grok `%{NAME}` allowed) tested against each line; required unless `preset` is set.' },
    what: { type: 'string', values: ['previous', 'next'], doc: 'A matching line belongs to the `previous` or the `next` lines; required with `pattern`.' },
    negate: { type: 'boolean', default: false, doc: 'Apply `what` to the lines that do NOT match `pattern`.' },
    patterns_dir: { type: 'array', default: [], doc: 'Extra grok pattern files or directories for `%{NAME}` in `pattern`.' },
    preset: {
      type: 'string', list: true, values: PRESET_NAMES,
      doc: 'Join stack traces without a regex: `java`, `python`, `go`, `ruby`, `nodejs`, `dotnet` (one or several), or `stacktraces` for all. Replaces pattern/what.',
    },
    charset: { type: 'string', default: 'UTF-8', doc: 'Character encoding of the input; invalid UTF-8 is kept, escaped as Ruby prints it (`\\xFF`).' },
    delimiter: { type: 'string', default: '\n', doc: 'The string that separates lines in the stream.' },
    multiline_tag: { type: 'string', default: 'multiline', doc: 'Tag added to events made of several lines (empty: no tag).' },
    max_lines: { type: 'number', default: 500, doc: 'Flush an event early once it holds more than this many lines (tagged multiline_codec_max_lines_reached).' },
    max_bytes: { type: 'bytes', default: '10 MiB', doc: 'Flush an event early once its lines reach this size (tagged multiline_codec_max_bytes_reached).' },
    auto_flush_interval: { type: 'number', doc: 'Seconds without a new line after which a stream\'s pending event is flushed (any input, TCP included). Unset: no auto flush.' },
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  async create(options, ctx) {
    const { pattern, what, preset } = options;
    const maxLines = options.max_lines;
    if (!Number.isInteger(maxLines) || maxLines < 1) throw new MultilineConfigError(`multiline: max_lines must be a positive integer, got ${String(options.max_lines)}`);
    if (!(options.max_bytes > 0)) throw new MultilineConfigError(`multiline: max_bytes must be a positive size, got ${options.max_bytes}`);
    const limits: JoinLimits = { maxLines, maxBytes: options.max_bytes };
    const autoFlush = options.auto_flush_interval;
    if (autoFlush !== undefined && !(Number(autoFlush) > 0)) throw new MultilineConfigError(`multiline: auto_flush_interval must be a positive number of seconds, got ${String(autoFlush)}`);
    const delimiter = options.delimiter;
    if (delimiter === '') throw new MultilineConfigError('multiline: delimiter must not be empty');

    let makeJoiner: Compiled['makeJoiner'];
    if (preset !== undefined && preset.length > 0) {
      if (pattern !== undefined) throw new MultilineConfigError('multiline: set either `preset` or `pattern`, not both');
      const dialects: readonly Dialect[] = resolvePreset(preset);
      makeJoiner = (sink) => new PresetJoiner(dialects, limits, sink);
    } else {
      if (pattern === undefined) throw new MultilineConfigError('multiline: `pattern` is required (or use `preset => "stacktraces"`)');
      if (what === undefined) throw new MultilineConfigError('multiline: `what` is required with `pattern` ("previous" or "next")');
      const matcherOpts: Parameters<typeof compileLineMatcher>[1] = { ecs: ctx.ecs, patternsDir: options.patterns_dir.map(String) };
      matcherOpts.cwd = ctx.cwd;
      const match = await compileLineMatcher(pattern, matcherOpts);
      const opts = { match, negate: options.negate === true, what, limits };
      makeJoiner = (sink) => new PatternJoiner(opts, sink);
    }
    const compiled: Compiled = {
      makeJoiner,
      convert: lineConverter(options.charset),
      delimiter: Buffer.from(delimiter, 'utf8'),
      // One endless line must not grow without bound either: it is cut at max_bytes.
      maxLineBytes: limits.maxBytes,
      tag: options.multiline_tag,
      ecs: ctx.ecs,
    };
    return new MultilineCodec(compiled, autoFlush === undefined ? undefined : Number(autoFlush));
  },
});
