/**
 * The RFC 5424 corpus (fixtures/conformance/syslog/rfc5424.json, go-syslog's cases) and how an event is
 * judged against a case's expected fields, shared by the codec test and the end-to-end TCP test.
 */
import { readFileSync } from 'node:fs';

export interface SyslogCase {
  id: string; input: string; valid: boolean | null; mode: string; input_encoding?: string;
  expected?: Record<string, unknown> | null; expected_is_partial?: boolean;
}

/** The cases of mode `default` whose validity is known. */
export function loadSyslogCases(): SyslogCase[] {
  return (JSON.parse(readFileSync(new URL('../../fixtures/conformance/syslog/rfc5424.json', import.meta.url), 'utf8')) as SyslogCase[])
    .filter((c) => c.mode === 'default' && (c.valid === true || c.valid === false));
}

const get = (o: unknown, path: string[]): unknown => path.reduce<unknown>((v, k) => (v == null ? undefined : (v as Record<string, unknown>)[k]), o);
// The corpus keeps go-syslog's BOM in `message`; sluice removes it (RFC 5424 calls it an encoding mark).
export const stripBom = (s: unknown): unknown => (typeof s === 'string' ? s.replace(/^\ufeff/, '') : s);
const sortKeys = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
  ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])])) : v);

/** What differs between a case's expected fields and the event (only the listed keys for partial cases); tags are the caller's. */
export function compareSyslogFields(exp: Record<string, unknown>, ev: Record<string, unknown>, partial: boolean): string[] {
  const bad: string[] = [];
  const want = (key: string, path: string[], eq: (e: unknown, a: unknown) => boolean = (e, a) => e === a): void => {
    if (partial && !(key in exp)) return;
    const e = exp[key];
    const a = get(ev, path);
    if (e === null) { if (!(a === undefined || a === null || a === '')) bad.push(`${key}: want nil, got ${JSON.stringify(a)}`); return; }
    if (!eq(e, a)) bad.push(`${key}: want ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
  };
  want('priority', ['log', 'syslog', 'priority']);
  want('facility', ['log', 'syslog', 'facility', 'code']);
  want('severity', ['log', 'syslog', 'severity', 'code']);
  want('version', ['log', 'syslog', 'version']);
  want('hostname', ['log', 'syslog', 'hostname']);
  want('appname', ['log', 'syslog', 'appname']);
  want('procid', ['log', 'syslog', 'procid'], (e, a) => String(e) === String(a));
  want('msgid', ['log', 'syslog', 'msgid']);
  want('structured_data', ['log', 'syslog', 'structured_data'], (e, a) => JSON.stringify(sortKeys(e)) === JSON.stringify(sortKeys(a)));
  want('message', ['message'], (e, a) => stripBom(e) === stripBom(a));
  if ((!partial || 'timestamp_utc' in exp) && typeof exp.timestamp_utc === 'string' && exp.timestamp_utc) {
    const x = Date.parse(exp.timestamp_utc);
    if (Number.isNaN(x) || x !== Date.parse(String(ev['@timestamp']))) bad.push(`@timestamp: want ${exp.timestamp_utc}, got ${String(ev['@timestamp'])}`);
  }
  return bad;
}
