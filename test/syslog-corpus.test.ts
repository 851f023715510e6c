/**
 * The fixture corpus (fixtures/syslog/corpus.json): whole events, both ECS modes, through decodeFrame.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSyslogCodec } from '../src/codecs/syslog.js';
import type { Event } from '../src/event/event.js';
import { FACILITY_LABELS, resolveZone, SEVERITY_LABELS } from '../src/formats/syslog/index.js';

interface Case {
  name: string; input?: string; input_hex?: string; now?: string;
  options?: { lenient?: boolean; timezone?: string };
  ecs: Record<string, unknown>; legacy: Record<string, unknown>;
}
const cases = JSON.parse(readFileSync(new URL('../fixtures/syslog/corpus.json', import.meta.url), 'utf8')) as Case[];

describe('syslog fixture corpus', () => {
  it('has valid and invalid messages', () => {
    expect(cases.filter((c) => (c.ecs.tags as string[] | undefined)?.includes('_syslogparsefailure')).length).toBeGreaterThan(5);
    expect(cases.length).toBeGreaterThan(20);
  });
  for (const c of cases) {
    for (const mode of ['ecs', 'legacy'] as const) {
      it(`${c.name} (${mode})`, () => {
        const codec = createSyslogCodec({
          ecs: mode === 'ecs' ? 'v8' : 'disabled',
          lenient: c.options?.lenient === true,
          format: 'auto',
          zone: resolveZone(c.options?.timezone ?? 'UTC'),
          monthNames: undefined,
          useLabels: true,
          facilityLabels: FACILITY_LABELS,
          severityLabels: SEVERITY_LABELS,
          now: () => (c.now ? Date.parse(c.now) : Date.now()),
        });
        const out: Event[] = [];
        const input = c.input_hex !== undefined ? Buffer.from(c.input_hex, 'hex') : Buffer.from(c.input!, 'utf8');
        codec.decodeFrame!(input, (e) => out.push(e));
        expect(out).toHaveLength(1);
        const got = JSON.parse(out[0]!.toJSON()) as Record<string, unknown>;
        delete got['@version'];
        if (!('@timestamp' in c[mode])) delete got['@timestamp'];
        expect(got).toEqual(c[mode]);
      });
    }
  }
});
