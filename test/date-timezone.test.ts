/**
 * Zones for the date filter and RFC 3164: IANA names through Intl, fixed offsets, DST edges, and
 * Logstash's year guess.
 */
import { describe, expect, it } from 'vitest';
import { guessYear, resolveZone, wallToUtc, yearMonthIn } from '../src/event/timezone.js';

const iso = (ms: number): string => new Date(ms).toISOString();

describe('resolveZone', () => {
  it('accepts IANA names, UTC spellings and offsets; rejects unknown names', () => {
    expect(resolveZone('Europe/Paris')?.offsetAt(Date.UTC(2024, 0, 15))).toBe(60);
    expect(resolveZone('Europe/Paris')?.offsetAt(Date.UTC(2024, 6, 15))).toBe(120);
    expect(resolveZone('UTC')?.offsetAt(0)).toBe(0);
    expect(resolveZone('Etc/UTC')?.offsetAt(0)).toBe(0);
    expect(resolveZone('-05:00')?.offsetAt(0)).toBe(-300);
    expect(resolveZone('+0530')?.offsetAt(0)).toBe(330);
    expect(resolveZone('Asia/Kolkata')?.offsetAt(0)).toBe(330);
    expect(resolveZone('Mars/Olympus')).toBeUndefined();
    expect(resolveZone('+25:00')).toBeUndefined();
  });
});

describe('wallToUtc', () => {
  const ny = resolveZone('America/New_York')!;
  it('converts wall-clock times on both sides of DST', () => {
    expect(iso(wallToUtc(ny, 2024, 1, 15, 12, 0, 0, 0))).toBe('2024-01-15T17:00:00.000Z');
    expect(iso(wallToUtc(ny, 2024, 7, 15, 12, 0, 0, 0))).toBe('2024-07-15T16:00:00.000Z');
  });
  it('moves a time in the spring-forward gap forward by the gap', () => {
    // 2024-03-10 02:30 does not exist in New York; 03:30 EDT is 07:30Z.
    expect(iso(wallToUtc(ny, 2024, 3, 10, 2, 30, 0, 0))).toBe('2024-03-10T07:30:00.000Z');
  });
  it('maps a time in the autumn overlap to one of its two instants', () => {
    const t = wallToUtc(ny, 2024, 11, 3, 1, 30, 0, 0);
    expect(['2024-11-03T05:30:00.000Z', '2024-11-03T06:30:00.000Z']).toContain(iso(t));
  });
  it('handles years before 100 without the Date.UTC two-digit quirk', () => {
    expect(new Date(wallToUtc(resolveZone('UTC')!, 42, 6, 1, 0, 0, 0, 0)).getUTCFullYear()).toBe(42);
  });
});

describe('year guessing (logstash-filter-date JodaParser)', () => {
  it('December seen in January → previous year; January seen in December → next year; else this year', () => {
    expect(guessYear(12, { year: 2025, month: 1 })).toBe(2024);
    expect(guessYear(1, { year: 2024, month: 12 })).toBe(2025);
    expect(guessYear(11, { year: 2025, month: 1 })).toBe(2025);
    expect(guessYear(6, { year: 2025, month: 6 })).toBe(2025);
  });
  it('reads "now" in the zone: 2024-12-31T23:30Z is already January in Tokyo', () => {
    expect(yearMonthIn(resolveZone('Asia/Tokyo')!, Date.UTC(2024, 11, 31, 23, 30))).toEqual({ year: 2025, month: 1 });
  });
});
