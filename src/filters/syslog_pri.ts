/**
 * The `syslog_pri` filter: splits a syslog PRI value into facility and severity codes and names, as
 * logstash-filter-syslog_pri 3.2 does. The PRI is read from `syslog_pri_field_name` (`syslog_pri`, or
 * `[log][syslog][priority]` in ECS mode) with Ruby's `to_i` (a string such as "137" works, junk reads
 * as 0); when the field is missing the RFC 3164 default 13 is used. A facility code beyond the label
 * table tags the event `_syslogpriparsefailure` (only with `use_labels`); the codes are set regardless.
 */
import type { Event } from '../event/event.js';
import { LsFloat, type Value } from '../event/values.js';
import { defineFilter, type FilterInstance } from '../plugins/api.js';
import type { EcsMode } from '../plugins/options.js';

export const SYSLOG_PRI_FAILURE_TAG = '_syslogpriparsefailure';

/** logstash-filter-syslog_pri's tables (lower case, facility 3 = daemon), unlike the syslog input's. */
export const PRI_FACILITY_LABELS: readonly string[] = [
  'kernel', 'user-level', 'mail', 'daemon', 'security/authorization', 'syslogd', 'line printer', 'network news',
  'uucp', 'clock', 'security/authorization', 'ftp', 'ntp', 'log audit', 'log alert', 'clock',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];
export const PRI_SEVERITY_LABELS: readonly string[] = [
  'emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug',
];

/** Ruby's `to_i` on what an event field can hold. */
export function rubyToI(v: Value): number {
  if (typeof v === 'number') return Math.trunc(v);
  if (typeof v === 'bigint') return Number(BigInt.asIntN(32, v));
  if (v instanceof LsFloat) return Number.isFinite(v.value) ? Math.trunc(v.value) : 0;
  if (typeof v === 'string') {
    const m = /^\s*([+-]?\d+(?:_\d+)*)/.exec(v);
    return m ? Number(m[1]!.replace(/_/g, '')) : 0;
  }
  return 0;
}

/** Ruby's Array#[] with negative indexes counting from the end. */
function rubyIndex(a: readonly string[], i: number): string | undefined {
  return i < 0 ? a[a.length + i] : a[i];
}

export interface SyslogPriConfig {
  ecs: EcsMode;
  field?: string;
  useLabels: boolean;
  facilityLabels: readonly string[];
  severityLabels: readonly string[];
}

export function createSyslogPri(cfg: SyslogPriConfig): FilterInstance {
  const ecs = cfg.ecs !== 'disabled';
  const field = cfg.field ?? (ecs ? '[log][syslog][priority]' : 'syslog_pri');
  const facCode = ecs ? '[log][syslog][facility][code]' : 'syslog_facility_code';
  const sevCode = ecs ? '[log][syslog][severity][code]' : 'syslog_severity_code';
  const facName = ecs ? '[log][syslog][facility][name]' : 'syslog_facility';
  const sevName = ecs ? '[log][syslog][severity][name]' : 'syslog_severity';
  const { useLabels, facilityLabels, severityLabels } = cfg;

  return {
    filter(event: Event): boolean {
      const raw = event.get(field);
      let priority = 13;
      if (raw !== undefined && raw !== null && raw !== false) {
        priority = rubyToI(Array.isArray(raw) ? (raw[0] ?? null) : raw);
      }
      const severity = priority & 7;
      const facility = priority >> 3;
      try {
        event.set(sevCode, severity);
        event.set(facCode, facility);
        if (!useLabels) return true;
        if (facility > facilityLabels.length - 1) {
          event.tag(SYSLOG_PRI_FAILURE_TAG);
          return true; // Logstash still calls filter_matched here
        }
        const fl = rubyIndex(facilityLabels, facility);
        if (fl !== undefined) event.set(facName, fl);
        const sl = rubyIndex(severityLabels, severity);
        if (sl !== undefined) event.set(sevName, sl);
      } catch {
        // A target path crossing a scalar (e.g. [log] is a string): tag instead of failing the pipeline.
        event.tag(SYSLOG_PRI_FAILURE_TAG);
        return false;
      }
      return true;
    },
  };
}

export default defineFilter({
  name: 'syslog_pri',
  doc: 'Parses a syslog PRI value into facility and severity codes and names (RFC 3164); a missing PRI counts as 13.',
  options: {
    syslog_pri_field_name: { type: 'string', doc: 'Field holding the PRI (default `syslog_pri`, or `[log][syslog][priority]` in ECS mode).' },
    use_labels: { type: 'boolean', default: true, doc: 'Add facility and severity names.' },
    facility_labels: { type: 'array', default: [...PRI_FACILITY_LABELS], doc: 'Facility names by code; a code beyond the list tags `_syslogpriparsefailure`.' },
    severity_labels: { type: 'array', default: [...PRI_SEVERITY_LABELS], doc: 'Severity names by code.' },
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  create(options, ctx) {
    const cfg: SyslogPriConfig = {
      ecs: ctx.ecs,
      useLabels: options.use_labels,
      facilityLabels: options.facility_labels.map(String),
      severityLabels: options.severity_labels.map(String),
    };
    if (options.syslog_pri_field_name !== undefined) cfg.field = options.syslog_pri_field_name;
    return createSyslogPri(cfg);
  },
});
