/**
 * The syslog conformance tables in fixtures/conformance/syslog (go-syslog's test tables, RFC 5424 examples, Logstash specs)
 * driving the decoders directly. Modes map as: go-syslog default → strict, best-effort /
 * optional-priority / Cisco IOS → lenient.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeSyslog, resolveZone, UTC_ZONE, type SyslogMessage } from '../src/formats/syslog/index.js';

interface Case {
  id: string; input: string | null; valid: boolean | null; mode: string; kind?: string;
  expected: Record<string, unknown> | null; expected_is_partial?: boolean; input_encoding?: string;
  options?: string[] | string; logstash?: Record<string, unknown>;
}
const load = (f: string): Case[] => JSON.parse(readFileSync(new URL(`../fixtures/conformance/syslog/${f}`, import.meta.url), 'utf8')) as Case[];
const c5424 = load('rfc5424.json');
const c3164 = load('rfc3164.json');

const stripBom = (s: unknown): unknown => (typeof s === 'string' ? s.replace(/^\ufeff/, '') : s);

function compare(exp: Record<string, unknown>, got: SyslogMessage, partial: boolean): string[] {
  const bad: string[] = [];
  const fields: [string, unknown][] = [
    ['priority', got.priority], ['facility', got.facility], ['severity', got.severity], ['version', got.version],
    ['timestamp', got.timestamp], ['hostname', got.hostname], ['appname', got.appname], ['procid', got.procid],
    ['msgid', got.msgid], ['structured_data', got.structuredData],
    // go-syslog reports an empty MSG as nil; we keep the BOM out of `message` (see the corpus README).
    ['message', got.message === '' && !got.bom ? null : got.message],
  ];
  for (const [k, v] of fields) {
    if (!(k in exp)) { if (!partial && k !== 'version' && k !== 'structured_data') bad.push(`${k} not in table`); continue; }
    const e = k === 'message' ? stripBom(exp[k]) : exp[k];
    if (JSON.stringify(e) !== JSON.stringify(v)) bad.push(`${k}: want ${JSON.stringify(e)} got ${JSON.stringify(v)}`);
  }
  if (typeof exp.timestamp_utc === 'string') {
    const want = Date.parse(exp.timestamp_utc);
    if (got.time?.epochMs !== want) bad.push(`time: want ${exp.timestamp_utc} got ${String(got.time)}`);
    const frac = /\.(\d+)/.exec(exp.timestamp_utc)?.[1];
    if (frac && got.time && got.time.nanoOfSecond !== Number(frac.padEnd(9, '0'))) bad.push(`nanos: want ${frac} got ${got.time.nanoOfSecond}`);
  }
  return bad;
}

const text = (c: Case): string => (c.input_encoding === 'latin1' ? Buffer.from(c.input!, 'latin1').toString('latin1') : c.input!);

describe('RFC 5424 tables, strict mode (go-syslog default)', () => {
  const cases = c5424.filter((c) => c.mode === 'default' && c.valid !== null);
  it(`decodes every valid message and rejects every invalid one (${cases.length} cases)`, () => {
    const failures: string[] = [];
    for (const c of cases) {
      const r = decodeSyslog(text(c), { mode: 'strict' });
      if (c.valid) {
        if (!r.ok) { failures.push(`${c.id}: rejected (${r.error} @${r.offset})`); continue; }
        const bad = compare(c.expected ?? {}, r.value, !!c.expected_is_partial);
        if (bad.length) failures.push(`${c.id}: ${bad.join('; ')}`);
      } else if (r.ok) failures.push(`${c.id}: accepted ${JSON.stringify(c.input).slice(0, 80)}`);
      else expect(r.offset).toBeGreaterThanOrEqual(0);
    }
    expect(failures).toEqual([]);
  });
});

describe('RFC 5424 tables, lenient mode', () => {
  it('never throws on truncated input (robustness cases)', () => {
    for (const c of c5424.filter((x) => x.valid === null)) {
      const r = decodeSyslog(c.input!, { mode: 'lenient' });
      expect(typeof r.ok).toBe('boolean');
    }
  });
  it('accepts every message strict mode accepts, with the same fields', () => {
    for (const c of c5424.filter((x) => x.mode === 'default' && x.valid === true)) {
      const s = decodeSyslog(text(c), { mode: 'strict' });
      const l = decodeSyslog(text(c), { mode: 'lenient' });
      expect(l, c.id).toEqual(s);
    }
  });
  it('accepts a missing PRI (optional-priority cases)', () => {
    for (const c of c5424.filter((x) => x.mode === 'optional-priority')) {
      const r = decodeSyslog(c.input!, { mode: 'lenient' });
      if (c.valid) {
        expect(r.ok, c.id).toBe(true);
        if (r.ok) expect(compare(c.expected ?? {}, r.value, true), c.id).toEqual([]);
      } else expect(r.ok, c.id).toBe(false);
    }
  });
  it('accepts what Logstash\'s SYSLOG5424LINE grok pattern accepts (runs of spaces, leap second, unquoted SD)', () => {
    const cases = c5424.filter((x) => x.mode === 'logstash-grok');
    expect(cases.length).toBeGreaterThan(5);
    for (const c of cases) {
      const r = decodeSyslog(c.input!, { mode: 'lenient' });
      expect(r.ok, c.id).toBe(true);
      if (!r.ok) continue;
      const legacy = (c.logstash as { legacy?: Record<string, string> }).legacy ?? {};
      if (legacy.syslog5424_host) expect(r.value.hostname).toBe(legacy.syslog5424_host);
      if (legacy.syslog5424_app) expect(r.value.appname).toBe(legacy.syslog5424_app);
      if (legacy.syslog5424_proc) expect(r.value.procid).toBe(legacy.syslog5424_proc);
      if (legacy.syslog5424_ts) expect(r.value.timestamp).toBe(legacy.syslog5424_ts);
      if (legacy.syslog5424_msg) expect(r.value.message).toBe(legacy.syslog5424_msg);
    }
  });
});

describe('RFC 5424 STRUCTURED-DATA fragments from the RFC', () => {
  for (const c of c5424.filter((x) => x.mode === 'structured-data-only')) {
    it(`${c.valid ? 'parses' : 'does not take as one SD'} ${c.input!.slice(0, 40)}`, () => {
      const r = decodeSyslog(`<1>1 - - - - - ${c.input}`, { mode: 'strict' });
      if (c.valid) {
        expect(r.ok).toBe(true);
        if (r.ok) {
          expect(r.value.structuredData).toEqual((c.expected as { structured_data: unknown }).structured_data);
          expect(r.value.structuredDataText).toBe(c.input);
        }
      } else {
        expect(r.ok && r.value.structuredDataText === c.input).toBe(false);
      }
    });
  }
});

function zoneFor(opts: string | string[] | undefined): ReturnType<typeof resolveZone> {
  const o = Array.isArray(opts) ? opts.join(' ') : opts ?? '';
  if (/WithLocaleTimezone\(America\/New_York\)/.test(o)) return resolveZone('America/New_York');
  if (/WithLocaleTimezone\(time.FixedZone\("CET", 3600\)\)/.test(o)) return resolveZone('+01:00');
  return UTC_ZONE;
}

describe('RFC 3164 tables', () => {
  const now = Date.UTC(2025, 5, 15);
  it('strict mode decodes the go-syslog default cases', () => {
    const failures: string[] = [];
    for (const c of c3164.filter((x) => x.mode === 'default' && x.valid === true)) {
      const r = decodeSyslog(c.input!, { mode: 'strict', zone: UTC_ZONE, now });
      if (!r.ok) { failures.push(`${c.id}: rejected (${r.error})`); continue; }
      const exp = { ...(c.expected ?? {}) };
      if (exp.message_is_not_null) { if (r.value.message === null) failures.push(`${c.id}: null message`); delete exp.message_is_not_null; }
      const tg = exp.timestamp_go as string | undefined;
      delete exp.timestamp_go;
      const bad = compare(exp, r.value, true);
      if (tg?.startsWith('0000-')) {
        // go-syslog leaves the year at 0; compare month, day and time of day.
        const d = new Date(r.value.time!.epochMs).toISOString();
        if (d.slice(5, 19) !== tg.slice(5, 19)) bad.push(`time ${d} vs ${tg}`);
      }
      if (bad.length) failures.push(`${c.id}: ${bad.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('strict mode rejects a message without PRI', () => {
    const c = c3164.find((x) => x.mode === 'default' && x.valid === false && !x.input!.startsWith('<'))!;
    expect(decodeSyslog(c.input!, { mode: 'strict' }).ok).toBe(false);
  });

  it('accepts RFC 3339 timestamps in strict mode, as Logstash\'s syslog input does (go-syslog needs WithRFC3339)', () => {
    const c = c3164.find((x) => x.mode === 'default' && x.valid === false && x.input!.startsWith('<182>'))!;
    const r = decodeSyslog(c.input!, { mode: 'strict' });
    expect(r.ok && r.value.timestamp).toBe('2024-07-25T18:54:02.265Z');
  });

  it('decodes the option cases that map to our options (RFC 3339, fractions, zero-padded day, zones)', () => {
    const failures: string[] = [];
    for (const c of c3164.filter((x) => x.mode === 'options')) {
      const o = Array.isArray(c.options) ? c.options.join(' ') : String(c.options ?? '');
      if (/WithYear|WithTimezone\(/.test(o) && !/WithLocaleTimezone/.test(o)) continue; // go-syslog display-zone / fixed-year options: no equivalent
      const zone = zoneFor(c.options);
      const r = decodeSyslog(c.input!, { mode: 'strict', zone, now });
      if (c.valid === false) {
        // 7 fraction digits: RFC 3339 in RFC 5424 allows 6.
        if (r.ok) failures.push(`${c.id}: accepted`);
        continue;
      }
      if (!r.ok) { failures.push(`${c.id}: rejected ${r.error}`); continue; }
      const exp = { ...(c.expected ?? {}) };
      const off = exp.timestamp_utc_offset_seconds as number | undefined;
      const nanos = exp.timestamp_nanosecond as number | undefined;
      const year = exp.timestamp_year as number | undefined;
      for (const k of ['timestamp_utc_offset_seconds', 'timestamp_nanosecond', 'timestamp_year', 'timestamp_month', 'timestamp_go']) delete exp[k];
      const bad = compare(exp, r.value, true);
      if (nanos !== undefined && r.value.time!.nanoOfSecond !== nanos) bad.push(`nanos ${r.value.time!.nanoOfSecond}`);
      if (year !== undefined && new Date(r.value.time!.epochMs).getUTCFullYear() !== year) bad.push('year');
      if (off !== undefined && /WithLocaleTimezone/.test(o)) {
        // Wall clock 00:00:00 read in the zone: the instant is midnight minus the offset.
        const wall = Date.UTC(2025, 0, 1);
        if (r.value.time!.epochMs !== wall - off * 1000) bad.push(`instant ${String(r.value.time)}`);
      }
      if (bad.length) failures.push(`${c.id}: ${bad.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('lenient mode: optional PRI, Cisco IOS headers', () => {
    const failures: string[] = [];
    for (const c of c3164.filter((x) => (x.mode === 'optional-priority' || x.mode === 'cisco-ios'))) {
      const o = Array.isArray(c.options) ? c.options.join(' ') : String(c.options ?? '');
      if (c.mode === 'cisco-ios' && c.valid === false) continue; // components switched off: no equivalent option
      if (/WithMessageCounter/.test(o) && c.valid === false) continue; // a counter without PRI: go-syslog option only
      const r = decodeSyslog(c.input!, { mode: 'lenient', zone: UTC_ZONE, now });
      if (c.valid === false) { if (r.ok) failures.push(`${c.id}: accepted`); continue; }
      if (!r.ok) { failures.push(`${c.id}: rejected ${r.error}`); continue; }
      const exp = { ...(c.expected ?? {}) };
      if (exp.message_counter !== undefined && r.value.ciscoCounter !== exp.message_counter) failures.push(`${c.id}: counter ${r.value.ciscoCounter}`);
      if (exp.sequence !== undefined && r.value.ciscoSequence !== exp.sequence) failures.push(`${c.id}: sequence ${r.value.ciscoSequence}`);
      delete exp.message_counter; delete exp.sequence;
      const bad = compare(exp, r.value, true);
      if (bad.length) failures.push(`${c.id}: ${bad.join('; ')}`);
    }
    expect(failures).toEqual([]);
  });

  it('never throws on the robustness inputs, in either mode', () => {
    for (const c of c3164.filter((x) => x.valid === null)) {
      for (const mode of ['strict', 'lenient'] as const) expect(typeof decodeSyslog(c.input!, { mode }).ok).toBe('boolean');
    }
  });

  it('matches what SYSLOGLINE extracts in Logstash (lenient: lines without PRI)', () => {
    for (const c of c3164.filter((x) => x.mode === 'logstash-grok')) {
      const r = decodeSyslog(c.input!, { mode: 'lenient', zone: UTC_ZONE, now });
      expect(r.ok, c.id).toBe(true);
      if (!r.ok) continue;
      const ls = c.logstash as { legacy?: Record<string, unknown> | null; ecs_v1?: Record<string, unknown> };
      const legacy = ls.legacy ?? {};
      if (typeof legacy.logsource === 'string') expect(r.value.hostname, c.id).toBe(legacy.logsource);
      if (typeof legacy.timestamp === 'string') expect(r.value.timestamp, c.id).toBe(legacy.timestamp);
      if (typeof legacy.pid === 'string') expect(r.value.procid, c.id).toBe(legacy.pid);
      if (Array.isArray(legacy.message)) expect(r.value.message, c.id).toBe(legacy.message[1]);
      const proc = (ls.ecs_v1?.process ?? {}) as { name?: string };
      if (proc.name) expect(r.value.appname, c.id).toBe(proc.name);
    }
  });
});
