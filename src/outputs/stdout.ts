/** stdout: writes each event to standard output through its codec (default `rubydebug`, as in Logstash). */
import { defineOutput } from '../plugins/api.js';
import { encodeBatch, writeWithBackpressure } from './_write.js';

export default defineOutput({
  name: 'stdout',
  doc: 'Prints events on standard output, formatted by the codec (default `rubydebug`; `json_lines` for ndjson).',
  options: {
    codec: { type: 'codec', default: 'rubydebug', doc: 'Codec encoding each event (default `rubydebug`).' },
  },
  create(options) {
    const { codec } = options;
    // A closed pipe (`sluice run | head`) must not crash the pipeline; later writes are discarded.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'EPIPE') throw err; });
    const write = (payload: string | Buffer): Promise<void> | undefined => {
      if (process.stdout.destroyed) return undefined;
      const written = writeWithBackpressure(process.stdout, payload);
      // Nobody reads any more (EPIPE): the events are discarded rather than retried for ever.
      return written?.catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EPIPE') throw err; });
    };
    return {
      receive(events) { return process.stdout.destroyed ? undefined : write(encodeBatch(codec, events)); },
      // With worker threads the batch comes encoded by the thread's copy of the codec.
      receiveEncoded: write,
    };
  },
});
