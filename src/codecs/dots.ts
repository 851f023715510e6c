/**
 * dots: one `.` per encoded event, no newline (logstash-codec-dots), to watch throughput on a terminal.
 * Decoding is not implemented, as upstream ("Not implemented").
 */
import { defineCodec } from '../plugins/api.js';

export default defineCodec({
  name: 'dots',
  doc: 'Encodes each event as a single `.` (no newline), to watch throughput; decoding is not supported (as in Logstash).',
  options: {},
  check: 'create',
  create() {
    return {
      decoder() {
        throw new Error('the dots codec can only encode (Logstash: "Not implemented")');
      },
      encode: () => '.',
    };
  },
});
