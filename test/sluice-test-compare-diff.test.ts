import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { Timestamp } from '../src/event/timestamp.js';
import { LsFloat } from '../src/event/values.js';
import { compareEvents, renderDiff } from '../src/testing/compare.js';
import { COLORS, unifiedDiff, wantColor } from '../src/testing/diff.js';
import { junitXml } from '../src/testing/junit.js';
import { applyUpdates } from '../src/testing/update.js';
import { parseCaseFile } from '../src/testing/cases.js';
import type { FileResult } from '../src/testing/run.js';

const file = { ignore: ['@version'], exportMetadata: false };
const farPast = { start: 0, end: 1 }; // no event timestamp falls in this window
const now = () => ({ start: Date.now() - 1000, end: Date.now() + 1000 });

describe('sluice test comparison', () => {
  it('passes when events match; @version is ignored and @timestamp is compared only when expected', () => {
    const e = new Event({ message: 'hi', n: 3 });
    const c = compareEvents(file, [{ message: 'hi', n: 3 }], [e], { window: now() });
    expect(c.pass).toBe(true);
    expect(c.diff).toBe('');
  });

  it('compares an expected @timestamp with the event instant, whatever the ISO 8601 spelling', () => {
    const e = new Event({ '@timestamp': '2015-10-06T20:55:29.000Z', message: 'x' });
    expect(compareEvents(file, [{ '@timestamp': '2015-10-06T20:55:29Z', message: 'x' }], [e], { window: farPast }).pass).toBe(true);
    const bad = compareEvents(file, [{ '@timestamp': '2015-10-06T20:55:30.000Z', message: 'x' }], [e], { window: farPast });
    expect(bad.pass).toBe(false);
    expect(bad.diff).toContain('-    "@timestamp": "2015-10-06T20:55:30.000Z",\n+    "@timestamp": "2015-10-06T20:55:29.000Z",');
  });

  it('treats 10 and 10.0 as equal (as LFV, comparing Go-printed JSON, does) but prints Logstash spellings', () => {
    const e = new Event({ f: new LsFloat(10), g: new LsFloat(0.5), big: 12345678901234567890n });
    expect(compareEvents(file, [{ f: 10, g: new LsFloat(0.5), big: 12345678901234567890n }], [e], { window: farPast }).pass).toBe(true);
    const c = compareEvents(file, [{ f: 10, g: 1, big: 12345678901234567890n }], [e], { window: farPast });
    expect(c.pass).toBe(false);
    // Only the real difference shows: f is printed as the actual 10.0 on both sides.
    expect(c.diff).toBe(`--- expected
+++ actual
@@ -2,6 +2,6 @@
   {
     "big": 12345678901234567890,
     "f": 10.0,
-    "g": 1
+    "g": 0.5
   }
 ]
`);
    expect(c.summary).toBe('event 1 of 1 differs');
  });

  it('leaves out ignored fields, including subfields given as field references, and parents left empty', () => {
    const e = new Event({ host: 'box', log: { file: { path: '/x' }, level: 'info' }, event: { original: 'm' }, message: 'm' });
    const c = compareEvents({ ignore: ['host', '[log][file][path]', '[event][original]', '@version'], exportMetadata: false },
      [{ log: { level: 'info' }, message: 'm' }], [e], { window: now() });
    expect(c.pass).toBe(true);
    expect(c.actualText).not.toContain('"event"');
  });

  it('reports a different number of events and shows the missing event in the diff', () => {
    const c = compareEvents(file, [{ message: 'a' }, { message: 'b' }], [new Event({ message: 'a' })], { window: now() });
    expect(c.pass).toBe(false);
    expect(c.summary).toBe('expected 2 events, got 1');
    expect(c.diff).toContain('-  },\n-  {\n-    "message": "b"\n   }');
  });

  it('compares @metadata only with export_metadata', () => {
    const e = new Event({ message: 'm', '@metadata': { idx: 'logs' } });
    expect(compareEvents(file, [{ message: 'm' }], [e], { window: now() }).pass).toBe(true);
    const withMeta = { ignore: ['@version'], exportMetadata: true };
    expect(compareEvents(withMeta, [{ message: 'm' }], [e], { window: now() }).pass).toBe(false);
    expect(compareEvents(withMeta, [{ message: 'm', '@metadata': { idx: 'logs' } }], [e], { window: now() }).pass).toBe(true);
  });

  it('keeps clock timestamps out of --update results but keeps timestamps a filter set', () => {
    const fromClock = new Event({ message: 'a' });
    const fromDate = new Event({ message: 'b' });
    fromDate.timestamp = new Timestamp(Date.UTC(2015, 9, 6, 20, 55, 29));
    const c = compareEvents(file, [], [fromClock, fromDate], { window: now() });
    expect(c.updated).toEqual([{ message: 'a' }, { '@timestamp': fromDate.timestamp, message: 'b' }]);
  });
});

