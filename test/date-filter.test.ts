/**
 * The date filter, with the cases of logstash-filter-date's spec (spec/filters/date_spec.rb) and Joda's
 * parsing rules it relies on.
 */
import { createPlugin, testContext } from './helpers/plugin-context.js';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import { LsFloat } from '../src/event/values.js';
import dateFilter, { createDateFilter, type DateFilterConfig } from '../src/filters/date/index.js';

function run(cfg: Partial<DateFilterConfig> & { formats: string[] }, data: Record<string, unknown>): { ok: boolean; ev: Event } {
  const f = createDateFilter({ field: 'mydate', target: '@timestamp', tagOnFailure: ['_dateparsefailure'], ...cfg });
  const ev = new Event({ '@timestamp': '2000-01-01T00:00:00Z', ...data } as never);
  const ok = f.filter(ev, () => undefined) as boolean;
  return { ok, ev };
}
const ts = (ev: Event, field = '@timestamp'): string => String(ev.get(field));

describe('ISO8601 (spec: parsing with ISO8601, timezone UTC)', () => {
  const times: Record<string, string> = {
    '2001-01-01T00:00:00-0800': '2001-01-01T08:00:00.000Z',
    '1974-03-02T04:09:09-0800': '1974-03-02T12:09:09.000Z',
    '2010-05-03T08:18:18+00:00': '2010-05-03T08:18:18.000Z',
    '2004-07-04T12:27:27-00:00': '2004-07-04T12:27:27.000Z',
    '2001-09-05T16:36:36+0000': '2001-09-05T16:36:36.000Z',
    '2001-11-06T20:45:45-0000': '2001-11-06T20:45:45.000Z',
    '2001-12-07T23:54:54Z': '2001-12-07T23:54:54.000Z',
    '2010-05-03T08:18:18.123+00:00': '2010-05-03T08:18:18.123Z',
    '2004-07-04T12:27:27.123-04:00': '2004-07-04T16:27:27.123Z',
    '2001-09-05T16:36:36.123+0700': '2001-09-05T09:36:36.123Z',
    '2001-11-06T20:45:45.123-0000': '2001-11-06T20:45:45.123Z',
    '2001-12-07T23:54:54.123Z': '2001-12-07T23:54:54.123Z',
    '2001-12-07T23:54:54,123Z': '2001-12-07T23:54:54.123Z',
    '2001-11-06 20:45:45.123-0000': '2001-11-06T20:45:45.123Z',
    '2001-12-07 23:54:54.123Z': '2001-12-07T23:54:54.123Z',
    '2001-12-07 23:54:54,123Z': '2001-12-07T23:54:54.123Z',
    '2001-11-06 20:45:45.123': '2001-11-06T20:45:45.123Z',
    '2001-11-06 20:45:45,123': '2001-11-06T20:45:45.123Z',
  };
  for (const [input, output] of Object.entries(times)) {
    it(`${input} → ${output}`, () => {
      const { ok, ev } = run({ formats: ['ISO8601'], timezone: 'UTC', locale: 'en' }, { mydate: input });
      expect(ok).toBe(true);
      expect(ts(ev)).toBe(output);
      expect(ev.get('mydate')).toBe(input);
    });
  }
  it('reads a date without offset in the configured zone, and keeps milliseconds only', () => {
    expect(ts(run({ formats: ['ISO8601'], timezone: 'America/Los_Angeles' }, { mydate: '2013-06-24T01:29:01.123456' }).ev)).toBe('2013-06-24T08:29:01.123Z');
  });
  it('does not take a space-separated date without fraction (not one of the almost-ISO forms)', () => {
    expect(run({ formats: ['ISO8601'], timezone: 'UTC' }, { mydate: '2001-11-06 20:45:45' }).ok).toBe(false);
  });
});

