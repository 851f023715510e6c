/**
 * Bytes of one line → text, following Logstash's LogStash::Util::Charset:
 *
 * - charset UTF-8 (the default): valid UTF-8 is taken as is; invalid UTF-8 is not replaced but escaped
 *   the way Ruby's `String#inspect` prints it, without the quotes (`foo \xED\xB9`), so that no byte is
 *   silently lost;
 * - any other charset: converted to UTF-8, invalid or unmappable bytes becoming U+FFFD.
 */
import { isUtf8 } from 'node:buffer';
import { inspectBytesBody } from '../event/ruby.js';

export type LineConverter = (bytes: Buffer) => string;

/** Ruby's names (case-insensitive) → WHATWG labels understood by TextDecoder. */
const WHATWG: Readonly<Record<string, string>> = {
  'utf-16le': 'utf-16le', 'utf-16be': 'utf-16be', 'utf-16': 'utf-16be', 'ucs-2be': 'utf-16be',
  'windows-1250': 'windows-1250', 'cp1250': 'windows-1250', 'windows-1251': 'windows-1251', 'cp1251': 'windows-1251',
  'windows-1252': 'windows-1252', 'cp1252': 'windows-1252', 'windows-1253': 'windows-1253', 'cp1253': 'windows-1253',
  'windows-1254': 'windows-1254', 'cp1254': 'windows-1254', 'windows-1255': 'windows-1255', 'cp1255': 'windows-1255',
  'windows-1256': 'windows-1256', 'cp1256': 'windows-1256', 'windows-1257': 'windows-1257', 'cp1257': 'windows-1257',
  'windows-1258': 'windows-1258', 'cp1258': 'windows-1258', 'windows-874': 'windows-874', 'cp874': 'windows-874',
  'tis-620': 'windows-874', 'iso-8859-11': 'windows-874', 'iso8859-11': 'windows-874',
  'shift_jis': 'shift_jis', 'sjis': 'shift_jis', 'windows-31j': 'shift_jis', 'cp932': 'shift_jis', 'cswindows31j': 'shift_jis', 'pck': 'shift_jis',
  'euc-jp': 'euc-jp', 'eucjp': 'euc-jp', 'eucjp-ms': 'euc-jp', 'euc-jp-ms': 'euc-jp', 'cp51932': 'euc-jp',
  'iso-2022-jp': 'iso-2022-jp', 'iso2022-jp': 'iso-2022-jp',
  'gbk': 'gbk', 'cp936': 'gbk', 'gb2312': 'gbk', 'euc-cn': 'gbk', 'euccn': 'gbk', 'gb18030': 'gb18030',
  'big5': 'big5', 'big5-hkscs': 'big5', 'big5-hkscs:2008': 'big5', 'cp950': 'big5', 'cp951': 'big5',
  'euc-kr': 'euc-kr', 'euckr': 'euc-kr', 'cp949': 'euc-kr',
  'koi8-r': 'koi8-r', 'cp878': 'koi8-r', 'koi8-u': 'koi8-u',
  'ibm866': 'ibm866', 'cp866': 'ibm866', 'maccyrillic': 'x-mac-cyrillic', 'macroman': 'macintosh',
};
for (const n of [2, 3, 4, 5, 6, 7, 8, 10, 13, 14, 15, 16]) {
  (WHATWG as Record<string, string>)[`iso-8859-${n}`] = `iso-8859-${n}`;
  (WHATWG as Record<string, string>)[`iso8859-${n}`] = `iso-8859-${n}`;
}
// WHATWG folds ISO-8859-9 into windows-1254, which differs only in the C1 range.
(WHATWG as Record<string, string>)['iso-8859-9'] = 'windows-1254';
(WHATWG as Record<string, string>)['iso8859-9'] = 'windows-1254';

const UTF8_NAMES = new Set(['utf-8', 'cp65001', 'utf8-mac', 'utf-8-mac', 'utf-8-hfs']);
const ASCII_NAMES = new Set(['ascii-8bit', 'binary', 'us-ascii', 'ascii', 'ansi_x3.4-1968', '646']);
const LATIN1_NAMES = new Set(['iso-8859-1', 'iso8859-1']);

export class CharsetError extends Error {}

/** The converter for a charset name as Logstash users write it; throws CharsetError when unsupported. */
export function lineConverter(charset: string): LineConverter {
  const key = charset.toLowerCase();
  if (UTF8_NAMES.has(key)) return convertUtf8;
  // Ruby encodes ASCII-8BIT → UTF-8 with :undef => :replace: every high byte becomes U+FFFD.
  if (ASCII_NAMES.has(key)) return (b) => b.toString('latin1').replace(/[\u0080-\u00ff]/g, '\ufffd');
  if (LATIN1_NAMES.has(key)) return (b) => b.toString('latin1');
  const label = WHATWG[key];
  // Node's TextDecoder decodes windows-1252 as ISO-8859-1 (the C1 range comes out as controls), so
  // the 0x80–0x9F range is mapped here.
  if (label === 'windows-1252') return convertCp1252;
  if (label !== undefined) {
    const dec = new TextDecoder(label, { fatal: false });
    return (b) => dec.decode(b);
  }
  throw new CharsetError(`charset "${charset}" is not supported`);
}

/** windows-1252 0x80–0x9F (U+FFFD for the five undefined bytes, as Ruby's :undef => :replace). */
const CP1252_C1 = '€\ufffd‚ƒ„…†‡ˆ‰Š‹Œ\ufffdŽ\ufffd\ufffd‘’“”•–—˜™š›œ\ufffdžŸ';

function convertCp1252(bytes: Buffer): string {
  const latin1 = bytes.toString('latin1');
  return latin1.replace(/[\u0080-\u009f]/g, (c) => CP1252_C1[c.charCodeAt(0) - 0x80]!);
}

function convertUtf8(bytes: Buffer): string {
  return isUtf8(bytes) ? bytes.toString('utf8') : inspectBytesBody(bytes);
}

/** Ruby's String#inspect body of bytes with invalid UTF-8 (see src/event/ruby.ts). */
export const rubyInspectBody = inspectBytesBody;
