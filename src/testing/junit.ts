/**
 * JUnit XML report (the Ant/Jenkins schema CI systems read): one <testsuite> per case file, one <testcase>
 * per case, times in seconds; a mismatch is a <failure> with the diff, a thrown error an <error>.
 */
import type { FileResult } from './run.js';

export function junitXml(results: FileResult[], totalMs: number, now: Date = new Date()): string {
  let tests = 0;
  let failures = 0;
  let errors = 0;
  const suites: string[] = [];
  for (const r of results) {
    const f = r.cases.filter((c) => c.status === 'failed').length;
    const e = r.cases.filter((c) => c.status === 'error').length + (r.error ? 1 : 0);
    const n = r.cases.length + (r.error ? 1 : 0);
    tests += n; failures += f; errors += e;
    const body: string[] = [];
    if (r.error) {
      body.push(`    <testcase name="(load)" classname="${attr(r.path)}" time="0">\n      <error message="${attr(firstLine(r.error))}">${text(r.error)}</error>\n    </testcase>`);
    }
    for (const c of r.cases) {
      const head = `    <testcase name="${attr(c.testCase.name)}" classname="${attr(r.path)}" time="${seconds(c.durationMs)}"`;
      if (c.status === 'failed') {
        body.push(`${head}>\n      <failure message="${attr(c.comparison!.summary)}" type="mismatch">${text(c.comparison!.diff)}</failure>\n    </testcase>`);
      } else if (c.status === 'error') {
        body.push(`${head}>\n      <error message="${attr(firstLine(c.error ?? ''))}">${text(c.error ?? '')}</error>\n    </testcase>`);
      } else {
        body.push(`${head}/>`);
      }
    }
    suites.push(`  <testsuite name="${attr(r.path)}" tests="${n}" failures="${f}" errors="${e}" skipped="0" time="${seconds(r.durationMs)}" timestamp="${now.toISOString().slice(0, 19)}">\n`
      + `    <properties>\n      <property name="config" value="${attr(r.config.join(' '))}"/>\n      <property name="setup_time" value="${seconds(r.setupMs)}"/>\n    </properties>\n`
      + (body.length ? `${body.join('\n')}\n` : '')
      + '  </testsuite>');
  }
  return '<?xml version="1.0" encoding="UTF-8"?>\n'
    + `<testsuites name="sluice test" tests="${tests}" failures="${failures}" errors="${errors}" time="${seconds(totalMs)}">\n`
    + (suites.length ? `${suites.join('\n')}\n` : '')
    + '</testsuites>\n';
}

function seconds(ms: number): string { return (ms / 1000).toFixed(6); }

function firstLine(s: string): string { return s.split('\n', 1)[0]!; }

// XML 1.0 cannot carry most control characters even escaped: replace them.
// eslint-disable-next-line no-control-regex
const INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function text(s: string): string {
  return s.replace(INVALID, '\ufffd').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
