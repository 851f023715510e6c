/**
 * Each rule lenient mode relaxes (LENIENT_5424, LENIENT_3164): strict mode rejects the message,
 * lenient mode decodes it to the given fields. Plus RFC 3164 year and zone handling.
 */
import { describe, expect, it } from 'vitest';
import { decodeSyslog, LENIENT_3164, LENIENT_5424, resolveZone, UTC_ZONE, type SyslogMessage } from '../src/formats/syslog/index.js';

const now = Date.UTC(2024, 5, 15);
const strict = (m: string) => decodeSyslog(m, { mode: 'strict', zone: UTC_ZONE, now });
const lenient = (m: string) => decodeSyslog(m, { mode: 'lenient', zone: UTC_ZONE, now });

const relaxed: [rule: string, message: string, fields: Partial<Record<keyof SyslogMessage, unknown>>][] = [
  ['5424 runs of spaces', '<13>1  2024-01-01T00:00:00Z  host  app  -  -  -  hi', { hostname: 'host', appname: 'app', message: 'hi' }],
  ['5424 missing PRI', '1 2023-04-05T16:20:56Z loki.example.com su - ID47 - some message', { priority: null, appname: 'su', msgid: 'ID47' }],
  ['5424 PRI with leading zeros', '<013>1 - - - - - -', { priority: 13 }],
  ['5424 lowercase t and z', '<13>1 2006-01-02t15:04:05z - - - - -', { timestamp: '2006-01-02t15:04:05z' }],
  ['5424 nanoseconds', '<13>1 2003-09-29T22:09:01.123456789Z - - - - -', { timestamp: '2003-09-29T22:09:01.123456789Z' }],
  ['5424 offset without colon', '<13>1 2003-09-29T22:09:01+0200 - - - - -', { timestamp: '2003-09-29T22:09:01+0200' }],
  ['5424 leap second', '<13>1 2016-12-31T23:59:60Z - - - - -', { timestamp: '2016-12-31T23:59:60Z' }],
  ['5424 long APP-NAME', `<13>1 - - ${'a'.repeat(60)} - - -`, { appname: 'a'.repeat(60) }],
  ['5424 unescaped ] in SD value', '<13>1 - - - - - [m k="a]b"] x', { structuredData: { m: { k: 'a]b' } }, message: 'x' }],
  ['5424 other backslash kept', '<13>1 - - - - - [m k="a\\nb"]', { structuredData: { m: { k: 'a\\nb' } } }],
  ['5424 unquoted SD value', '<34>1 2012-12-19T01:45:54.001234Z rufus - - - [meta sequenceId=10] Stack unit 3', { structuredData: { meta: { sequenceId: '10' } }, message: 'Stack unit 3' }],
  ['5424 repeated SD-ID merged', '<13>1 - - - - - [a x="1"][a y="2"]', { structuredData: { a: { x: '1', y: '2' } } }],
  ['5424 missing SD field', '<13>1 - host app 1 - hello there', { structuredData: null, message: 'hello there' }],
  ['3164 missing PRI', 'Oct 11 22:14:15 mymachine su: hi', { priority: null, hostname: 'mymachine', appname: 'su', message: 'hi' }],
  ['3164 month in upper case', '<13>OCT 11 22:14:15 host app: hi', { timestamp: 'OCT 11 22:14:15', appname: 'app' }],
  ['3164 year after the day', '<13>Jan 23 2008 13:27:53 host app: hi', { timestamp: 'Jan 23 2008 13:27:53' }],
  ['3164 ISO date with a space and no offset', '<13>2024-05-01 10:00:00.250 host app: hi', { timestamp: '2024-05-01 10:00:00.250', hostname: 'host', appname: 'app' }],
  ['3164 second 60', '<13>Jun 30 23:59:60 host app: hi', { timestamp: 'Jun 30 23:59:60' }],
  ['3164 Cisco IOS header', '<189>643: *Jan  8 19:46:03.295: %LINEPROTO-5-UPDOWN: Line protocol up', { appname: '%LINEPROTO-5-UPDOWN', ciscoCounter: 643, timestamp: 'Jan  8 19:46:03.295' }],
  ['3164 nothing after the timestamp', '<13>Jun 30 23:59:59', { hostname: null, message: '' }],
  ['3164 control character in HOSTNAME', '<34>Jan  1 00:00:00 \u0001host m: msg', { hostname: '\u0001host', appname: 'm' }],
];

describe('lenient mode relaxes exactly the documented rules', () => {
  it('documents its rules', () => {
    expect(LENIENT_5424.length).toBeGreaterThan(5);
    expect(LENIENT_3164.length).toBeGreaterThan(4);
  });
  for (const [rule, message, fields] of relaxed) {
    it(rule, () => {
      expect(strict(message).ok).toBe(false);
      const r = lenient(message);
      expect(r.ok).toBe(true);
      if (r.ok) expect(r.value).toMatchObject(fields);
    });
  }
});