describe('sluice test diff', () => {
  it('colours removed lines red, added green and hunk headers cyan', () => {
    const d = unifiedDiff('a\nb\n', 'a\nc\n', COLORS);
    expect(d).toBe('\x1b[31m--- expected\x1b[39m\n\x1b[32m+++ actual\x1b[39m\n\x1b[36m@@ -1,2 +1,2 @@\x1b[39m\n a\n\x1b[31m-b\x1b[39m\n\x1b[32m+c\x1b[39m\n');
  });

  it('uses colour on a terminal only, never with NO_COLOR, and on pipes with FORCE_COLOR', () => {
    expect(wantColor({ isTTY: true }, {})).toBe(true);
    expect(wantColor({ isTTY: false }, {})).toBe(false);
    expect(wantColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(wantColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });

  it('renders a comparison coloured on request and plain otherwise', () => {
    const c = compareEvents(file, [{ message: 'x' }], [new Event({ message: 'y' })], { window: now() });
    expect(renderDiff(c)).toBe(c.diff);
    expect(renderDiff(c, COLORS)).toContain('\x1b[31m-    "message": "x"\x1b[39m');
  });
});

describe('sluice test --update', () => {
  it('rewrites YAML expectations in place, keeping comments and the rest of the file', () => {
    const text = `# syslog cases
fields:
  type: syslog   # set by the input
testcases:
  - description: first
    input: ["a"]
    expected:
      - message: old
  - description: second
    input: ["b"]
    expected: []
`;
    const out = applyUpdates({ format: 'yaml', text }, [
      { path: ['testcases', 1, 'expected'], events: [{ message: 'b', n: new LsFloat(2), tags: ['x'] }] },
    ]);
    expect(out).toBe(`# syslog cases
fields:
  type: syslog # set by the input
testcases:
  - description: first
    input: ["a"]
    expected:
      - message: old
  - description: second
    input: ["b"]
    expected:
      - message: b
        n: 2.0
        tags:
          - x
`);
    // What was written reads back as the same values (the float stays a float).
    const back = parseCaseFile('x.yaml', out).cases[1]!.expected[0]!;
    expect(back.n).toBeInstanceOf(LsFloat);
  });

  it('quotes strings a YAML 1.1 reader would take for something else and never folds long lines', () => {
    const long = `${'x'.repeat(120)} end`;
    const text = `testcases:\n  - input: ["${long}"]\n    expected: []\n`;
    const out = applyUpdates({ format: 'yaml', text }, [{
      path: ['testcases', 0, 'expected'],
      events: [{ ts: new Timestamp(0), when: '2024-05-01T10:00:00Z', answer: 'yes', n: '12', plain: 'word', message: long }],
    }]);
    expect(out).toBe(`testcases:
  - input: ["${long}"]
    expected:
      - answer: "yes"
        message: ${long}
        n: "12"
        plain: word
        ts: "1970-01-01T00:00:00.000Z"
        when: "2024-05-01T10:00:00Z"
`);
  });

  it('rewrites JSON expectations, keeping other numbers exactly as written', () => {
    const text = '{"fields": {"n": 1.50, "big": 123456789012345678901}, "testcases": [{"input": ["a"], "expected": []}]}';
    const out = applyUpdates({ format: 'json', text }, [
      { path: ['testcases', 0, 'expected'], events: [{ z: 1, a: new LsFloat(3), ts: new Timestamp(0) }] },
    ]);
    expect(out).toBe(`{
  "fields": {
    "n": 1.50,
    "big": 123456789012345678901
  },
  "testcases": [
    {
      "input": [
        "a"
      ],
      "expected": [
        {
          "a": 3.0,
          "ts": "1970-01-01T00:00:00.000Z",
          "z": 1
        }
      ]
    }
  ]
}
`);
  });
});

describe('sluice test JUnit report', () => {
  it('writes one suite per file with case times, failures with their diff, errors, and escaped text', () => {
    const f = parseCaseFile('cases/a.test.yaml', 'testcases:\n  - {description: "ok <1>", input: ["a"], expected: []}\n  - {description: bad, input: ["b"], expected: []}\n  - {description: boom, input: ["c"], expected: []}\n');
    const cmp = compareEvents(file, [{ m: 'x"&' }], [new Event({ m: 'y' })], { window: now() });
    const results: FileResult[] = [{
      path: 'cases/a.test.yaml', config: ['a.conf'], file: f, setupMs: 2, durationMs: 3.5,
      cases: [
        { testCase: f.cases[0]!, status: 'passed', durationMs: 0.25 },
        { testCase: f.cases[1]!, status: 'failed', comparison: cmp, durationMs: 0.5 },
        { testCase: f.cases[2]!, status: 'error', error: 'filter threw\nat x', durationMs: 1 },
      ],
    }];
    const xml = junitXml(results, 10, new Date(Date.UTC(2026, 0, 2, 3, 4, 5)));
    expect(xml).toContain('<testsuites name="sluice test" tests="3" failures="1" errors="1" time="0.010000">');
    expect(xml).toContain('<testsuite name="cases/a.test.yaml" tests="3" failures="1" errors="1" skipped="0" time="0.003500" timestamp="2026-01-02T03:04:05">');
    expect(xml).toContain('<testcase name="ok &lt;1&gt;" classname="cases/a.test.yaml" time="0.000250"/>');
    expect(xml).toContain('<failure message="event 1 of 1 differs" type="mismatch">--- expected\n+++ actual\n');
    expect(xml).toContain('-    "m": "x\\"&amp;"');
    expect(xml).toContain('<error message="filter threw">filter threw\nat x</error>');
  });
});
