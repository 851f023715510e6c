/**
 * Logstash's own syslog parsing, for a `syslog` input configured with `grok_pattern` or `syslog_field`:
 * the frame is decoded by the input's codec (`plain` unless one is given), then `syslog_field` is matched
 * with `grok_pattern` (default `<%{POSINT:priority}>%{SYSLOGLINE}`), `timestamp` parsed by the date
 * filter, and the priority split into facility and severity with their labels, as logstash-input-syslog
 * 3.7.1 does (an unmatched message is tagged `_grokparsefailure_sysloginput` and gets priority 13).
 *
 * Without these options sluice decodes RFC 5424 and RFC 3164 with the `syslog` codec instead.
 */
import type { Event } from '../event/event.js';
import type { FilterInstance, PluginContext } from '../plugins/api.js';

const FAILURE_TAG = '_grokparsefailure_sysloginput';

interface Keys { priority: string; facility: string; severity: string; facilityLabel: string; severityLabel: string }

const LEGACY_KEYS: Keys = { priority: 'priority', facility: 'facility', severity: 'severity', facilityLabel: 'facility_label', severityLabel: 'severity_label' };
const ECS_KEYS: Keys = {
  priority: '[log][syslog][priority]', facility: '[log][syslog][facility][code]', severity: '[log][syslog][severity][code]',
  facilityLabel: '[log][syslog][facility][name]', severityLabel: '[log][syslog][severity][name]',
};

export interface RelayOptions {
  syslogField: string;
  grokPattern: string | undefined;
  useLabels: boolean;
  facilityLabels: readonly string[];
  severityLabels: readonly string[];
  timezone: string | undefined;
  locale: string | undefined;
  serviceType: string;
}

export class SyslogRelay {
  readonly #o: RelayOptions;
  readonly #ecs: boolean;
  readonly #keys: Keys;
  readonly #grok: FilterInstance;
  readonly #date: FilterInstance;

  private constructor(o: RelayOptions, ecs: boolean, grok: FilterInstance, date: FilterInstance) {
    this.#o = o;
    this.#ecs = ecs;
    this.#keys = ecs ? ECS_KEYS : LEGACY_KEYS;
    this.#grok = grok;
    this.#date = date;
  }

  static async create(o: RelayOptions, ctx: PluginContext): Promise<SyslogRelay> {
    const ecs = ctx.ecs !== 'disabled';
    const keys = ecs ? ECS_KEYS : LEGACY_KEYS;
    const pattern = o.grokPattern ?? (ecs ? `<%{POSINT:${keys.priority}:int}>%{SYSLOGLINE}` : `<%{POSINT:${keys.priority}}>%{SYSLOGLINE}`);
    const grok = await ctx.createFilter('grok', {
      match: { [o.syslogField]: pattern },
      overwrite: [o.syslogField],
      tag_on_failure: [FAILURE_TAG],
      ecs_compatibility: ctx.ecs,
    });
    const date = await ctx.createFilter('date', {
      match: ['timestamp', 'MMM dd HH:mm:ss', 'MMM  d HH:mm:ss', 'MMM d HH:mm:ss', 'ISO8601'],
      ...(o.locale === undefined ? {} : { locale: o.locale }),
      ...(o.timezone === undefined ? {} : { timezone: o.timezone }),
    });
    return new SyslogRelay(o, ecs, grok, date);
  }

  /**
   * Parse the event in place. Calls `done` when finished: at once, unless grok had to run a line on its
   * runaway guard (then after the guard answered).
   */
  apply(event: Event, done: () => void): void {
    if (this.#ecs) event.set('[event][original]', event.get(this.#o.syslogField) ?? null);
    const matched = this.#grok.filter(event, noEmit);
    if (typeof matched === 'boolean') { this.#finish(event, matched); done(); return; }
    void matched.then((m) => this.#finish(event, m), () => this.#finish(event, false)).then(done);
  }

  #finish(event: Event, matched: boolean): void {
    const k = this.#keys;
    if (this.#ecs && this.#o.serviceType !== '' && !event.includes('[service][type]')) event.set('[service][type]', this.#o.serviceType);
    if (matched) {
      const raw = event.get(k.priority);
      const priority = typeof raw === 'number' ? Math.trunc(raw) : Number.parseInt(String(raw ?? ''), 10);
      this.#setPriority(event, Number.isNaN(priority) ? 0 : priority);
      if (!this.#ecs && event.includes('timestamp8601')) event.set('timestamp', event.get('timestamp8601') ?? null);
      void this.#date.filter(event, noEmit);
      if (this.#ecs) event.remove('timestamp');
    } else {
      this.#setPriority(event, 13);
    }
    if (this.#o.useLabels) {
      const facility = this.#o.facilityLabels[Number(event.get(k.facility))];
      if (facility !== undefined) event.set(k.facilityLabel, facility);
      const severity = this.#o.severityLabels[Number(event.get(k.severity))];
      if (severity !== undefined) event.set(k.severityLabel, severity);
    }
  }

  #setPriority(event: Event, priority: number): void {
    const k = this.#keys;
    event.set(k.priority, priority);
    event.set(k.severity, priority & 7);
    event.set(k.facility, priority >> 3);
  }
}

const noEmit = (): void => undefined;
