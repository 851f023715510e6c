/**
 * Pieces shared by the text codecs (plain, line, json, json_lines): charset conversion, line splitting
 * per stream, Logstash's `Event#to_s`, and the option declarations they have in common.
 * (The leading underscore keeps the registry from taking this module for a plugin.)
 */
import { Event } from '../event/event.js';
import { eventsFromJson } from '../event/json.js';
import { javaToString } from '../event/sprintf.js';
import { Timestamp } from '../event/timestamp.js';
import { lineConverter as sharedConverter, type LineConverter } from '../formats/charset.js';
import { LineTokenizer } from '../formats/lines.js';
import type { Decoder, StreamInfo } from '../plugins/api.js';

/** The charset names Logstash accepts (JRuby's Encoding.name_list, as its plugin docs list them). */
export const CHARSETS: readonly string[] = [
  'ASCII-8BIT', 'UTF-8', 'US-ASCII', 'Big5', 'Big5-HKSCS', 'Big5-UAO', 'CP949', 'Emacs-Mule', 'EUC-JP',
  'EUC-KR', 'EUC-TW', 'GB2312', 'GB18030', 'GBK', 'ISO-8859-1', 'ISO-8859-2', 'ISO-8859-3', 'ISO-8859-4',
  'ISO-8859-5', 'ISO-8859-6', 'ISO-8859-7', 'ISO-8859-8', 'ISO-8859-9', 'ISO-8859-10', 'ISO-8859-11',
  'ISO-8859-13', 'ISO-8859-14', 'ISO-8859-15', 'ISO-8859-16', 'KOI8-R', 'KOI8-U', 'Shift_JIS', 'UTF-16BE',
  'UTF-16LE', 'UTF-32BE', 'UTF-32LE', 'Windows-31J', 'Windows-1250', 'Windows-1251', 'Windows-1252',
  'IBM437', 'IBM737', 'IBM775', 'CP850', 'IBM852', 'CP852', 'IBM855', 'CP855', 'IBM857', 'IBM860', 'IBM861',
  'IBM862', 'IBM863', 'IBM864', 'IBM865', 'IBM866', 'IBM869', 'Windows-1258', 'GB1988', 'macCentEuro',
  'macCroatian', 'macCyrillic', 'macGreek', 'macIceland', 'macRoman', 'macRomania', 'macThai', 'macTurkish',
  'macUkraine', 'CP950', 'CP951', 'IBM037', 'stateless-ISO-2022-JP', 'eucJP-ms', 'CP51932', 'EUC-JIS-2004',
  'GB12345', 'ISO-2022-JP', 'ISO-2022-JP-2', 'CP50220', 'CP50221', 'Windows-1256', 'Windows-1253',
  'Windows-1255', 'Windows-1254', 'TIS-620', 'Windows-874', 'Windows-1257', 'MacJapanese', 'UTF-7',
  'UTF8-MAC', 'UTF-16', 'UTF-32', 'UTF8-DoCoMo', 'SJIS-DoCoMo', 'UTF8-KDDI', 'SJIS-KDDI', 'ISO-2022-JP-KDDI',
  'stateless-ISO-2022-JP-KDDI', 'UTF8-SoftBank', 'SJIS-SoftBank', 'BINARY', 'CP437', 'CP737', 'CP775',
  'IBM850', 'CP857', 'CP860', 'CP861', 'CP862', 'CP863', 'CP864', 'CP865', 'CP866', 'CP869', 'CP1258',
  'Big5-HKSCS:2008', 'ebcdic-cp-us', 'eucJP', 'euc-jp-ms', 'EUC-JISX0213', 'eucKR', 'eucTW', 'EUC-CN',
  'eucCN', 'CP936', 'ISO2022-JP', 'ISO2022-JP2', 'ISO8859-1', 'ISO8859-2', 'ISO8859-3', 'ISO8859-4',
  'ISO8859-5', 'ISO8859-6', 'CP1256', 'ISO8859-7', 'CP1253', 'ISO8859-8', 'CP1255', 'ISO8859-9', 'CP1254',
  'ISO8859-10', 'ISO8859-11', 'CP874', 'ISO8859-13', 'CP1257', 'ISO8859-14', 'ISO8859-15', 'ISO8859-16',
  'CP878', 'MacJapan', 'ASCII', 'ANSI_X3.4-1968', '646', 'CP65000', 'CP65001', 'UTF-8-MAC', 'UTF-8-HFS',
  'UCS-2BE', 'UCS-4BE', 'UCS-4LE', 'CP932', 'csWindows31J', 'SJIS', 'PCK', 'CP1250', 'CP1251', 'CP1252',
  'external', 'locale',
];

export const CHARSET_OPTION = {
  type: 'string',
  default: 'UTF-8',
  values: CHARSETS,
  doc: 'Character encoding of the input (`UTF-8`, `CP1252`, `ISO-8859-1`, …); decoded text is UTF-8. Invalid UTF-8 is kept, escaped as Ruby prints it (`\\xFF`). Names Logstash accepts but sluice cannot decode (UTF-32, UTF-7, EBCDIC, DOS code pages) are refused at start-up.',
} as const;

export const DELIMITER_OPTION = { type: 'string', default: '\n', doc: 'The string that separates lines.' } as const;

export type { LineConverter };

/** The converter for a charset as Logstash users name it (throws for charsets that are not supported). */
export function lineConverter(charset: string): LineConverter {
  // Ruby's `external` and `locale` encodings are UTF-8 on the systems Logstash runs on.
  return sharedConverter(charset === 'external' || charset === 'locale' ? 'UTF-8' : charset);
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
    line,
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
  // Built in its final key order, so the constructor has nothing to copy or add (the hot path of every
  // line-based input).
  return new Event({ '@timestamp': Timestamp.now(), message, '@version': '1' });
}

export const JSON_FAILURE_TAG = '_jsonparsefailure';

/** The event Logstash's json codecs make from text that is not usable JSON. */
export function failureEvent(text: string): Event {
  return new Event({ message: text, tags: [JSON_FAILURE_TAG] });
}

/**
 * The events of one JSON text (an object, or an array of objects), decoded under `target` when given; when
 * the text is not usable JSON, Logstash's failure event is emitted instead and undefined returned.
 */
export function decodeJson(text: string, target: string | undefined, emit: Emit): Event[] | undefined {
  try {
    return eventsFromJson(text, target);
  } catch {
    emit(failureEvent(text));
    return undefined;
  }
}
