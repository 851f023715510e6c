/**
 * The preset joiner: joins stack traces of the enabled dialects without any user regex, and leaves
 * every other line an event of its own. Pure, per stream, like PatternJoiner.
 *
 * For each line:
 * 1. When a trace is being joined, its dialect says whether the line continues it (`append`), may
 *    continue it (`hold`: a blank line, kept aside), or ends it.
 * 2. Otherwise the line is looked at afresh: a dialect may recognise it as the start of a trace
 *    (see StartKind for how `own`, `header` and `frame` lines attach to what is pending).
 * 3. A line no dialect recognises is an ordinary log line: it flushes what is pending and waits,
 *    alone, for a trace that might follow it.
 *
 * Held lines that are not confirmed by a continuation become events of their own, so no line is lost
 * and no joined event ends with stray blank lines. `max_lines` / `max_bytes` apply as in Logstash.
 */
import { LineBuffer, type JoinLimits, type Joiner, type RecordSink } from '../joiner.js';
import type { Dialect, TraceState } from './types.js';

/** A log line that reads like an error report: a trace `header` right after it belongs to it. */
const ERRORISH = /\b(?:error|errors|err|fatal|severe|critical|crit|fail|failed|failure|exception|unhandled|uncaught|warn|warning|panic)\b|^[EFW], \[/i;

/** At most this many blank lines are held waiting for a continuation. */
const MAX_HELD = 2;

/**
 * Longer lines are not shown to the dialects: trace lines are short, and a bound keeps the cost of a
 * hostile line predictable whatever the regexes. Such a line is an ordinary line (frames after it
 * still join it).
 */
export const MAX_EXAMINED_LINE = 8192;

export class PresetJoiner implements Joiner, TraceState {
  readonly #dialects: readonly Dialect[];
  readonly #buffer: LineBuffer;
  readonly #sink: RecordSink;
  /** The dialect of the trace being joined; undefined while the pending event is an ordinary line. */
  #dialect: Dialect | undefined;
  #held: string[] | undefined;
  phase = '';
  depth = 0;

  constructor(dialects: readonly Dialect[], limits: JoinLimits, sink: RecordSink) {
    this.#dialects = dialects;
    this.#buffer = new LineBuffer(limits);
    this.#sink = sink;
  }

  get pending(): boolean { return !this.#buffer.empty || (this.#held !== undefined && this.#held.length > 0); }

  /** The dialect of the trace being joined (for tests and diagnostics). */
  get dialect(): string | undefined { return this.#dialect?.name; }

  push(line: string): void {
    if (line.length > MAX_EXAMINED_LINE) {
      this.flush();
      this.#buffer.add(line);
      return;
    }
    const current = this.#dialect;
    if (current !== undefined) {
      const step = current.next(line, this);
      if (step === 'append') { this.#append(line); return; }
      if (step === 'hold' && (this.#held?.length ?? 0) < MAX_HELD) {
        (this.#held ??= []).push(line);
        return;
      }
    }
    for (const d of this.#dialects) {
      const s = d.start(line);
      if (s === undefined) continue;
      const buf = this.#buffer;
      const joins = s.kind === 'frame'
        ? !buf.empty
        : s.kind === 'header' && current === undefined && buf.size === 1 && ERRORISH.test(buf.lastLine ?? '');
      if (joins) {
        this.#append(line);
      } else {
        this.flush();
        this.#buffer.add(line);
      }
      this.#dialect = d;
      this.phase = s.phase;
      this.depth = 0;
      return;
    }
    this.flush();
    this.#buffer.add(line);
  }

  flush(): void {
    this.#buffer.flushTo(this.#sink);
    this.#dialect = undefined;
    this.phase = '';
    this.depth = 0;
    const held = this.#held;
    if (held !== undefined && held.length > 0) {
      this.#held = undefined;
      for (const h of held) {
        this.#buffer.add(h);
        this.#buffer.flushTo(this.#sink);
      }
    }
  }

  /** Add a line to the trace, with the held lines before it; limits flush early as in Logstash. */
  #append(line: string): void {
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      for (const h of held) this.#add(h);
    }
    this.#add(line);
  }

  #add(line: string): void {
    const buf = this.#buffer;
    if (buf.overLimits()) buf.flushTo(this.#sink);
    buf.add(line);
  }
}
