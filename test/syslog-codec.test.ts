/**
 * The syslog codec: field names in both ECS modes, failures kept and tagged, bytes that are not UTF-8,
 * line splitting, and the checks of the shared conformance runner (run-syslog.mjs) applied to
 * decodeFrame directly, so a regression shows here before the end-to-end run.
 */
import { readFileSync } from 'node:fs';
import { createPlugin, testContext } from './helpers/plugin-context.js';
import { compareSyslogFields, loadSyslogCases } from './helpers/syslog-corpus.js';
import { describe, expect, it } from 'vitest';
import syslogCodec, { createSyslogCodec, encodeRfc5424, type SyslogCodecConfig } from '../src/codecs/syslog.js';
import type { Event } from '../src/event/event.js';
import { FACILITY_LABELS, resolveZone, SEVERITY_LABELS, UTC_ZONE } from '../src/formats/syslog/index.js';

const base: SyslogCodecConfig = {
  ecs: 'v8', lenient: false, format: 'auto', zone: UTC_ZONE, monthNames: undefined,
  useLabels: true, facilityLabels: FACILITY_LABELS, severityLabels: SEVERITY_LABELS,
  now: () => Date.UTC(2024, 5, 1),
};

function decode(input: string | Buffer, cfg: Partial<SyslogCodecConfig> = {}): Record<string, unknown> {
  const out: Event[] = [];
  createSyslogCodec({ ...base, ...cfg }).decodeFrame!(input, (e) => out.push(e));
  expect(out).toHaveLength(1);
  return JSON.parse(out[0]!.toJSON()) as Record<string, unknown>;
}

describe('ECS mode', () => {
  it('maps every RFC 5424 header field', () => {
    const ev = decode('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="Application"][examplePriority@32473 class="high"] \ufeffAn application event');
    expect(ev).toMatchObject({
      '@timestamp': '2003-10-11T22:14:15.003Z',
      log: { syslog: {
        priority: 165, facility: { code: 20, name: 'local4' }, severity: { code: 5, name: 'Notice' }, version: 1,
        hostname: 'mymachine.example.com', appname: 'evntslog', procid: '1234', msgid: 'ID47',
        structured_data: { 'exampleSDID@32473': { iut: '3', eventSource: 'Application' }, 'examplePriority@32473': { class: 'high' } },
      } },
      host: { hostname: 'mymachine.example.com' },
      process: { name: 'evntslog', pid: 1234 },
      message: 'An application event',
      event: { original: '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog 1234 ID47 [exampleSDID@32473 iut="3" eventSource="Application"][examplePriority@32473 class="high"] \ufeffAn application event' },
    });
    expect(ev).not.toHaveProperty('timestamp');
  });

  it('leaves NILVALUE fields out and keeps a non-numeric PROCID out of [process][pid]', () => {
    const ev = decode('<13>1 - - app worker-3 - - hi');
    expect(ev.log).toEqual({ syslog: { priority: 13, facility: { code: 1, name: 'user-level' }, severity: { code: 5, name: 'Notice' }, version: 1, appname: 'app', procid: 'worker-3' } });
    expect(ev.process).toEqual({ name: 'app' });
    expect(ev).not.toHaveProperty('host');
  });

  it('maps RFC 3164 like Logstash\'s syslog input in ECS mode', () => {
    const ev = decode('<133>Mar 11 08:44:43 precision kernel[12]: [765135.424096] mce: CPU6: Package temperature/speed normal\n');
    expect(ev).toMatchObject({
      '@timestamp': '2024-03-11T08:44:43.000Z',
      log: { syslog: { priority: 133, facility: { code: 16, name: 'local0' }, severity: { code: 5, name: 'Notice' } } },
      host: { hostname: 'precision' },
      process: { name: 'kernel', pid: 12 },
      message: '[765135.424096] mce: CPU6: Package temperature/speed normal',
    });
    expect(ev).not.toHaveProperty('timestamp');
  });

  it('severity name for 164 is Warning (syslog input labels), and use_labels => false drops names', () => {
    const line = '<164>Oct 26 15:19:25 1.2.3.4 a sample message';
    expect(decode(line).log).toMatchObject({ syslog: { priority: 164, severity: { code: 4, name: 'Warning' }, facility: { code: 20 } } });
    expect(decode(line, { useLabels: false }).log).toEqual({ syslog: { priority: 164, severity: { code: 4 }, facility: { code: 20 }, hostname: '1.2.3.4' } });
    expect(decode(line).message).toBe('a sample message');
  });
});