describe('UNIX, UNIX_MS, TAI64N', () => {
  it('UNIX: strings and numbers; fractions kept to milliseconds; garbage is a failure, not zero', () => {
    expect(ts(run({ formats: ['UNIX'] }, { mydate: '0' }).ev)).toBe('1970-01-01T00:00:00.000Z');
    expect(ts(run({ formats: ['UNIX'] }, { mydate: '1000000000' }).ev)).toBe('2001-09-09T01:46:40.000Z');
    expect(ts(run({ formats: ['UNIX'] }, { mydate: 1000000000 }).ev)).toBe('2001-09-09T01:46:40.000Z');
    expect(ts(run({ formats: ['UNIX'] }, { mydate: '1350414944.123456' }).ev)).toBe('2012-10-16T19:15:44.123Z');
    expect(ts(run({ formats: ['UNIX'] }, { mydate: new LsFloat(1350414944.123456) }).ev)).toBe('2012-10-16T19:15:44.123Z');
    const bad = run({ formats: ['UNIX'] }, { mydate: '%{bad_value}' });
    expect(bad.ok).toBe(false);
    expect(bad.ev.tags).toEqual(['_dateparsefailure']);
    expect(ts(bad.ev)).toBe('2000-01-01T00:00:00.000Z');
  });
  it('UNIX_MS', () => {
    for (const [input, out] of [['0', '1970-01-01T00:00:00.000Z'], ['456', '1970-01-01T00:00:00.456Z'], ['1000000000123', '2001-09-09T01:46:40.123Z'], [456, '1970-01-01T00:00:00.456Z'], [1000000000123, '2001-09-09T01:46:40.123Z']] as const) {
      expect(ts(run({ formats: ['UNIX_MS'] }, { mydate: input }).ev)).toBe(out);
    }
  });
  it('TAI64N with and without the leading @', () => {
    expect(ts(run({ formats: ['TAI64N'] }, { mydate: '4000000050d506482dbdf024' }).ev)).toBe('2012-12-22T01:00:46.767Z');
    expect(ts(run({ formats: ['TAI64N'] }, { mydate: '@4000000050d506482dbdf024' }).ev)).toBe('2012-12-22T01:00:46.767Z');
  });
});

