/**
 * The joining logic of Logstash's multiline codec, pure and per stream: no I/O, no timers, no events.
 * A joiner receives lines and emits joined records; the codec turns records into events.
 *
 * Logstash's rules, kept exactly (logstash-codec-multiline `do_previous` / `do_next`):
 * - `what => previous`: a line that matches (after `negate`) belongs to the lines before it. A line that
 *   does not match first flushes what is buffered, then starts a new buffer.
 * - `what => next`: a line that matches belongs to the lines after it. The line is buffered first; a line
 *   that does not match then flushes the buffer (itself included).
 * - Limits: the buffer is flushed early when it holds more than `max_lines` lines or at least
 *   `max_bytes` bytes (checked before buffering with `previous`, after with `next`, as Logstash does;
 *   so a forced event holds `max_lines + 1` lines). A record flushed while over a limit carries the flag
 *   that becomes the `multiline_codec_max_lines_reached` / `multiline_codec_max_bytes_reached` tag.
 */

export interface JoinLimits {
  /** Logstash `max_lines` (default 500). */
  maxLines: number;
  /** Logstash `max_bytes` (default 10 MiB), counted as the UTF-8 size of the buffered lines. */
  maxBytes: number;
}

/** One joined event's worth of lines. */
export interface JoinedRecord {
  /** The lines joined with "\n". */
  message: string;
  lineCount: number;
  maxLinesReached: boolean;
  maxBytesReached: boolean;
}

export type RecordSink = (record: JoinedRecord) => void;

/** What every joiner (pattern or preset) offers the codec. */
export interface Joiner {
  /** Feed one complete line (delimiter removed, already decoded). */
  push(line: string): void;
  /** Emit whatever is pending (end of stream, auto flush, shutdown). */
  flush(): void;
  /** True when lines are held, waiting for a flush. */
  readonly pending: boolean;
}

/** The lines of the event being built, with their byte count. Lazily allocated: idle streams stay small. */
export class LineBuffer {
  #lines: string[] | undefined;
  #bytes = 0;
  readonly #limits: JoinLimits;

  constructor(limits: JoinLimits) { this.#limits = limits; }

  get size(): number { return this.#lines?.length ?? 0; }
  get bytes(): number { return this.#bytes; }
  get empty(): boolean { return this.#lines === undefined || this.#lines.length === 0; }
  get lastLine(): string | undefined { return this.#lines?.[this.#lines.length - 1]; }

  add(line: string): void {
    this.#bytes += Buffer.byteLength(line, 'utf8');
    if (this.#lines === undefined) this.#lines = [line];
    else this.#lines.push(line);
  }

  overMaxLines(): boolean { return this.size > this.#limits.maxLines; }
  overMaxBytes(): boolean { return this.#bytes >= this.#limits.maxBytes; }
  overLimits(): boolean { return this.overMaxLines() || this.overMaxBytes(); }

  /** Emit the buffered lines as one record (nothing when empty) and reset. */
  flushTo(sink: RecordSink): void {
    const lines = this.#lines;
    if (lines === undefined || lines.length === 0) return;
    const record: JoinedRecord = {
      message: lines.length === 1 ? lines[0]! : lines.join('\n'),
      lineCount: lines.length,
      maxLinesReached: this.overMaxLines(),
      maxBytesReached: this.overMaxBytes(),
    };
    this.#lines = undefined;
    this.#bytes = 0;
    sink(record);
  }
}

/** A compiled `pattern`: true when the line matches (before `negate`). */
export type LineMatcher = (line: string) => boolean;

export interface PatternJoinerOptions {
  match: LineMatcher;
  negate: boolean;
  what: 'previous' | 'next';
  limits: JoinLimits;
}

/** Logstash's pattern/negate/what joining. */
export class PatternJoiner implements Joiner {
  readonly #opts: PatternJoinerOptions;
  readonly #buffer: LineBuffer;
  readonly #sink: RecordSink;

  constructor(opts: PatternJoinerOptions, sink: RecordSink) {
    this.#opts = opts;
    this.#buffer = new LineBuffer(opts.limits);
    this.#sink = sink;
  }

  get pending(): boolean { return !this.#buffer.empty; }

  push(line: string): void {
    const o = this.#opts;
    const matched = o.match(line) !== o.negate;
    const buf = this.#buffer;
    if (o.what === 'previous') {
      if (!matched || buf.overLimits()) buf.flushTo(this.#sink);
      buf.add(line);
    } else {
      buf.add(line);
      if (!matched || buf.overLimits()) buf.flushTo(this.#sink);
    }
  }

  flush(): void { this.#buffer.flushTo(this.#sink); }
}
