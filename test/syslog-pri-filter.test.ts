/**
 * syslog_pri filter: the logstash-filter-syslog_pri spec cases from the vendored corpus (fixtures/conformance/syslog), in both ECS modes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import syslogPri, { createSyslogPri, PRI_FACILITY_LABELS, PRI_SEVERITY_LABELS } from '../src/filters/syslog_pri.js';
import type { PluginContext } from '../src/plugins/api.js';

interface Case {
  id: string; kind?: string; input_field: { legacy: Record<string, unknown>; ecs_v1: Record<string, unknown> };
  logstash: { legacy: Record<string, unknown>; ecs_v1: Record<string, unknown>; options?: Record<string, unknown> };
}
const cases = (JSON.parse(readFileSync(new URL('../fixtures/conformance/syslog/rfc3164.json', import.meta.url), 'utf8')) as Case[]).filter((c) => c.kind === 'pri-field');

describe('syslog_pri spec cases', () => {
  it('has the spec cases', () => expect(cases.length).toBe(7));
  for (const c of cases) {
    for (const mode of ['legacy', 'ecs_v1'] as const) {
      it(`${c.id.split(':').pop()} (${mode})`, async () => {
        const ctx = { ecs: mode === 'legacy' ? 'disabled' : 'v1', id: 'p', logger: console } as unknown as PluginContext;
        const f = await syslogPri.create({ use_labels: true, facility_labels: [...PRI_FACILITY_LABELS], severity_labels: [...PRI_SEVERITY_LABELS], ...(c.logstash.options ?? {}) }, ctx);
        const ev = new Event();
        for (const [k, v] of Object.entries(c.input_field[mode])) ev.set(k, v as never);
        f.filter(ev, () => undefined);
        for (const [k, want] of Object.entries(c.logstash[mode])) {
          if (k === 'tags_include') expect(ev.tags).toContain(want);
          else if (k === 'tags') expect(ev.get('tags') ?? null).toEqual(want);
          else expect(ev.get(k) ?? null, k).toEqual(want);
        }
      });
    }
  }
});

describe('Ruby to_i and edge values', () => {
  const run = (v: unknown): Event => {
    const ev = new Event({ syslog_pri: v } as never);
    createSyslogPri({ ecs: 'disabled', useLabels: true, facilityLabels: PRI_FACILITY_LABELS, severityLabels: PRI_SEVERITY_LABELS }).filter(ev, () => undefined);
    return ev;
  };
  it('junk reads as 0 (kernel/emergency), a leading number is used, arrays use their first element', () => {
    expect(run('abc').get('syslog_facility')).toBe('kernel');
    expect(run('abc').get('syslog_severity')).toBe('emergency');
    expect(run('34 trailing').get('syslog_facility')).toBe('security/authorization');
    expect(run(['165', '1']).get('syslog_facility')).toBe('local4');
  });
  it('writes into nested ECS fields without disturbing existing ones', () => {
    const ev = new Event({ log: { syslog: { priority: 165, hostname: 'h' } } } as never);
    createSyslogPri({ ecs: 'v8', useLabels: true, facilityLabels: PRI_FACILITY_LABELS, severityLabels: PRI_SEVERITY_LABELS }).filter(ev, () => undefined);
    expect(ev.get('log')).toEqual({ syslog: { priority: 165, hostname: 'h', severity: { code: 5, name: 'notice' }, facility: { code: 20, name: 'local4' } } });
  });
});