describe('Joda patterns', () => {
  const jan2014 = (): number => Date.UTC(2014, 0, 1, 0, 30, 50);
  it('MMM dd HH:mm:ss Z takes the current year and the offset in the text', () => {
    const { ok, ev } = run({ formats: ['MMM dd HH:mm:ss Z'], locale: 'en', now: () => Date.UTC(2024, 5, 1) }, { mydate: 'Nov 24 01:29:01 -0800' });
    expect(ok).toBe(true);
    expect(ts(ev)).toBe('2024-11-24T09:29:01.000Z');
  });
  it('a December event seen in January gets the previous year; a January one seen in December the next', () => {
    expect(ts(run({ formats: ['MMM dd HH:mm:ss'], timezone: 'UTC', now: jan2014 }, { mydate: 'Dec 31 23:59:00' }).ev)).toBe('2013-12-31T23:59:00.000Z');
    expect(ts(run({ formats: ['MMM dd HH:mm:ss'], timezone: 'UTC', now: () => Date.UTC(2013, 11, 31, 23, 59, 50) }, { mydate: 'Jan 01 01:00:00' }).ev)).toBe('2014-01-01T01:00:00.000Z');
  });
  it('syslog timestamps: MMM  d (two spaces) and MMM dd, tried in order', () => {
    const cfg = { formats: ['MMM  d HH:mm:ss', 'MMM dd HH:mm:ss'], timezone: 'UTC', now: () => Date.UTC(2024, 5, 1) };
    expect(ts(run(cfg, { mydate: 'Oct  1 12:00:00' }).ev)).toBe('2024-10-01T12:00:00.000Z');
    expect(ts(run(cfg, { mydate: 'Oct 11 12:00:00' }).ev)).toBe('2024-10-11T12:00:00.000Z');
    expect(run({ ...cfg, formats: ['MMM dd HH:mm:ss'] }, { mydate: 'Oct  1 12:00:00' }).ok).toBe(false);
  });
  it('EEE MMM dd HH:mm:ss: the default year is this year', () => {
    expect(ts(run({ formats: ['EEE MMM dd HH:mm:ss'], locale: 'en', timezone: 'UTC', now: () => Date.UTC(2024, 5, 1) }, { mydate: 'Sun Jun 02 20:38:03' }).ev)).toBe('2024-06-02T20:38:03.000Z');
  });
  it('timezone option (IANA, with DST) and timezone from the event', () => {
    const times: Record<string, string> = { '2013 Nov 24 01:29:01': '2013-11-24T09:29:01.000Z', '2013 Jun 24 01:29:01': '2013-06-24T08:29:01.000Z' };
    for (const [input, out] of Object.entries(times)) {
      expect(ts(run({ formats: ['yyyy MMM dd HH:mm:ss'], locale: 'en', timezone: 'America/Los_Angeles' }, { mydate: input }).ev)).toBe(out);
      expect(ts(run({ formats: ['yyyy MMM dd HH:mm:ss'], locale: 'en', timezone: '%{mytz}' }, { mydate: input, mytz: 'America/Los_Angeles' }).ev)).toBe(out);
    }
  });
  it('locale: French month names (fr, fr-FR, fr_FR)', () => {
    for (const locale of ['fr', 'fr-FR', 'fr_FR']) {
      expect(ts(run({ formats: ['dd MMMM yyyy'], locale, timezone: 'UTC' }, { mydate: '14 juillet 1789' }).ev)).toBe('1789-07-14T00:00:00.000Z');
    }
  });
  it('http dates: dd/MMM/yyyy:HH:mm:ss Z', () => {
    expect(ts(run({ formats: ['dd/MMM/yyyy:HH:mm:ss Z'], locale: 'en' }, { mydate: '25/Mar/2013:20:33:56 +0000' }).ev)).toBe('2013-03-25T20:33:56.000Z');
    expect(ts(run({ formats: ['dd/MMM/yyyy:HH:mm:ss Z'] }, { mydate: '12/Jan/2011:06:29:59 +0100' }).ev)).toBe('2011-01-12T05:29:59.000Z');
  });
  it('a value that does not fit the pattern fails without throwing, and is tagged', () => {
    const r = run({ formats: ['yyyy/MM/dd'], tagOnFailure: ['date_failed'] }, { mydate: '2013/Apr/21' });
    expect(r.ok).toBe(false);
    expect(r.ev.tags).toEqual(['date_failed']);
    expect(run({ formats: ['yyyy/MM/dd'], timezone: 'UTC' }, { mydate: '2013/04/21' }).ok).toBe(true);
  });
  it('rejects invalid field values (Feb 30, hour 24) and trailing text', () => {
    expect(run({ formats: ['yyyy-MM-dd'], timezone: 'UTC' }, { mydate: '2013-02-30' }).ok).toBe(false);
    expect(run({ formats: ['yyyy-MM-dd HH:mm'], timezone: 'UTC' }, { mydate: '2013-02-03 24:00' }).ok).toBe(false);
    expect(run({ formats: ['yyyy-MM-dd'], timezone: 'UTC' }, { mydate: '2013-02-03x' }).ok).toBe(false);
  });
  it('quoted literals, compact numeric patterns, fractions, 12-hour clock, two-digit years, zone ids', () => {
    expect(ts(run({ formats: ["yyyy-MM-dd'T'HH:mm:ss.SSSZZ"] }, { mydate: '2015-01-01T01:12:23.456+01:00' }).ev)).toBe('2015-01-01T00:12:23.456Z');
    expect(ts(run({ formats: ['yyyyMMddHHmmss'], timezone: 'UTC' }, { mydate: '20150102030405' }).ev)).toBe('2015-01-02T03:04:05.000Z');
    expect(ts(run({ formats: ['MM/dd/yy hh:mm a'], timezone: 'UTC', now: () => Date.UTC(2024, 0, 5) }, { mydate: '03/04/15 01:05 PM' }).ev)).toBe('2015-03-04T13:05:00.000Z');
    expect(ts(run({ formats: ['MM/dd/yy'], timezone: 'UTC', now: () => Date.UTC(2024, 0, 5) }, { mydate: '03/04/70' }).ev)).toBe('1970-03-04T00:00:00.000Z');
    expect(ts(run({ formats: ['yyyy-MM-dd HH:mm:ss ZZZ'] }, { mydate: '2013-06-24 01:29:01 America/Los_Angeles' }).ev)).toBe('2013-06-24T08:29:01.000Z');
    expect(ts(run({ formats: ['d MMM yyyy'], timezone: 'UTC' }, { mydate: '7 SEPTEMBER 2014' }).ev)).toBe('2014-09-07T00:00:00.000Z');
  });
});