describe('a TAG without its colon', () => {
  it('is part of MSG in strict mode and the TAG in lenient mode', () => {
    const m = '<13>Jun 30 23:59:59 host sshd[42] Accepted';
    expect(strict(m)).toMatchObject({ ok: true, value: { hostname: 'host', appname: null, message: 'sshd[42] Accepted' } });
    expect(lenient(m)).toMatchObject({ ok: true, value: { hostname: 'host', appname: 'sshd', procid: '42', message: 'Accepted' } });
  });
});

describe('RFC 3164 dates', () => {
  it('lenient: an ISO date without offset is read in the zone', () => {
    const r = decodeSyslog('<13>2024-05-01 10:00:00.250 host app: hi', { mode: 'lenient', zone: resolveZone('-05:00')!, now });
    expect(r.ok && String(r.value.time)).toBe('2024-05-01T15:00:00.250Z');
  });
  it('guesses the year from "now": December received in January is last year', () => {
    const r = decodeSyslog('<13>Dec 31 23:59:59 host app: x', { zone: UTC_ZONE, now: Date.UTC(2025, 0, 1, 0, 0, 5) });
    expect(r.ok && String(r.value.time)).toBe('2024-12-31T23:59:59.000Z');
    const j = decodeSyslog('<13>Jan  1 00:00:01 host app: x', { zone: UTC_ZONE, now: Date.UTC(2024, 11, 31, 23, 59) });
    expect(j.ok && String(j.value.time)).toBe('2025-01-01T00:00:01.000Z');
  });
  it('reads the wall clock in the given zone, with milliseconds from a fraction', () => {
    const r = decodeSyslog('<13>Jan  8 19:46:03.295 host app: x', { zone: resolveZone('Europe/Berlin')!, now });
    expect(r.ok && String(r.value.time)).toBe('2024-01-08T18:46:03.295Z');
  });
  it('Feb 29 in a guessed non-leap year becomes Feb 28, as Logstash\'s date filter does', () => {
    const r = decodeSyslog('<13>Feb 29 10:00:00 host app: x', { zone: UTC_ZONE, now: Date.UTC(2025, 2, 1) });
    expect(r.ok && String(r.value.time)).toBe('2025-02-28T10:00:00.000Z');
  });
  it('rejects impossible dates and times', () => {
    for (const m of ['<13>Feb 30 10:00:00 h a: x', '<13>Jan 32 10:00:00 h a: x', '<13>Jan  1 24:00:00 h a: x', '<13>Jan  1 10:60:00 h a: x', '<13>Foo  1 10:00:00 h a: x']) {
      expect(strict(m).ok, m).toBe(false);
    }
  });
});

describe('format detection and errors', () => {
  it('detects the format per message and reports where decoding stopped', () => {
    expect(strict('<13>1 - - - - - -')).toMatchObject({ ok: true, value: { format: 'rfc5424' } });
    expect(strict('<13>Jan  1 10:00:00 h a: x')).toMatchObject({ ok: true, value: { format: 'rfc3164' } });
    expect(strict('<13>2024-01-01T10:00:00Z h a: x')).toMatchObject({ ok: true, value: { format: 'rfc3164', hostname: 'h' } });
    expect(strict('<192>1 - - - - - -')).toMatchObject({ ok: false, format: 'rfc5424', offset: 1 });
    expect(strict('<13>1 - - - - - X')).toMatchObject({ ok: false, format: 'rfc5424', offset: 16 });
    expect(strict('')).toMatchObject({ ok: false });
  });
  it('a forced format decodes only that format', () => {
    expect(decodeSyslog('<13>Jan  1 10:00:00 h a: x', { format: 'rfc5424' }).ok).toBe(false);
    expect(decodeSyslog('<13>1 - - - - - -', { format: 'rfc3164' }).ok).toBe(false);
  });
});

describe('RFC 3164 day forms accepted in strict mode (as Logstash reads them)', () => {
  for (const [m, ts] of [['<13>Jan  1 10:00:00 h a: x', 'Jan  1 10:00:00'], ['<13>Jan 01 10:00:00 h a: x', 'Jan 01 10:00:00'], ['<13>Jan 1 10:00:00 h a: x', 'Jan 1 10:00:00']] as const) {
    it(JSON.stringify(ts), () => {
      const r = strict(m);
      expect(r.ok && r.value.timestamp).toBe(ts);
      expect(r.ok && String(r.value.time)).toBe('2024-01-01T10:00:00.000Z');
    });
  }
});
