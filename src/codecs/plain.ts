/**
 * plain: text with no framing. Decoding makes one event per chunk (or frame) with the text in `message`
 * (and `[event][original]` in ECS mode); encoding prints `format` through sprintf, else Event#to_s.
 */
import type { Event } from '../event/event.js';
import { compileSprintf } from '../event/sprintf.js';
import { defineCodec } from '../plugins/api.js';
import { asBytes, CHARSET_OPTION, eventToString, incompleteUtf8Tail, lineConverter, messageEvent } from './_text.js';

export default defineCodec({
  name: 'plain',
  doc: 'Plain text with no delimiting between events: one event per chunk read, or per frame (datagram, HTTP body).',
  options: {
    format: { type: 'string', doc: 'sprintf format of each encoded event (default: `<@timestamp> <host> <message>`).' },
    charset: CHARSET_OPTION,
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  create(options, ctx) {
    const convert = lineConverter(options.charset);
    const utf8 = /^(utf-?8|cp65001)$/i.test(options.charset);
    const ecs = ctx.ecs !== 'disabled';
    const format = options.format;
    const encodeText = format === undefined ? eventToString : compileSprintf(format);

    const build = (bytes: Buffer): Event => {
      const message = convert(bytes);
      const e = messageEvent(message);
      if (ecs) e.set('[event][original]', message);
      return e;
    };

    return {
      decoder(emit, stream) {
        const fields = stream?.fields;
        const out = (e: Event): void => { fields?.(e); emit(e); };
        // A UTF-8 character split across two reads is carried over rather than escaped as invalid.
        let carry: Buffer | undefined;
        return {
          push(chunk) {
            let bytes = asBytes(chunk);
            if (carry !== undefined) { bytes = Buffer.concat([carry, bytes]); carry = undefined; }
            if (utf8) {
              const cut = incompleteUtf8Tail(bytes);
              if (cut < bytes.length) { carry = Buffer.from(bytes.subarray(cut)); bytes = bytes.subarray(0, cut); }
            }
            if (bytes.length > 0) out(build(bytes));
          },
          end() {
            if (carry !== undefined) { out(build(carry)); carry = undefined; }
          },
        };
      },
      decodeFrame(frame, emit) { emit(build(asBytes(frame))); },
      encode: (event) => encodeText(event),
    };
  },
});
