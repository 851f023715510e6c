import { describe, expect, it } from 'vitest';
import { NO_COLORS } from '../src/testing/diff.js';
import { parseCaseFile } from '../src/testing/cases.js';
import { Progress, formatFileResult, formatMs, summaryLine, totals } from '../src/testing/report.js';
import type { FileResult } from '../src/testing/run.js';

function sink(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, stream: { isTTY, columns: 40, write: (s: string) => { writes.push(s); return true; } } };
}

describe('sluice test reporting', () => {
  it('draws a progress line on a terminal only, after the delay, truncated to the width, and erases it', () => {
    const tty = sink(true);
    const p = new Progress(tty.stream, { enabled: true, delayMs: 0 });
    p.update(3, 10, 'fixtures/pipelines/a-rather-long-name.test.yaml › case');
    expect(tty.writes).toEqual(['\r\x1b[2K[3/10] fixtures/pipelines/a-rather-lon…']);
    p.update(4, 10, 'next'); // within 100 ms of the last draw: skipped
    expect(tty.writes).toHaveLength(1);
    p.clear();
    expect(tty.writes.at(-1)).toBe('\r\x1b[2K');

    const pipe = sink(false);
    const q = new Progress(pipe.stream, { enabled: true, delayMs: 0 });
    q.update(1, 2, 'x');
    q.clear();
    expect(pipe.writes).toEqual([]);

    const quick = sink(true);
    const r = new Progress(quick.stream, { enabled: true, delayMs: 60_000 });
    r.update(1, 2, 'x'); // a short run never shows it
    expect(quick.writes).toEqual([]);
  });

  it('prints passing cases with their time only in verbose mode, and a summary with counts and times', () => {
    const f = parseCaseFile('/nowhere/a.test.yaml', 'testcases:\n  - {description: one, input: [a], expected: []}\n  - {input: [b], expected: []}\n');
    const r: FileResult = {
      path: '/nowhere/a.test.yaml', config: ['/nowhere/a.conf'], file: f, setupMs: 12.3, durationMs: 5,
      cases: [{ testCase: f.cases[0]!, status: 'passed', durationMs: 0.42 }, { testCase: f.cases[1]!, status: 'passed', durationMs: 1.5 }],
    };
    expect(formatFileResult(r, NO_COLORS, false)).toBe('');
    expect(formatFileResult(r, NO_COLORS, true)).toBe('PASS /nowhere/a.test.yaml › one (0.42 ms)\nPASS /nowhere/a.test.yaml › #2 (1.5 ms)\n');
    expect(summaryLine(totals([r]), 40, NO_COLORS)).toBe('2 passed, 0 failed (2 cases in 1 file, 0.96 ms per case (median; mean 0.96 ms), filter setup 12.3 ms, total 40.0 ms)\n');
  });

  it('formats durations readably from microseconds to seconds', () => {
    expect([formatMs(0.0456), formatMs(3.21), formatMs(250.4), formatMs(12_345)]).toEqual(['0.05 ms', '3.2 ms', '250 ms', '12.3 s']);
  });
});
