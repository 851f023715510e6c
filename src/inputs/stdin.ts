/**
 * stdin: reads standard input through its codec (default `line`) as one stream; ends at EOF.
 * Adds the host name as Logstash does: `host` (ECS disabled) or `[host][hostname]` (ECS v1/v8).
 */
import { hostname } from 'node:os';
import type { Event } from '../event/event.js';
import { defineInput } from '../plugins/api.js';
import { fieldStamper } from '../plugins/stamp.js';
import { chunkDelimiter, LineChunker } from './_line-chunks.js';

export default defineInput({
  name: 'stdin',
  doc: 'Reads events from standard input, one per line by default. The pipeline shuts down at end of input.',
  options: {
    codec: { type: 'codec', default: 'line', doc: 'Codec decoding standard input (default `line`).' },
  },
  create(options, ctx) {
    const codec = options.codec;
    const host = hostname();
    const hostField = ctx.ecs === 'disabled' ? 'host' : '[host][hostname]';
    const stamp = fieldStamper(ctx.logger);
    const addHost = (e: Event): void => { stamp(e, hostField, host); };
    let stopRequested = false;
    let finish: (() => void) | undefined;
    // With a line codec the worker threads decode standard input themselves, in chunks of lines.
    const delimiter = chunkDelimiter(codec);
    return {
      decoderForChunks: (emit) => (delimiter ? codec.decoder(emit, { key: 'stdin', fields: addHost }) : undefined),
      run(sink) {
        const stdin = process.stdin;
        return new Promise<void>((resolve) => {
          let paused = false;
          const holdBack = (): void => {
            if (paused) return;
            paused = true;
            stdin.pause();
            void sink.drained().then(() => { paused = false; if (!stopRequested) stdin.resume(); });
          };
          const pushChunk = delimiter ? sink.pushChunk : undefined;
          const chunker = pushChunk ? new LineChunker(delimiter!, (bytes) => { if (!pushChunk(bytes)) holdBack(); }) : undefined;
          const decoder = chunker ?? codec.decoder((event) => { if (!sink.push(event)) holdBack(); }, { key: 'stdin', fields: addHost });
          let ended = false;
          const end = (): void => {
            if (ended) return;
            ended = true;
            stdin.off('data', onData);
            decoder.end();
            resolve();
          };
          // A chunk of lines per read.
          const onData = (chunk: Buffer): void => { decoder.push(chunk); chunker?.flush(); };
          finish = end;
          stdin.on('data', onData);
          stdin.once('end', end);
          stdin.once('error', end);
          if (stopRequested) end();
        });
      },
      stop() {
        stopRequested = true;
        process.stdin.pause();
        finish?.();
      },
    };
  },
});
