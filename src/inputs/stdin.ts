/**
 * stdin: reads standard input through its codec (default `line`) as one stream; ends at EOF.
 * Adds the host name as Logstash does: `host` (ECS disabled) or `[host][hostname]` (ECS v1/v8).
 */
import { hostname } from 'node:os';
import type { Event } from '../event/event.js';
import { defineInput } from '../plugins/api.js';
import { codecNameOf, codecOptionsOf } from '../plugins/context.js';
import { fieldStamper } from '../plugins/stamp.js';

/** Codecs whose lines decode independently of each other, so standard input can be cut into chunks of lines. */
const LINE_CODECS = new Set(['line', 'json_lines']);

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
    const codecOptions = codecOptionsOf(codec) ?? {};
    const charset = typeof codecOptions.charset === 'string' ? codecOptions.charset.toUpperCase() : 'UTF-8';
    const cuttable = LINE_CODECS.has(codecNameOf(codec) ?? '') && (charset === 'UTF-8' || charset === 'UTF8');
    const chunkDelimiter = cuttable ? (typeof codecOptions.delimiter === 'string' ? codecOptions.delimiter : '\n') : undefined;
    return {
      decoderForChunks: (emit) => (cuttable ? codec.decoder(emit, { key: 'stdin', fields: addHost }) : undefined),
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
          const pushChunk = chunkDelimiter === undefined ? undefined : sink.pushChunk;
          const decoder = pushChunk ? chunkCutter(Buffer.from(chunkDelimiter!), (bytes) => { if (!pushChunk(bytes)) holdBack(); })
            : codec.decoder((event) => { if (!sink.push(event)) holdBack(); }, { key: 'stdin', fields: addHost });
          let ended = false;
          const end = (): void => {
            if (ended) return;
            ended = true;
            stdin.off('data', onData);
            decoder.end();
            resolve();
          };
          const onData = (chunk: Buffer): void => { decoder.push(chunk); };
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

/**
 * Cuts a byte stream after the last delimiter of each read (what follows waits for the next read), so
 * every chunk holds whole lines; the rest goes at the end, as the decoder would emit it.
 */
function chunkCutter(delimiter: Buffer, send: (bytes: Buffer) => void): { push(chunk: Buffer | string): void; end(): void } {
  let rest: Buffer | undefined;
  return {
    push(chunk) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const all = rest ? Buffer.concat([rest, bytes]) : bytes;
      const cut = all.lastIndexOf(delimiter);
      if (cut < 0) { rest = all; return; }
      const end = cut + delimiter.length;
      rest = end < all.length ? Buffer.from(all.subarray(end)) : undefined;
      send(all.subarray(0, end));
    },
    end() {
      if (rest && rest.length > 0) send(rest);
      rest = undefined;
    },
  };
}
