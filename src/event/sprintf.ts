/**
 * Logstash sprintf: `%{field}`, `%{[a][b]}`, `%{+yyyy.MM.dd}` (Joda format of @timestamp, UTC), `%{+%s}`
 * (epoch seconds). A missing field is left as written. Formats are compiled once per config string.
 *
 * (Initial version: field references only; the full formatter replaces this file.)
 */
import type { Event } from './event.js';
import { valueToString } from './values.js';

export type Formatter = (event: Event) => string;

const SPRINTF = /%\{([^}]+)\}/g;

export function compileSprintf(format: string): Formatter {
  if (!format.includes('%{')) return () => format;
  return (event) => format.replace(SPRINTF, (whole, ref: string) => {
    const v = event.get(ref.trim());
    return v === undefined || v === null ? whole : valueToString(v);
  });
}

export function sprintf(format: string, event: Event): string {
  return compileSprintf(format)(event);
}
