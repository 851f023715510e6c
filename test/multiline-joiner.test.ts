/** Logstash's pattern/negate/what joining rules and limits (logstash-codec-multiline do_previous/do_next). */
import { describe, expect, it } from 'vitest';
import { PatternJoiner, type JoinedRecord, type PatternJoinerOptions } from '../src/formats/multiline/joiner.js';

function run(opts: Partial<PatternJoinerOptions> & { re: RegExp }, lines: string[], final = true): JoinedRecord[] {
  const out: JoinedRecord[] = [];
  const j = new PatternJoiner({
    match: (l) => opts.re.test(l), negate: opts.negate ?? false, what: opts.what ?? 'previous',
    limits: opts.limits ?? { maxLines: 500, maxBytes: 10 * 1024 * 1024 },
  }, (r) => out.push(r));
  for (const l of lines) j.push(l);
  if (final) j.flush();
  return out;
}

describe('pattern joiner', () => {
  it('what => previous joins indented lines to the line before (Logstash spec example)', () => {
    const got = run({ re: /^\s/ }, ['hello world', '   second line', 'another first line']);
    expect(got.map((r) => r.message)).toEqual(['hello world\n   second line', 'another first line']);
    expect(got.map((r) => r.lineCount)).toEqual([2, 1]);
  });

  it('with previous, an event is only emitted when the next event starts (or at flush)', () => {
    const got = run({ re: /^\s/ }, ['a', ' b', 'c', ' d'], false);
    expect(got.map((r) => r.message)).toEqual(['a\n b']);
  });

  it('negate => true with previous joins lines that do not start with a timestamp', () => {
    const got = run({ re: /^\d{4}-\d\d-\d\d /, negate: true }, ['2024-05-01 a', 'x', 'y', '2024-05-01 b']);
    expect(got.map((r) => r.message)).toEqual(['2024-05-01 a\nx\ny', '2024-05-01 b']);
  });

  it('what => next joins a line ending with a backslash to the following line', () => {
    const got = run({ re: /\\$/, what: 'next' }, ['one \\', 'two \\', 'three', 'four']);
    expect(got.map((r) => r.message)).toEqual(['one \\\ntwo \\\nthree', 'four']);
  });

  it('what => next with negate (Logstash spec: "++" continuation markers, inverted)', () => {
    const got = run({ re: /^END/, what: 'next', negate: true }, ['a', 'b', 'END 1', 'c', 'END 2']);
    expect(got.map((r) => r.message)).toEqual(['a\nb\nEND 1', 'c\nEND 2']);
  });

  it('a first line that matches with previous still starts an event (nothing before it)', () => {
    expect(run({ re: /^\s/ }, ['  indented first', 'x']).map((r) => r.message)).toEqual(['  indented first', 'x']);
  });

  it('empty lines are lines too', () => {
    expect(run({ re: /^$/ }, ['a', '', '', 'b']).map((r) => r.message)).toEqual(['a\n\n', 'b']);
  });

  it('max_lines: with previous an event holds max_lines + 1 lines and is tagged, as in Logstash', () => {
    const lines = ['start', ...Array.from({ length: 9 }, (_, i) => `- ${i}`)];
    const got = run({ re: /^-/, limits: { maxLines: 3, maxBytes: 1 << 20 } }, lines);
    expect(got.map((r) => r.lineCount)).toEqual([4, 4, 2]);
    expect(got.map((r) => r.maxLinesReached)).toEqual([true, true, false]);
    expect(got.flatMap((r) => r.message.split('\n'))).toEqual(lines);
  });

  it('max_lines: with next the check happens after buffering', () => {
    const got = run({ re: /\\$/, what: 'next', limits: { maxLines: 2, maxBytes: 1 << 20 } }, ['a\\', 'b\\', 'c\\', 'd\\', 'e']);
    expect(got.map((r) => r.lineCount)).toEqual([3, 2]);
    expect(got[0]!.maxLinesReached).toBe(true);
    expect(got[1]!.maxLinesReached).toBe(false);
  });

  it('max_bytes: the buffer is flushed once it holds at least max_bytes (UTF-8 bytes, newlines not counted)', () => {
    // "é" is two bytes: "xé" is 3 bytes.
    const got = run({ re: /^\s/, limits: { maxLines: 500, maxBytes: 6 } }, ['xé', ' é', ' é', ' é', 'next']);
    expect(got.map((r) => r.message)).toEqual(['xé\n é', ' é\n é', 'next']);
    expect(got.map((r) => r.maxBytesReached)).toEqual([true, true, false]);
  });

  it('a record flushed by a non-matching line still reports limits reached at that moment', () => {
    const got = run({ re: /^\s/, limits: { maxLines: 1, maxBytes: 1 << 20 } }, ['a', ' b', 'c']);
    // "a", " b" → 2 lines > 1: flushed when "c" arrives (it does not match), tagged.
    expect(got[0]).toMatchObject({ message: 'a\n b', maxLinesReached: true });
  });

  it('flush() on an empty joiner emits nothing', () => {
    expect(run({ re: /x/ }, [])).toEqual([]);
  });
});
