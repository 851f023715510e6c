/**
 * elapsed: the time between a start event and an end event of the same id, as logstash-filter-elapsed 4.x
 * measures it. Events tagged `start_tag` with a `unique_id_field` are remembered (the first or the last one,
 * `keep_start_event`); an event tagged `end_tag` with the same id gets `elapsed_time` (seconds, a float),
 * `elapsed_timestamp_start` and the tags `elapsed` and `elapsed_match`, or, with `new_event_on_match`, a
 * new event gets them (with `host`). An end without a start is tagged `elapsed_end_without_start`.
 * Each flush (every 5 s, and at shutdown) ages the remembered starts by 5 s; those reaching `timeout` become
 * `elapsed_expired_error` events with their age in `elapsed_time`.
 *
 * The common options apply, as in Logstash, to start and end events before the elapsed fields are added,
 * and to the events this filter makes.
 */
import { hostname } from 'node:os';
import { Event } from '../event/event.js';
import type { Timestamp } from '../event/timestamp.js';
import { LsFloat, type Value } from '../event/values.js';
import { defineFilter } from '../plugins/api.js';
import { filterMatcher } from '../plugins/decorate.js';

export const ELAPSED_TAG = 'elapsed';
export const MATCH_TAG = 'elapsed_match';
export const EXPIRED_ERROR_TAG = 'elapsed_expired_error';
export const END_WITHOUT_START_TAG = 'elapsed_end_without_start';

interface Element { event: Event; age: number }

/** The filter plus its remembered start events (for tests, as the plugin's `start_events`). */
export interface ElapsedInstance {
  readonly startEvents: Map<string, Element>;
}

function secondsBetween(a: Timestamp, b: Timestamp): number {
  return (b.epochMs - a.epochMs) / 1000 + (b.nanoOfMilli - a.nanoOfMilli) / 1e9;
}

/** Ruby hash keys: an id is compared as the value it is (1 and "1" are different ids). */
function idKey(v: Value): string {
  return typeof v === 'string' ? `s:${v}` : `v:${JSON.stringify(v)}`;
}

export default defineFilter({
  name: 'elapsed',
  doc: 'Measures the time between a start event and an end event sharing an id; expired starts become `elapsed_expired_error` events.',
  options: {
    start_tag: { type: 'string', required: true, doc: 'The tag of start events.' },
    end_tag: { type: 'string', required: true, doc: 'The tag of end events.' },
    unique_id_field: { type: 'string', required: true, doc: 'The field whose value ties a start to its end.' },
    timeout: { type: 'number', default: 1800, doc: 'Seconds after which a start without an end expires.' },
    new_event_on_match: { type: 'boolean', default: false, doc: 'Put the elapsed information on a new event instead of the end event.' },
    keep_start_event: { type: 'string', values: ['first', 'last'], default: 'first', doc: 'Which start event to keep when several share an id.' },
    periodic_flush: { type: 'boolean', default: true, doc: 'Age and expire start events every 5 seconds (otherwise only at shutdown).' },
  },
  check: 'create',
  create(o, ctx) {
    const matched = filterMatcher(o);
    const starts = new Map<string, Element>();
    const host = hostname();
    const { start_tag: startTag, end_tag: endTag, unique_id_field: idField, timeout, new_event_on_match: newEvent } = o;
    const keepFirst = o.keep_start_event === 'first';

    const addInfo = (event: Event, elapsed: number | LsFloat, id: Value, start: Timestamp): Event => {
      event.tag(ELAPSED_TAG);
      event.tag(MATCH_TAG);
      event.set('elapsed_time', elapsed);
      event.set(idField, id);
      event.set('elapsed_timestamp_start', start);
      return event;
    };

    const instance = {
      startEvents: starts,
      filter(event: Event, emit: (e: Event) => void): boolean {
        const id = event.get(idField);
        if (id === undefined || id === null) return false;
        const tags = event.tags;
        if (tags.includes(startTag)) {
          matched(event);
          const key = idKey(id);
          if (!(keepFirst && starts.has(key))) starts.set(key, { event, age: 0 });
        } else if (tags.includes(endTag)) {
          matched(event);
          const key = idKey(id);
          const start = starts.get(key);
          if (start) {
            starts.delete(key);
            const begin = start.event.timestamp;
            const elapsed = new LsFloat(secondsBetween(begin, event.timestamp));
            if (newEvent) {
              const e = new Event({ host });
              addInfo(e, elapsed, id, begin);
              matched(e);
              emit(e);
            } else {
              addInfo(event, elapsed, id, begin);
            }
          } else {
            event.tag(END_WITHOUT_START_TAG);
          }
        }
        // The common options were applied above, at the point Logstash applies them.
        return false;
      },
      flush(final: boolean): Event[] {
        if (!final && !o.periodic_flush) return [];
        const out: Event[] = [];
        for (const [key, el] of starts) {
          el.age += 5;
          if (el.age < timeout) continue;
          starts.delete(key);
          const e = new Event();
          e.tag(ELAPSED_TAG);
          e.tag(EXPIRED_ERROR_TAG);
          e.set('host', host);
          e.set(idField, el.event.get(idField) ?? null);
          e.set('elapsed_time', el.age);
          e.set('elapsed_timestamp_start', el.event.timestamp);
          matched(e);
          out.push(e);
        }
        return out;
      },
    };
    return instance;
  },
});
