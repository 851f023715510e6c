/**
 * Inputs stamp fields on their events (`[host][hostname]`, `[log][file][path]`). An event's own shape
 * decides whether that is possible: a JSON line whose `host` is the string "web-1" has no room for
 * `[host][hostname]`. Such an event is kept as it is, without the field, and the problem is logged at most
 * once every 10 seconds per field: an input never dies on one event, and a bad stream never floods the log.
 */
import { FieldSetError, type Event } from '../event/event.js';
import type { Value } from '../event/values.js';
import { rateLimited } from '../services/logger.js';
import type { Logger } from './api.js';

/** Set `field` (unless the event has it already, when `overwrite` is not set). */
export type Stamp = (event: Event, field: string, value: Value, overwrite?: boolean) => void;

/** A stamper logging through `logger`. By default a field the event has is kept, as Logstash's inputs do. */
export function fieldStamper(logger: Logger): Stamp {
  const warn = rateLimited(logger);
  return (event, field, value, overwrite = false) => {
    if (!overwrite) {
      const cur = event.get(field);
      if (cur !== undefined && cur !== null) return;
    }
    try {
      event.set(field, value);
    } catch (err) {
      if (!(err instanceof FieldSetError)) throw err;
      warn(field, `could not set ${field} on an event; the event is kept without it`, { reason: err.message });
    }
  };
}
