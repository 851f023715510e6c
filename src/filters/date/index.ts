/**
 * The `date` filter: parses a field with the first matching format of `match` and stores the instant
 * in `target` (`@timestamp` by default). Formats: ISO8601, UNIX, UNIX_MS, TAI64N, or a Joda-Time
 * pattern such as `MMM dd HH:mm:ss` or `dd/MMM/yyyy:HH:mm:ss Z`. Like Logstash: a missing (or nil)
 * field is not an error and changes nothing; a value no format parses tags the event
 * (`tag_on_failure`, default `_dateparsefailure`); an array value does not parse.
 */
import type { Event } from '../../event/event.js';
import { compileSprintf, isTemplate, type Formatter } from '../../event/sprintf.js';
import { Timestamp } from '../../event/timestamp.js';
import { defineFilter, type FilterInstance } from '../../plugins/api.js';
import { localeNames, type LocaleNames } from '../../formats/syslog/locale.js';
import { localZone, resolveZone, type Zone } from '../../event/timezone.js';
import { JodaPatternError } from './joda-parse.js';
import { jodaParser, parseIso8601, parseTai64n, parseUnix, parseUnixMs, type DateParser, type ParseContext } from './parsers.js';

export interface DateFilterConfig {
  field: string;
  formats: string[];
  target: string;
  tagOnFailure: string[];
  timezone?: string;
  locale?: string;
  /** Clock for year guessing (tests). */
  now?: () => number;
}

export function buildParser(format: string, names: LocaleNames): DateParser {
  switch (format) {
    case 'ISO8601': return parseIso8601;
    case 'UNIX': return parseUnix;
    case 'UNIX_MS': return parseUnixMs;
    case 'TAI64N': return parseTai64n;
    default: return jodaParser(format, names);
  }
}

/** Build the filter; throws an Error with a user-facing message for a bad configuration. */
export function createDateFilter(cfg: DateFilterConfig): FilterInstance {
  let names: LocaleNames | undefined;
  if (cfg.locale !== undefined) {
    names = localeNames(cfg.locale);
    if (!names) throw new Error(`date filter: unknown locale "${cfg.locale}"`);
  } else {
    names = localeNames('en-US')!;
  }
  const parsers: DateParser[] = [];
  for (const f of cfg.formats) {
    try {
      parsers.push(buildParser(f, names));
    } catch (err) {
      if (err instanceof JodaPatternError) throw new Error(`date filter: ${err.message}`);
      throw err;
    }
  }
  let fixedZone: Zone | undefined;
  let zoneTemplate: Formatter | undefined;
  if (cfg.timezone !== undefined) {
    if (isTemplate(cfg.timezone)) zoneTemplate = compileSprintf(cfg.timezone);
    else {
      fixedZone = resolveZone(cfg.timezone);
      if (!fixedZone) throw new Error(`date filter: unknown timezone "${cfg.timezone}" (use an IANA name such as America/Los_Angeles, or an offset such as -05:00)`);
    }
  }
  const now = cfg.now ?? Date.now;
  // The machine's zone is looked up once: Intl's resolution is too slow to repeat per event.
  const defaultZone = fixedZone ?? localZone();
  const { field, target, tagOnFailure } = cfg;

  return {
    filter(event: Event): boolean {
      const value = event.get(field);
      if (value === undefined || value === null) return false;
      let zone = fixedZone;
      if (zoneTemplate) {
        zone = resolveZone(zoneTemplate(event));
        if (!zone) { for (const t of tagOnFailure) event.tag(t); return false; }
      }
      const ctx: ParseContext = { zone: zone ?? defaultZone, now: now() };
      if (!Array.isArray(value)) {
        for (const p of parsers) {
          const ms = p(value, ctx);
          if (ms !== undefined && Number.isFinite(ms)) {
            const ts = new Timestamp(ms);
            try {
              event.set(target, ts);
            } catch {
              break; // the target path crosses a scalar: a failure like any other
            }
            return true;
          }
        }
      }
      for (const t of tagOnFailure) event.tag(t);
      return false;
    },
  };
}

export default defineFilter({
  name: 'date',
  doc: 'Parses dates from a field (ISO8601, UNIX, UNIX_MS, TAI64N or Joda-Time patterns) into `@timestamp` or another target.',
  options: {
    match: { type: 'array', default: [], doc: 'The field name, then one or more formats tried in order: `[ "logdate", "MMM dd yyyy HH:mm:ss", "ISO8601" ]`.' },
    target: { type: 'string', default: '@timestamp', doc: 'Field that receives the parsed timestamp.' },
    tag_on_failure: { type: 'array', default: ['_dateparsefailure'], doc: 'Tags added when no format parses the value.' },
    timezone: { type: 'string', doc: 'Zone of dates without an offset: an IANA name or an offset; may be a `%{field}` template. Default: the machine\'s zone.' },
    locale: { type: 'string', doc: 'Locale of month and weekday names (BCP 47, or POSIX `fr_FR`). Default: English.' },
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  create(options) {
    const match = options.match.map(String);
    if (match.length < 2) {
      throw new Error(`date filter: The match setting should contains first a field name and at least one date format, current value is ${JSON.stringify(match)}`);
    }
    const cfg: DateFilterConfig = {
      field: match[0]!,
      formats: match.slice(1),
      target: options.target,
      tagOnFailure: options.tag_on_failure.map(String),
    };
    if (options.timezone !== undefined) cfg.timezone = options.timezone;
    if (options.locale !== undefined) cfg.locale = options.locale;
    return createDateFilter(cfg);
  },
});
