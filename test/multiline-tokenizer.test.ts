/** Byte-level line splitting across chunks, and Logstash's charset conversion of each line. */
import { describe, expect, it } from 'vitest';
import { LineTokenizer } from '../src/formats/lines.js';
import { lineConverter, rubyInspectBody, CharsetError } from '../src/formats/charset.js';

function split(chunks: (Buffer | string)[], delim = '\n', max?: number): { lines: string[]; rest: string } {
  const t = new LineTokenizer(Buffer.from(delim), max);
  const lines: string[] = [];
  for (const c of chunks) t.push(typeof c === 'string' ? Buffer.from(c) : c, (b) => lines.push(b.toString('utf8')));
  return { lines, rest: t.flush().toString('utf8') };
}

describe('line tokenizer', () => {
  it('keeps the remainder until its delimiter arrives', () => {
    expect(split(['hel', 'lo\nwor', 'ld\n', 'tail'])).toEqual({ lines: ['hello', 'world'], rest: 'tail' });
  });

  it('keeps empty lines and does not strip \\r', () => {
    expect(split(['a\n\nb\r\n'])).toEqual({ lines: ['a', '', 'b\r'], rest: '' });
  });

  it('reassembles a UTF-8 character split between chunks', () => {
    const bytes = Buffer.from('κόσμε\n', 'utf8');
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(split([bytes.subarray(0, cut), bytes.subarray(cut)]).lines).toEqual(['κόσμε']);
    }
  });

  it('feeds byte by byte', () => {
    const bytes = Buffer.from('één\ntwee\n', 'utf8');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(split(chunks).lines).toEqual(['één', 'twee']);
  });

  it('finds a multi-byte delimiter that straddles two chunks', () => {
    expect(split(['one\r', '\ntwo\r\nthree\r', '\n'], '\r\n')).toEqual({ lines: ['one', 'two', 'three'], rest: '' });
    expect(split(['a|', '|', '|b|||c'], '|||')).toEqual({ lines: ['a', 'b'], rest: 'c' });
    expect(split(['a|', '|x|||'], '|||')).toEqual({ lines: ['a||x'], rest: '' });
  });

  it('does not keep a reference to the caller\'s buffer for the remainder', () => {
    const t = new LineTokenizer(Buffer.from('\n'));
    const chunk = Buffer.from('abc');
    t.push(chunk, () => undefined);
    chunk.fill(0x78);
    expect(t.flush().toString()).toBe('abc');
  });

  it('cuts an endless line at the limit, on a character boundary', () => {
    const { lines, rest } = split(['ab', 'cdé', 'fgh'], '\n', 4);
    expect(lines).toEqual(['abcd', 'éfg']);
    expect(rest).toBe('h');
  });
});

describe('charset conversion (LogStash::Util::Charset)', () => {
  it('valid UTF-8 is kept as is', () => {
    expect(lineConverter('UTF-8')(Buffer.from('κόσμε'))).toBe('κόσμε');
  });

  it('invalid UTF-8 is escaped like Ruby inspect (Logstash spec: "foo \\xED\\xB9\\x81\\xC3")', () => {
    const conv = lineConverter('UTF-8');
    expect(conv(Buffer.from([0x66, 0x6f, 0x6f, 0x20, 0xed, 0xb9, 0x81, 0xc3]))).toBe('foo \\xED\\xB9\\x81\\xC3');
    expect(conv(Buffer.from([0x62, 0x61, 0x72, 0x20, 0xad]))).toBe('bar \\xAD');
  });

  it('Ruby inspect escapes quotes, backslashes, controls and #{ in an invalid string, keeps valid characters', () => {
    const b = Buffer.concat([Buffer.from('"q" \\ \t #{x} é '), Buffer.from([0x01, 0xff])]);
    expect(rubyInspectBody(b)).toBe('\\"q\\" \\\\ \\t \\#{x} é \\u0001\\xFF');
  });

  it('ISO-8859-1 is converted to UTF-8 (Logstash spec: "\\xE0 Montr\\xE9al")', () => {
    expect(lineConverter('ISO-8859-1')(Buffer.from([0xe0, 0x20, 0x4d, 0x6f, 0x6e, 0x74, 0x72, 0xe9, 0x61, 0x6c]))).toBe('à Montréal');
  });

  it('ASCII-8BIT turns every high byte into U+FFFD (Logstash spec)', () => {
    expect(lineConverter('ASCII-8BIT')(Buffer.from([0xe0, 0x20, 0x4d, 0xe9]))).toBe('\ufffd M\ufffd');
  });

  it('other charsets go through their decoders; unknown ones are rejected', () => {
    expect(lineConverter('CP1252')(Buffer.from([0x80, 0x20, 0x93, 0x78, 0x94]))).toBe('€ “x”');
    expect(lineConverter('Shift_JIS')(Buffer.from([0x82, 0xa0]))).toBe('あ');
    expect(() => lineConverter('EBCDIC-FANTASY')).toThrow(CharsetError);
  });
});
