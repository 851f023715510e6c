/**
 * drop: cancels every event that reaches it (usually inside a conditional), or about `percentage` % of
 * them. As in Logstash the common options still apply to an event that was not dropped.
 */
import { defineFilter } from '../plugins/api.js';

export default defineFilter({
  name: 'drop',
  doc: 'Drops every event that reaches it (use inside a conditional), or a random share of them with `percentage`.',
  options: {
    percentage: { type: 'number', default: 100, doc: 'Share of the events reaching the filter that are dropped, in percent (randomly chosen).' },
  },
  create(options) {
    const { percentage } = options;
    const all = percentage === 100;
    const p = percentage / 100;
    return {
      filter(event) {
        if (all || Math.random() < p) event.cancel();
        return true;
      },
    };
  },
});
