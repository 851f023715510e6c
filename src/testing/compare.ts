/**
 * Compare a case's actual events with its expected events, the way logstash-filter-verifier does:
 * events in order, fields listed in `ignore` (and `@version`) left out of both sides.
 *
 * `@timestamp` is compared only when the expected event gives one. An event read from a line gets the
 * current time, which no test can predict; a timestamp set by a date filter is worth checking, and LFV
 * case files do list it. (LFV itself ignores only `@version` by default.)
 */
import type { Event } from '../event/event.js';
import { TIMESTAMP } from '../event/event.js';
import { deepClone, type Hash, type Value } from '../event/values.js';
import type { CaseFile } from './cases.js';
import { NO_COLORS, unifiedDiff, type Palette } from './diff.js';
import { alignExpected, isClockTimestamp, prettyJson, removeField, valuesEqual } from './values.js';

export interface Comparison {
  pass: boolean;
  /** One line saying what differs ("expected 2 events, got 1"), empty when passing. */
  summary: string;
  /** Unified diff of the pretty-printed event lists (uncoloured; see `renderDiff`). */
  diff: string;
  /** What `--update` writes: the actual events minus ignored fields and clock timestamps. */
  updated: Hash[];
  expectedText: string;
  actualText: string;
}

export interface CompareOptions {
  /** When the case ran (ms since epoch), to tell clock timestamps from ones a filter set. */
  window: { start: number; end: number };
}

/** An actual event as compared: plain values, @metadata when exported, ignored fields removed. */
export function actualView(event: Event, file: Pick<CaseFile, 'ignore' | 'exportMetadata'>): Hash {
  const h = event.toObject();
  if (file.exportMetadata && Object.keys(event.metadata).length > 0) h['@metadata'] = deepClone(event.metadata);
  for (const ref of file.ignore) removeField(h, ref);
  return h;
}

function expectedView(expected: Hash, file: Pick<CaseFile, 'ignore'>): Hash {
  const h = deepClone(expected);
  for (const ref of file.ignore) removeField(h, ref);
  return h;
}

export function compareEvents(file: Pick<CaseFile, 'ignore' | 'exportMetadata'>, expectedEvents: Hash[], actualEvents: Event[], options: CompareOptions): Comparison {
  const expected = expectedEvents.map((e) => expectedView(e, file));
  const actual = actualEvents.map((e) => actualView(e, file));
  const updated = actual.map((a) => {
    const u = deepClone(a);
    if (isClockTimestamp(u[TIMESTAMP], options.window)) delete u[TIMESTAMP];
    return u;
  });
  // Drop timestamps the expectation does not mention; for extra events, drop clock ones as --update would.
  const compared = actual.map((a, i) => {
    const e = expected[i];
    const keep = e ? Object.prototype.hasOwnProperty.call(e, TIMESTAMP) : !isClockTimestamp(a[TIMESTAMP], options.window);
    if (keep) return a;
    const { [TIMESTAMP]: _dropped, ...rest } = a;
    return rest as Hash;
  });

  const pass = expected.length === compared.length && expected.every((e, i) => valuesEqual(e, compared[i]!));
  const aligned = expected.map((e, i) => alignExpected(e, compared[i]));
  const expectedText = prettyJson(aligned as Value);
  const actualText = prettyJson(compared as Value);
  let summary = '';
  if (!pass) {
    if (expected.length !== compared.length) {
      summary = `expected ${count(expected.length)}, got ${compared.length}`;
    } else {
      const differing = expected.map((e, i) => (valuesEqual(e, compared[i]!) ? 0 : i + 1)).filter((n) => n > 0);
      summary = `event${differing.length > 1 ? 's' : ''} ${differing.join(', ')} of ${compared.length} differ${differing.length > 1 ? '' : 's'}`;
    }
  }
  return { pass, summary, diff: pass ? '' : unifiedDiff(expectedText, actualText), updated, expectedText, actualText };
}

/** The diff again, coloured with the given palette. */
export function renderDiff(c: Comparison, palette: Palette = NO_COLORS): string {
  return c.pass ? '' : unifiedDiff(c.expectedText, c.actualText, palette);
}

function count(n: number): string { return `${n} event${n === 1 ? '' : 's'}`; }