describe('legacy mode (ecs_compatibility => disabled)', () => {
  it('uses the syslog input names for RFC 3164', () => {
    const ev = decode('<85>Jan 24 15:50:41 ip-172-31-30-110 sudo[6040]: ec2-user : TTY=pts/0', { ecs: 'disabled' });
    expect(ev).toMatchObject({
      priority: 85, facility: 10, severity: 5, facility_label: 'security/authorization', severity_label: 'Notice',
      timestamp: 'Jan 24 15:50:41', logsource: 'ip-172-31-30-110', program: 'sudo', pid: '6040',
      message: 'ec2-user : TTY=pts/0', '@timestamp': '2024-01-24T15:50:41.000Z',
    });
    expect(ev).not.toHaveProperty('event');
  });

  it('uses the SYSLOG5424LINE grok names for RFC 5424', () => {
    const ev = decode('<174>1 2016-11-14T09:49:23+01:00 10.23.16.6 named 2255 - [meta seq="1"] info: client', { ecs: 'disabled' });
    expect(ev).toMatchObject({
      priority: 174, facility: 21, severity: 6, syslog5424_pri: '174', syslog5424_ver: '1',
      syslog5424_ts: '2016-11-14T09:49:23+01:00', syslog5424_host: '10.23.16.6', syslog5424_app: 'named',
      syslog5424_proc: '2255', syslog5424_sd: '[meta seq="1"]', message: 'info: client',
      '@timestamp': '2016-11-14T08:49:23.000Z',
    });
    expect(ev).not.toHaveProperty('syslog5424_msgid');
  });
});

describe('messages that do not decode', () => {
  for (const ecs of ['v8', 'disabled'] as const) {
    it(`keep the raw text in message and are tagged (${ecs})`, () => {
      const ev = decode('hello world, this is not syslog RFC3164', { ecs });
      expect(ev.message).toBe('hello world, this is not syslog RFC3164');
      expect(ev.tags).toEqual(['_syslogparsefailure']);
      if (ecs === 'v8') expect(ev.event).toEqual({ original: 'hello world, this is not syslog RFC3164' });
      else expect(ev).not.toHaveProperty('event');
    });
  }
  it('an empty frame still gives one event', () => {
    expect(decode('')).toMatchObject({ message: '', tags: ['_syslogparsefailure'] });
  });
  // A time cut off at the end of the frame once read as a NaN second: the event then could not be printed.
  for (const input of ['<34>Jan  1 00:00:', '<34>Jan  1 00:00:0', '<34>1 2003-10-11T22:14:1', '<34>1 2003-10-11T22:14:15.']) {
    for (const lenient of [false, true]) {
      it(`a time cut off at the end (${JSON.stringify(input)}, lenient ${lenient}) is a failure, kept whole`, () => {
        const ev = decode(input, { lenient });
        expect(ev).toMatchObject({ message: input, tags: ['_syslogparsefailure'] });
        expect(Number.isNaN(Date.parse(ev['@timestamp'] as string))).toBe(false);
      });
    }
  }
});

describe('bytes', () => {
  it('reads bytes that are not UTF-8 as ISO-8859-1 instead of replacing them', () => {
    expect(decode(Buffer.from('3c313e31202d202d202d202d202d202d20666f6e64fc', 'hex')).message).toBe('fondü');
  });
  it('reads UTF-8 and drops the BOM from message', () => {
    expect(decode(Buffer.from('<1>1 - - - - - - \ufeffκόσμε', 'utf8')).message).toBe('κόσμε');
  });
});

describe('decoder(): a stream split on LF', () => {
  it('decodes each line, across chunk boundaries, with CR LF and a last line without LF', () => {
    const events: Event[] = [];
    const d = createSyslogCodec(base).decoder((e) => events.push(e), { key: 't', fields: (e) => e.set('[host][ip]', '127.0.0.1') });
    const text = '<34>1 - h a - - - one\r\n<34>Oct 11 22:14:15 h su: two\n\n<34>1 - h a - - - thr';
    const bytes = Buffer.from(`${text}ee`, 'utf8');
    d.push(bytes.subarray(0, 10));
    d.push(bytes.subarray(10, 40));
    d.push(bytes.subarray(40));
    d.end();
    expect(events.map((e) => e.get('message'))).toEqual(['one', 'two', 'three']);
    expect(events[0]!.get('[host][ip]')).toBe('127.0.0.1');
  });
});

describe('encode', () => {
  it('writes an RFC 5424 line that decodes back to the same fields', () => {
    const ev = decode('<165>1 2003-10-11T22:14:15.003Z host app 12 ID1 [a@1 k="v \\"q\\" \\]"] msg text');
    const out: Event[] = [];
    createSyslogCodec(base).decodeFrame!('<165>1 2003-10-11T22:14:15.003Z host app 12 ID1 [a@1 k="v \\"q\\" \\]"] msg text', (e) => out.push(e));
    const line = encodeRfc5424(out[0]!);
    expect(line).toBe('<165>1 2003-10-11T22:14:15.003Z host app 12 ID1 [a@1 k="v \\"q\\" \\]"] msg text\n');
    expect(decode(line).log).toEqual(ev.log);
  });
});

