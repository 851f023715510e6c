/**
 * json: whole JSON documents. An object makes one event, an array one event per element; anything else
 * (invalid JSON, a scalar, an array holding a non-object) makes one event with the text in `message`,
 * tagged `_jsonparsefailure`. In ECS mode a document that yields exactly one event also gets the text in
 * `[event][original]` unless it already has that field. Encoding writes the event as compact JSON.
 *
 * A frame (datagram, HTTP body) is one document. On a stream, documents are delimited by their own
 * brackets, so several documents, pretty-printed ones included, can follow each other; text that does
 * not start with `{` or `[` runs to the end of its line and is decoded (and fails) on its own.
 */
import { defineCodec } from '../plugins/api.js';
import type { Event } from '../event/event.js';
import { eventsFromJson } from '../event/json.js';
import { asBytes, CHARSET_OPTION, failureEvent, lineConverter, type Emit } from './_text.js';

const ORIGINAL = '[event][original]';

/** Splits a byte stream into JSON documents; structural characters are ASCII, so bytes suffice. */
class DocumentSplitter {
  #pending: Buffer = Buffer.alloc(0);
  #scan = 0; // where scanning resumes, relative to #pending
  #start = 0; // start of the current document, relative to #pending
  #mode: 0 | 1 | 2 = 0; // 0 between documents, 1 inside brackets, 2 inside plain text
  #depth = 0;
  #inString = false;
  #escape = false;

  push(chunk: Buffer, onDoc: (doc: Buffer) => void): void {
    const b = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    let i = this.#scan;
    let consumed = 0;
    const n = b.length;
    while (i < n) {
      if (this.#mode === 0) {
        const c = b[i]!;
        if (c === 32 || c === 10 || c === 13 || c === 9) { i++; consumed = i; continue; }
        this.#start = i;
        if (c === 123 || c === 91) { // { [
          this.#mode = 1; this.#depth = 1; this.#inString = false; this.#escape = false; i++;
        } else this.#mode = 2;
      } else if (this.#mode === 1) {
        const c = b[i]!;
        if (this.#inString) {
          if (this.#escape) this.#escape = false;
          else if (c === 92) this.#escape = true;
          else if (c === 34) this.#inString = false;
        } else if (c === 34) this.#inString = true;
        else if (c === 123 || c === 91) this.#depth++;
        else if (c === 125 || c === 93) {
          if (--this.#depth === 0) {
            onDoc(b.subarray(this.#start, i + 1));
            this.#mode = 0;
            consumed = i + 1;
          }
        }
        i++;
      } else {
        const nl = b.indexOf(10, i);
        if (nl < 0) { i = n; break; }
        onDoc(b.subarray(this.#start, nl));
        this.#mode = 0;
        i = nl + 1;
        consumed = i;
      }
    }
    // Keep only the unfinished document (copied: the caller may reuse its buffer).
    this.#pending = consumed < n ? Buffer.from(b.subarray(consumed)) : Buffer.alloc(0);
    this.#scan = i - consumed;
    this.#start = Math.max(0, this.#start - consumed);
  }

  end(onDoc: (doc: Buffer) => void): void {
    const rest = this.#mode === 0 ? Buffer.alloc(0) : this.#pending.subarray(this.#start);
    this.#pending = Buffer.alloc(0);
    this.#scan = 0; this.#start = 0; this.#mode = 0;
    if (rest.length > 0) onDoc(rest);
  }
}

export default defineCodec({
  name: 'json',
  doc: 'Whole JSON documents: an object is one event, an array one event per element; invalid JSON is kept in `message` and tagged `_jsonparsefailure`.',
  options: {
    charset: CHARSET_OPTION,
    target: { type: 'field_reference', doc: 'Field to put the decoded data under (default: the top level of the event).' },
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  create(options, ctx) {
    const convert = lineConverter(options.charset);
    const target = options.target;
    const ecs = ctx.ecs !== 'disabled';

    const failures = ctx.metrics.counter('failures');
    const decodeText = (text: string, emit: Emit): void => {
      let events: Event[];
      try {
        events = eventsFromJson(text, target);
      } catch (e) {
        // As Logstash's codec: the text kept in `message` (never under target), tagged, logged at error.
        ctx.logger.error('JSON parse error, original data now in message field', { message: (e as Error).message, data: text });
        failures.inc();
        emit(failureEvent(text));
        return;
      }
      if (events.length === 1) {
        const e = events[0]!;
        if (ecs && !e.includes(ORIGINAL)) e.set(ORIGINAL, text);
        emit(e);
      } else for (const e of events) emit(e);
    };

    return {
      decoder(emit, stream) {
        const fields = stream?.fields;
        const out: Emit = fields ? (e) => { fields(e); emit(e); } : emit;
        const splitter = new DocumentSplitter();
        const onDoc = (doc: Buffer): void => decodeText(convert(doc), out);
        return {
          push(chunk) { splitter.push(asBytes(chunk), onDoc); },
          end() { splitter.end(onDoc); },
        };
      },
      decodeFrame(frame, emit) { decodeText(convert(asBytes(frame)), emit); },
      encode: (event) => event.toJSON(),
    };
  },
});