describe('fields and options', () => {
  it('nested source field and a target other than @timestamp', () => {
    const { ev } = run({ field: '[data][deep]', formats: ['ISO8601'], target: '[parsed][at]' }, { data: { deep: '2013-01-01T00:00:00.000Z' } });
    expect(ts(ev, '[parsed][at]')).toBe('2013-01-01T00:00:00.000Z');
    expect(ts(ev)).toBe('2000-01-01T00:00:00.000Z');
    expect(JSON.parse(ev.toJSON()).parsed).toEqual({ at: '2013-01-01T00:00:00.000Z' });
  });
  it('a missing or nil field changes nothing and is not a failure', () => {
    for (const data of [{}, { mydate: null }]) {
      const r = run({ formats: ['ISO8601'] }, data);
      expect(r.ok).toBe(false);
      expect(r.ev.tags).toEqual([]);
    }
  });
  it('an array value is a failure (Logstash parses only strings and numbers)', () => {
    expect(run({ formats: ['ISO8601'] }, { mydate: ['2013-01-01T00:00:00Z'] }).ev.tags).toEqual(['_dateparsefailure']);
  });
  it('configuration errors: match without a format, unknown zone, unparseable pattern letter', async () => {
    const ctx = testContext({ id: 'd' });
    await expect(createPlugin(dateFilter, { match: ['mydate'] }, ctx)).rejects.toThrow(/at least one date format/);
    await expect(createPlugin(dateFilter, { match: ['mydate', 'ISO8601'], timezone: 'Nowhere/City' }, ctx)).rejects.toThrow(/unknown timezone/);
    await expect(createPlugin(dateFilter, { match: ['mydate', 'HH:mm z'] }, ctx)).rejects.toThrow(/cannot be parsed/);
  });
});

describe('the same time text on consecutive events', () => {
  it('is parsed again when the zone changes (timezone from a field), and kept when it does not', () => {
    const f = createDateFilter({ field: 'mydate', target: '@timestamp', tagOnFailure: ['_dateparsefailure'], formats: ['yyyy-MM-dd HH:mm:ss'], timezone: '%{tz}' });
    const at = (tz: string): string => {
      const ev = new Event({ mydate: '2024-05-01 10:00:00', tz } as never);
      f.filter(ev, () => undefined);
      return String(ev.get('@timestamp'));
    };
    expect(at('UTC')).toBe('2024-05-01T10:00:00.000Z');
    expect(at('UTC')).toBe('2024-05-01T10:00:00.000Z');
    expect(at('Europe/Paris')).toBe('2024-05-01T08:00:00.000Z');
    expect(at('America/New_York')).toBe('2024-05-01T14:00:00.000Z');
    expect(at('America/New_York')).toBe('2024-05-01T14:00:00.000Z');
    expect(at('UTC')).toBe('2024-05-01T10:00:00.000Z');
  });
});
