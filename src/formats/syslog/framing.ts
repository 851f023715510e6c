/**
 * RFC 6587 framing of syslog over TCP, incremental and pure (no I/O): bytes in, frames out.
 *
 * Two methods exist: octet counting (`MSGLEN SP SYSLOG-MSG`, §3.4.1) and non-transparent framing
 * (`SYSLOG-MSG TRAILER`, §3.4.2, trailer LF). In `auto` mode the method is chosen at every frame
 * boundary from the first bytes, like beats' RFC 6587 splitter: one or more digits followed by a SP is
 * an octet-counting header, anything else starts an LF-terminated frame. Per-frame detection covers the
 * usual per-connection case (the first byte decides) and also senders that mix both methods.
 *
 * Nothing is ever buffered without bound and nothing is silently lost:
 * - a frame longer than `maxFrameSize` is cut: its first `maxFrameSize` bytes are emitted with
 *   `problem: 'too_long'` (inputs tag the event `_syslogframetoolong`), the rest of it is skipped
 *   (octet counting: exactly MSGLEN bytes; LF framing: up to the next LF), then framing resumes;
 * - an octet-counted frame cut short by the end of the stream is emitted with `problem: 'incomplete'`
 *   (tag `_syslogframeincomplete`);
 * - bytes that are not a valid header where one is expected (`xaaa`, `16<1>…`) are not thrown away:
 *   they become an LF-terminated frame, so the decoder sees them and tags them as a parse failure.
 */

export type FramingMethod = 'octet-counting' | 'non-transparent';
export type FramingMode = 'auto' | FramingMethod;

export type FrameProblem = 'too_long' | 'incomplete';

export interface Frame {
  /** The SYSLOG-MSG bytes: without the MSGLEN header, without the LF trailer (nor a CR before it). */
  data: Buffer;
  method: FramingMethod;
  problem?: FrameProblem;
  /** For octet counting: the MSGLEN the sender announced. */
  declaredLength?: number;
  /** Bytes skipped after a cut frame (only with `problem: 'too_long'`, when known at emit time). */
  skipped?: number;
}

export interface FramerOptions {
  /** How frames are delimited. Default `auto`. */
  mode?: FramingMode;
  /** Largest SYSLOG-MSG accepted, in bytes. Default 65536. */
  maxFrameSize?: number;
}

/** Tags inputs add to events of frames with a problem. */
export const FRAME_TOO_LONG_TAG = '_syslogframetoolong';
export const FRAME_INCOMPLETE_TAG = '_syslogframeincomplete';

export function frameProblemTag(problem: FrameProblem): string {
  return problem === 'too_long' ? FRAME_TOO_LONG_TAG : FRAME_INCOMPLETE_TAG;
}

export const DEFAULT_MAX_FRAME_SIZE = 65536;
/** MSGLEN digits beyond this are not a header (no sane frame has a 10-digit length). */
const MAX_LENGTH_DIGITS = 9;

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;

const enum State {
  /** At a frame boundary. */
  Start,
  /** Reading MSGLEN digits. */
  Header,
  /** Reading MSGLEN bytes of an octet-counted frame. */
  Octets,
  /** Reading an LF-terminated frame. */
  Line,
  /** Skipping the rest of an octet-counted frame that was too long. */
  SkipOctets,
  /** Skipping the rest of an LF-terminated frame that was too long, up to the LF. */
  SkipLine,
}

/** Splits one stream (one connection) into frames. Keep one per connection. */
export class SyslogFramer {
  readonly #mode: FramingMode;
  readonly #max: number;
  #state: State = State.Start;
  /** Pending bytes of the current frame (and, in Header state, the header digits). */
  #parts: Buffer[] = [];
  #pending = 0;
  #length = 0;
  #digits = 0;
  #remaining = 0;
  #skipped = 0;

  constructor(options: FramerOptions = {}) {
    this.#mode = options.mode ?? 'auto';
    this.#max = Math.max(1, options.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE);
  }

