/** null: discards every event, reporting it written (Logstash's logstash-output-null, for measuring inputs and filters). */
import { defineOutput } from '../plugins/api.js';

export default defineOutput({
  name: 'null',
  doc: 'Discards events (each counts as written). Useful to measure inputs and filters.',
  options: {
    codec: { type: 'codec', default: 'plain', doc: 'Accepted as in Logstash (default `plain`); nothing is encoded.' },
  },
  create() {
    return { receive() { /* discarded on purpose */ } };
  },
});
