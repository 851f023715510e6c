/**
 * Pieces shared by the text codecs (plain, line, json, json_lines): charset conversion, line splitting
 * per stream, Logstash's `Event#to_s`, and the option declarations they have in common.
 * (The leading underscore keeps the registry from taking this module for a plugin.)
 */
import { Event } from '../event/event.js';
import { javaToString } from '../event/sprintf.js';
import { Timestamp } from '../event/timestamp.js';
import { lineConverter as sharedConverter, type LineConverter } from '../multiline/charset.js';
import { LineTokenizer } from '../multiline/tokenizer.js';
import type { Decoder, StreamInfo } from '../plugins/api.js';
import type { OptionSpec } from '../plugins/options.js';

export const CHARSET_OPTION: OptionSpec = {
  type: 'string',
  default: 'UTF-8',
  doc: 'Character encoding of the input (`UTF-8`, `CP1252`, `ISO-8859-1`, …); decoded text is UTF-8. Invalid UTF-8 is kept, escaped as Ruby prints it (`\\xFF`).',
};

export const DELIMITER_OPTION: OptionSpec = { type: 'string', default: '\n', doc: 'The string that separates lines.' };

export type { LineConverter };

// Windows-1252's 0x80-0x9F range. Node's TextDecoder('windows-1252') decodes it as Latin-1 (C1 controls),
// so it is mapped here; bytes the code page leaves undefined become U+FFFD as Ruby's :undef => :replace does.
const CP1252_HIGH = '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ';

function cp1252(bytes: Buffer): string {
  const s = bytes.toString('latin1');
  return /[\x80-\x9f]/.test(s) ? s.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!) : s;
}

/** The converter for a charset as Logstash users name it (throws for charsets that are not supported). */
export function lineConverter(charset: string): LineConverter {
  return /^(windows-1252|cp1252)$/i.test(charset) ? cp1252 : sharedConverter(charset);
}

export type Emit = (event: Event) => void;

/**
 * Logstash's Event#to_s (Java Event.toString): `<@timestamp> <host> <message>`, a missing field printed
 * as `%{host}` / `%{message}`; used by plain and line when no `format` is set.
 */
export function eventToString(event: Event): string {
  const host = event.get('host');
  const message = event.get('message');
  const rest = `${host === undefined || host === null ? '%{host}' : javaToString(host)} ${message === undefined || message === null ? '%{message}' : javaToString(message)}`;
  const t = event.data['@timestamp'];
  return t instanceof Timestamp ? `${t.toString()} ${rest}` : rest;
}

/** Bytes for a chunk handed to a decoder (inputs normally give Buffers; strings are taken as UTF-8). */
export function asBytes(chunk: Buffer | string): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

/**
 * A per-stream decoder that splits on a delimiter (bytes, so lines and characters split across chunks
 * are reassembled), converts each line's charset and hands it to `onLine`. The unterminated remainder is
 * decoded at end() when it is not empty, as Logstash's codecs do in `flush`.
 */
export function lineDecoder(opts: {
  delimiter: string;
  convert: LineConverter;
  maxLineBytes?: number;
  emit: Emit;
  stream: StreamInfo | undefined;
  onLine: (text: string, emit: Emit) => void;
}): Decoder {
  const { convert, onLine } = opts;
  const fields = opts.stream?.fields;
  const emit: Emit = fields ? (e) => { fields(e); opts.emit(e); } : opts.emit;
  const tok = new LineTokenizer(Buffer.from(opts.delimiter, 'utf8'), opts.maxLineBytes);
  const line = (bytes: Buffer): void => onLine(convert(bytes), emit);
  return {
    push(chunk) { tok.push(asBytes(chunk), line); },
    end() {
      const rest = tok.flush();
      if (rest.length > 0) line(rest);
    },
  };
}

/** Split one complete frame into lines (its unterminated tail counts as a last line). */
export function frameLines(frame: Buffer | string, delimiter: string, convert: LineConverter, onLine: (text: string) => void): void {
  const tok = new LineTokenizer(Buffer.from(delimiter, 'utf8'));
  tok.push(asBytes(frame), (b) => onLine(convert(b)));
  const rest = tok.flush();
  if (rest.length > 0) onLine(convert(rest));
}

/**
 * Where an incomplete UTF-8 sequence starts at the end of a chunk (chunk length when there is none), so
 * a character split between two reads is not mangled.
 */
export function incompleteUtf8Tail(b: Buffer): number {
  const n = b.length;
  for (let back = 1; back <= 3 && back <= n; back++) {
    const c = b[n - back]!;
    if ((c & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = c >= 0xf0 && c <= 0xf4 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n;
}

/** A fresh event with `message`, as the text codecs build them. */
export function messageEvent(message: string): Event {
  return new Event({ message });
}

export const JSON_FAILURE_TAG = '_jsonparsefailure';

/** The event Logstash's json codecs make from text that is not usable JSON. */
export function failureEvent(text: string): Event {
  return new Event({ message: text, tags: [JSON_FAILURE_TAG] });
}
