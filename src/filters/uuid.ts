/**
 * uuid: a random (version 4) UUID in `target`, as logstash-filter-uuid 3.0 does. The field is left alone
 * when it already holds a value (anything but null) unless `overwrite` is set. The filter always succeeds.
 */
import { randomUUID } from 'node:crypto';
import { defineFilter } from '../plugins/api.js';

export default defineFilter({
  name: 'uuid',
  doc: 'Adds a random UUID (version 4) to a field.',
  options: {
    target: { type: 'string', required: true, doc: 'Field the UUID is written to.' },
    overwrite: { type: 'boolean', default: false, doc: 'Replace a value already in `target`.' },
  },
  create(o) {
    const { target, overwrite } = o;
    return {
      filter(event) {
        if (overwrite) event.set(target, randomUUID());
        else {
          const cur = event.get(target);
          if (cur === undefined || cur === null) event.set(target, randomUUID());
        }
        return true;
      },
    };
  },
});