  get maxFrameSize(): number { return this.#max; }

  /** Feed bytes; complete frames go to `out` in order. */
  push(chunk: Buffer, out: (frame: Frame) => void): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.#state) {
        case State.Start: {
          const b = chunk[i]!;
          if (this.#mode !== 'non-transparent' && isDigit(b)) {
            this.#state = State.Header;
            this.#length = 0;
            this.#digits = 0;
          } else if (this.#mode === 'octet-counting' && b !== LF && b !== CR) {
            // Garbage where a MSGLEN must be: keep it as an LF-terminated frame so it is decoded
            // (and tagged as a parse failure) rather than dropped; framing resumes after the LF.
            this.#state = State.Line;
          } else {
            if (b === LF) { i++; continue; } // empty frame (e.g. LF after an octet-counted frame)
            this.#state = State.Line;
          }
          break;
        }
        case State.Header: {
          // Consume digits; keep the raw bytes in case this turns out not to be a header.
          const start = i;
          while (i < n && isDigit(chunk[i]!) && this.#digits < MAX_LENGTH_DIGITS) {
            this.#length = this.#length * 10 + (chunk[i]! - 0x30);
            this.#digits++;
            i++;
          }
          if (i > start) this.#keep(chunk.subarray(start, i));
          if (i === n) break;
          const b = chunk[i]!;
          if (b === SP && this.#digits > 0) {
            i++;
            this.#drop();
            if (this.#length === 0) {
              // An explicitly framed empty message is still a message (an invalid one): hand it over.
              out({ data: Buffer.alloc(0), method: 'octet-counting', declaredLength: 0 });
              this.#state = State.Start;
              break;
            }
            if (this.#length > this.#max) {
              this.#remaining = this.#max;
              this.#skipped = this.#length - this.#max;
            } else {
              this.#remaining = this.#length;
              this.#skipped = 0;
            }
            this.#state = State.Octets;
          } else {
            // Not a header after all: the digits read so far start an LF-terminated frame.
            this.#state = State.Line;
          }
          break;
        }
        case State.Octets: {
          const take = Math.min(this.#remaining, n - i);
          this.#keep(chunk.subarray(i, i + take));
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) {
            const data = this.#take();
            if (this.#skipped > 0) {
              out({ data, method: 'octet-counting', problem: 'too_long', declaredLength: this.#length, skipped: this.#skipped });
              this.#remaining = this.#skipped;
              this.#state = State.SkipOctets;
            } else {
              out({ data, method: 'octet-counting', declaredLength: this.#length });
              this.#state = State.Start;
            }
          }
          break;
        }
        case State.SkipOctets: {
          const take = Math.min(this.#remaining, n - i);
          i += take;
          this.#remaining -= take;
          if (this.#remaining === 0) this.#state = State.Start;
          break;
        }
        case State.Line: {
          const room = this.#max - this.#pending;
          const lf = chunk.indexOf(LF, i);
          const end = lf < 0 ? n : lf;
          if (end - i <= room) {
            this.#keep(chunk.subarray(i, end));
            if (lf < 0) { i = n; break; }
            i = lf + 1;
            let data = this.#take();
            if (data.length > 0 && data[data.length - 1] === CR) data = data.subarray(0, data.length - 1);
            out({ data, method: 'non-transparent' });
            this.#state = State.Start;
          } else {
            // Too long: emit what fits, skip to the next LF.
            this.#keep(chunk.subarray(i, i + room));
            i += room;
            out({ data: this.#take(), method: 'non-transparent', problem: 'too_long' });
            this.#state = State.SkipLine;
          }
          break;
        }
        case State.SkipLine: {
          const lf = chunk.indexOf(LF, i);
          if (lf < 0) { i = n; break; }
          i = lf + 1;
          this.#state = State.Start;
          break;
        }
      }
    }
  }

  /** The stream ended: emit what is pending. */
  end(out: (frame: Frame) => void): void {
    switch (this.#state) {
      case State.Header:
      case State.Line: {
        // An LF-terminated frame without its trailer at EOF is still a whole message for senders
        // that omit the last LF (`nc`, many scripts); a lone header ("16") is kept as raw data.
        let data = this.#take();
        if (data.length > 0 && data[data.length - 1] === CR) data = data.subarray(0, data.length - 1);
        if (data.length > 0) out({ data, method: 'non-transparent' });
        break;
      }
      case State.Octets: {
        const data = this.#take();
        out({ data, method: 'octet-counting', problem: 'incomplete', declaredLength: this.#length });
        break;
      }
      default:
        break;
    }
    this.#state = State.Start;
    this.#drop();
  }

  #keep(b: Buffer): void {
    if (b.length === 0) return;
    this.#parts.push(b);
    this.#pending += b.length;
  }

  #take(): Buffer {
    const parts = this.#parts;
    // A frame inside one chunk is a view of it (no copy): decoders turn frames into strings at once.
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.#pending);
    this.#drop();
    return data;
  }

  #drop(): void {
    this.#parts = [];
    this.#pending = 0;
  }
}

/** Split a whole buffer at once (tests, tools). */
export function splitFrames(input: Buffer, options?: FramerOptions): Frame[] {
  const frames: Frame[] = [];
  const f = new SyslogFramer(options);
  const out = (fr: Frame): void => { frames.push(fr); };
  f.push(input, out);
  f.end(out);
  return frames;
}
