/**
 * Stack-trace presets against realistic traces mixed with ordinary log lines (fixtures/multiline/):
 * each fixture's expected events were written by hand as line groups.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JoinedRecord } from '../src/formats/multiline/joiner.js';
import { PresetJoiner, resolvePreset, PresetError, DIALECTS } from '../src/formats/multiline/presets/index.js';

const FIX = new URL('../fixtures/multiline/', import.meta.url);
const LIMITS = { maxLines: 500, maxBytes: 10 * 1024 * 1024 };

function join(preset: string[], lines: readonly string[], limits = LIMITS): JoinedRecord[] {
  const out: JoinedRecord[] = [];
  const j = new PresetJoiner(resolvePreset(preset), limits, (r) => out.push(r));
  for (const l of lines) j.push(l);
  j.flush();
  return out;
}

function fixture(name: string): { lines: string[]; expected: string[][] } {
  const text = readFileSync(new URL(`${name}.log`, FIX), 'utf8');
  const lines = text.split('\n');
  lines.pop(); // the file ends with a newline
  const expected = (JSON.parse(readFileSync(new URL(`${name}.expected.json`, FIX), 'utf8')) as { events: string[][] }).events;
  return { lines, expected };
}

const LANGS = ['java', 'python', 'go', 'ruby', 'nodejs', 'dotnet'];

describe('stack-trace presets on fixtures', () => {
  for (const lang of LANGS) {
    it(`preset ${lang} joins each ${lang} trace into one event and leaves log lines alone`, () => {
      const { lines, expected } = fixture(lang);
      const got = join([lang], lines);
      expect(got.map((r) => r.message.split('\n'))).toEqual(expected);
      expect(got.map((r) => r.lineCount)).toEqual(expected.map((e) => e.length));
    });
    it(`preset stacktraces gives the same events on the ${lang} fixture`, () => {
      const { lines, expected } = fixture(lang);
      expect(join(['stacktraces'], lines).map((r) => r.message.split('\n'))).toEqual(expected);
    });
  }

  it('preset stacktraces splits a stream mixing all six languages correctly', () => {
    const { lines, expected } = fixture('mixed');
    const got = join(['stacktraces'], lines);
    expect(got.length).toBe(expected.length);
    expect(got.map((r) => r.message.split('\n'))).toEqual(expected);
  });

  it('preset stacktraces handles framework and runtime variants (Spring, re-panics, exception groups, AggregateError, inner exceptions, Ruby causes)', () => {
    const { lines, expected } = fixture('variants');
    expect(join(['stacktraces'], lines).map((r) => r.message.split('\n'))).toEqual(expected);
  });

  it('a preset for one language does not join another language\'s trace', () => {
    const { lines } = fixture('python');
    const got = join(['java'], lines);
    // The java preset knows no Python continuation: no traceback is rebuilt, frames stay apart.
    for (const r of got.filter((r) => r.message.includes('Traceback') || r.message.includes('File "'))) {
      expect(r.lineCount).toBe(1);
    }
    expect(got.length).toBeGreaterThan(lines.length - 3);
  });

  it('several presets can be combined', () => {
    const { lines: j } = fixture('java');
    const { lines: p, expected: pe } = fixture('python');
    const got = join(['java', 'python'], [...j, ...p]);
    expect(got.slice(-pe.length).map((r) => r.message.split('\n'))).toEqual(pe);
  });
});

describe('preset joining rules', () => {
  it('an exception header joins the log line before it only when that line reports an error', () => {
    const info = join(['java'], ['12:00:00 INFO started', 'java.lang.IllegalStateException: boom', '\tat a.B.c(B.java:1)']);
    expect(info.map((r) => r.lineCount)).toEqual([1, 2]);
    const err = join(['java'], ['12:00:00 ERROR request failed', 'java.lang.IllegalStateException: boom', '\tat a.B.c(B.java:1)']);
    expect(err.map((r) => r.lineCount)).toEqual([3]);
  });

  it('frames join whatever line is pending, even without a header', () => {
    const got = join(['java'], ['something odd happened', '\tat a.B.c(B.java:1)', '\tat a.B.d(B.java:2)', 'next']);
    expect(got.map((r) => r.message)).toEqual(['something odd happened\n\tat a.B.c(B.java:1)\n\tat a.B.d(B.java:2)', 'next']);
  });

  it('a blank line after a Python traceback becomes its own event when no chained exception follows', () => {
    const got = join(['python'], ['Traceback (most recent call last):', '  File "x.py", line 1, in <module>', 'ValueError: bad', '', 'next line']);
    expect(got.map((r) => r.message)).toEqual(['Traceback (most recent call last):\n  File "x.py", line 1, in <module>\nValueError: bad', '', 'next line']);
  });

  it('a held blank line at the end of the stream is flushed after the trace', () => {
    const got = join(['go'], ['panic: boom', '', 'goroutine 1 [running]:', 'main.main()', '\t/x/main.go:3 +0x1d', '']);
    expect(got.map((r) => r.message)).toEqual(['panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/x/main.go:3 +0x1d', '']);
  });

  it('a new trace right after another starts a new event', () => {
    const got = join(['java'], [
      'java.lang.RuntimeException: one', '\tat a.B.c(B.java:1)',
      'java.lang.RuntimeException: two', '\tat a.B.c(B.java:2)',
    ]);
    expect(got.map((r) => r.lineCount)).toEqual([2, 2]);
  });

  it('max_lines cuts a long trace as Logstash does (max_lines + 1 lines, then the rest)', () => {
    const frames = Array.from({ length: 10 }, (_, i) => `\tat a.B.m${i}(B.java:${i})`);
    const got = join(['java'], ['java.lang.StackOverflowError', ...frames], { maxLines: 4, maxBytes: 1 << 20 });
    expect(got.map((r) => r.lineCount)).toEqual([5, 5, 1]);
    expect(got.map((r) => r.maxLinesReached)).toEqual([true, true, false]);
    expect(got.flatMap((r) => r.message.split('\n'))).toEqual(['java.lang.StackOverflowError', ...frames]);
  });

  it('unknown preset names are rejected with the list of known ones', () => {
    expect(() => resolvePreset(['cobol'])).toThrow(PresetError);
    expect(() => resolvePreset(['cobol'])).toThrow(/java, python, go, ruby, nodejs, dotnet, stacktraces/);
    expect(resolvePreset(['stacktraces', 'java']).length).toBe(DIALECTS.length);
  });

  it('hostile long lines cost little: no dialect regex backtracks badly', () => {
    const nasty = [
      `    at ${'('.repeat(8000)}`,
      `x:1:in '${'(A'.repeat(4000)}`,
      `/${'1'.repeat(8000)}x`,
      `   at A.B(${' in x'.repeat(1600)}`,
      `a.${'$'.repeat(8000)}x`,
      `panic: ${'('.repeat(8000)}`,
      `main.f${'('.repeat(8000)}`,
      `${'a.'.repeat(4000)}Exception${'x'.repeat(100)}`,
    ];
    const t = performance.now();
    const got = join(['stacktraces'], ['java.lang.Error: x', ...nasty, 'Traceback (most recent call last):', ...nasty]);
    expect(performance.now() - t).toBeLessThan(500);
    expect(got.flatMap((r) => r.message.split('\n')).length).toBe(2 + 2 * nasty.length);
  });

  it('lines over the examined length are ordinary lines that frames can still join', () => {
    const long = `ERROR ${'x'.repeat(9000)}`;
    const got = join(['java'], [long, '\tat a.B.c(B.java:1)', 'java.lang.Error: ' + 'y'.repeat(9000)]);
    expect(got.map((r) => r.lineCount)).toEqual([2, 1]);
  });
});

