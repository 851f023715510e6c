import { describe, expect, it } from 'vitest';
import { compileJavaTime, compileJoda, DatePatternError, tokenizeJoda } from '../src/event/joda.js';

const T = Date.UTC(2024, 1, 29, 13, 5, 9, 87); // Thursday 2024-02-29 13:05:09.087 UTC

describe('Joda-Time patterns (UTC)', () => {
  it('tokenizes letters, literals and quotes as Joda does', () => {
    expect(tokenizeJoda("yyyy-MM-dd'T'HH''mm")).toEqual([
      { kind: 'field', letter: 'y', count: 4 },
      { kind: 'literal', text: '-' },
      { kind: 'field', letter: 'M', count: 2 },
      { kind: 'literal', text: '-' },
      { kind: 'field', letter: 'd', count: 2 },
      { kind: 'literal', text: 'T' },
      { kind: 'field', letter: 'H', count: 2 },
      { kind: 'literal', text: "'" },
      { kind: 'field', letter: 'm', count: 2 },
    ]);
  });

  it.each([
    ['yyyy.MM.dd', '2024.02.29'],
    ['YYYY-MM-dd HH:mm:ss.SSS', '2024-02-29 13:05:09.087'],
    ['yy', '24'],
    ['y', '2024'],
    ['MMM MMMM M', 'Feb February 2'],
    ['EEE EEEE e', 'Thu Thursday 4'],
    ['D DDD', '60 060'],
    ['xxxx-ww', '2024-09'],
    ['h a K k', '1 PM 1 13'],
    ['S SS SSSS', '0 08 0870'],
    ['Z ZZ ZZZ z zzzz', '+0000 +00:00 UTC UTC Coordinated Universal Time'],
    ['G C', 'AD 20'],
    ["'week' w", 'week 9'],
  ])('%s', (pattern, out) => {
    expect(compileJoda(pattern)(T)).toBe(out);
  });

  it('reuses the text within the printed unit and recomputes across it', () => {
    const day = compileJoda('yyyy.MM.dd');
    const hour = compileJoda('dd HH');
    const base = Date.UTC(2024, 0, 31, 23, 0, 0);
    expect([day(base), day(base + 59 * 60_000), day(base + 3_600_000), day(base - 86_400_000)]).toEqual(['2024.01.31', '2024.01.31', '2024.02.01', '2024.01.30']);
    expect([hour(base), hour(base + 1), hour(base + 3_600_000)]).toEqual(['31 23', '31 23', '01 00']);
    const ms = compileJoda('ss.SSS');
    expect([ms(base + 1), ms(base + 2)]).toEqual(['00.001', '00.002']);
  });

  it('uses ISO week years at year boundaries', () => {
    expect(compileJoda('xxxx-ww')(Date.UTC(2021, 0, 1))).toBe('2020-53');
    expect(compileJoda('xxxx-ww')(Date.UTC(2024, 11, 30))).toBe('2025-01');
  });

  it('rejects letters Joda does not know', () => {
    expect(() => compileJoda('yyyy-qq')).toThrow(DatePatternError);
    expect(() => compileJoda('')).toThrow('Invalid pattern specification');
  });
});

describe('java.time patterns (UTC)', () => {
  it.each([
    ['uuuu-MM-dd', '2024-02-29'],
    ["yyyy-MM-dd'T'HH:mm:ss.SSSX", '2024-02-29T13:05:09.087Z'],
    ['d/M/yy', '29/2/24'],
    ['QQQ QQQQ', 'Q1 1st quarter'],
    ['xxx xx', '+00:00 +0000'],
    ["'it''s' EEEE", "it's Thursday"],
    ['[HH]', '13'],
  ])('%s', (pattern, out) => {
    expect(compileJavaTime(pattern)(T)).toBe(out);
  });

  it('prints nanoseconds when given', () => {
    expect(compileJavaTime('ss.SSSSSS n')(T, 456_789)).toBe('09.087456 87456789');
  });

  it('rejects reserved characters and over-long fields', () => {
    expect(() => compileJavaTime('yyyy#')).toThrow(DatePatternError);
    expect(() => compileJavaTime('HHH')).toThrow(/Too many pattern letters/);
  });
});