describe('plugin definition', () => {
  const ctx = testContext({ id: 'c' });
  it('rejects an unknown timezone or locale at start-up', async () => {
    await expect(createPlugin(syslogCodec, { timezone: 'Mars/Olympus' }, ctx)).rejects.toThrow(/unknown timezone/);
    await expect(createPlugin(syslogCodec, { locale: '!!' }, ctx)).rejects.toThrow(/unknown locale/);
  });
  it('applies timezone and locale options to RFC 3164 timestamps', async () => {
    const codec = await createPlugin(syslogCodec, { timezone: '-05:00', locale: 'fr', format: 'auto', lenient: false }, ctx);
    const out: Event[] = [];
    codec.decodeFrame!('<164>Oct 26 15:19:25 1.2.3.4 x', (e) => out.push(e));
    codec.decodeFrame!('<164>oct. 26 15:19:25 1.2.3.4 x', (e) => out.push(e));
    expect(out[0]!.timestamp.toString().slice(4)).toBe('-10-26T20:19:25.000Z');
    expect(out[1]!.timestamp.toString().slice(4)).toBe('-10-26T20:19:25.000Z');
  });
});

describe('the conformance runner\'s checks (run-syslog.mjs), on decodeFrame', () => {
  const cases = loadSyslogCases();
  it(`passes all ${cases.length} cases`, () => {
    const failures: string[] = [];
    for (const c of cases) {
      const bytes = c.input_encoding === 'latin1' ? Buffer.from(c.input, 'latin1') : Buffer.from(c.input, 'utf8');
      const ev = decode(bytes, { now: undefined });
      const bad: string[] = [];
      if (c.valid) {
        bad.push(...compareSyslogFields(c.expected ?? {}, ev, Boolean(c.expected_is_partial)));
        if (((ev.tags as string[] | undefined) ?? []).length) bad.push(`tags ${JSON.stringify(ev.tags)}`);
      } else {
        if (!((ev.tags as string[] | undefined) ?? []).includes('_syslogparsefailure')) bad.push('not tagged');
        if (c.input_encoding !== 'latin1' && ev.message !== c.input) bad.push(`message ${JSON.stringify(ev.message)}`);
      }
      if (bad.length) failures.push(`${c.id}: ${bad.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('logstash-input-syslog spec cases (rfc3164.json) through the codec', () => {
  interface LsCase { id: string; input: string; valid: boolean; mode: string; logstash: { legacy: Record<string, unknown> | null; ecs_v1: Record<string, unknown> | null; options?: { timezone?: string } } }
  const cases = (JSON.parse(readFileSync(new URL('../fixtures/conformance/syslog/rfc3164.json', import.meta.url), 'utf8')) as LsCase[]).filter((c) => c.mode === 'logstash-input-syslog');
  const year = new Date().getUTCFullYear();
  // Keys that belong to the input plugin (peer address, service type) or to its grok tag, not to a codec.
  const inputOnly = new Set(['[service][type]', 'tags']);
  for (const c of cases) {
    for (const mode of ['legacy', 'ecs_v1'] as const) {
      const exp = c.logstash[mode];
      if (!exp) continue;
      it(`${c.id.split(':').pop()} (${mode})`, () => {
        const tz = c.logstash.options?.timezone;
        if (typeof exp['@timestamp'] === 'string' && !tz) return; // "platform local timezone": covered by the timezone cases
        const ev = decode(c.input, { ecs: mode === 'legacy' ? 'disabled' : 'v1', zone: tz ? resolveZone(tz) : UTC_ZONE, now: undefined });
        if (!c.valid) { expect(ev.tags).toEqual(['_syslogparsefailure']); return; }
        expect(ev.tags).toBeUndefined();
        for (const [k, want] of Object.entries(exp)) {
          if (inputOnly.has(k)) continue;
          if (k === 'absent_keys') { for (const a of want as string[]) expect(ev).not.toHaveProperty(a); continue; }
          if (k === 'host') { expect(ev.host).toMatchObject({ hostname: (want as { hostname: string }).hostname }); continue; }
          if (k === '@timestamp') { expect(ev['@timestamp']).toBe(String(want).replace('<current year>', String(year)).replace('Z', '.000Z')); continue; }
          const path = k.startsWith('[') ? k.slice(1, -1).split('][') : [k];
          expect(path.reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], ev), k).toEqual(want);
        }
      });
    }
  }
});

describe('syslog codec stream decoder bounds', () => {
  it('cuts a line that never ends instead of holding it without limit, and loses no byte', async () => {
    const ctx = testContext({ id: 'syslog' });
    const codec = await createPlugin(syslogCodec, { ecs_compatibility: 'v8' }, ctx);
    const events: Event[] = [];
    const d = codec.decoder((e) => events.push(e));
    const piece = Buffer.alloc(256 * 1024, 'a');
    for (let i = 0; i < 5; i++) d.push(piece); // 1.25 MiB with no LF
    expect(events.length).toBe(1); // the first MiB was cut off as soon as it was exceeded
    d.push('\n<13>1 2024-01-01T00:00:00Z host app - - - fine\n');
    d.end();
    const messages = events.map((e) => String(e.get('message')));
    expect(messages.slice(0, 2).join('').length).toBe(5 * 256 * 1024);
    expect(events.slice(0, 2).every((e) => e.tags.includes('_syslogparsefailure'))).toBe(true);
    expect(messages[2]).toBe('fine');
  });
});
