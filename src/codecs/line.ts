/**
 * line: one event per line. Decoding splits on `delimiter` (lines may span chunks; the last line without
 * a delimiter is decoded at end of stream); encoding writes `format` (sprintf) or Event#to_s, then the
 * delimiter. In ECS mode (v1, v8) each event also gets the line in `[event][original]`.
 */
import type { Event } from '../event/event.js';
import { compileSprintf } from '../event/sprintf.js';
import { defineCodec } from '../plugins/api.js';
import { CHARSET_OPTION, DELIMITER_OPTION, eventToString, frameLines, lineConverter, lineDecoder, messageEvent } from './_text.js';

export default defineCodec({
  name: 'line',
  doc: 'Line-oriented text: each line becomes an event with the line in `message`; each encoded event is followed by the delimiter.',
  options: {
    format: { type: 'string', doc: 'sprintf format of each encoded event (default: `<@timestamp> <host> <message>`).' },
    charset: CHARSET_OPTION,
    delimiter: DELIMITER_OPTION,
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  create(options, ctx) {
    const ecs = ctx.ecs !== 'disabled';
    const lineEvent = (text: string): Event => {
      const e = messageEvent(text);
      if (ecs) e.set('[event][original]', text);
      return e;
    };
    const convert = lineConverter(options.charset);
    const delimiter = options.delimiter;
    if (delimiter === '') throw new Error('line codec: delimiter must not be empty');
    const format = options.format;
    const encodeText = format === undefined ? eventToString : compileSprintf(format);
    return {
      decoder(emit, stream) {
        return lineDecoder({ delimiter, convert, emit, stream, onLine: (text, out) => out(lineEvent(text)) });
      },
      decodeFrame(frame, emit) {
        frameLines(frame, delimiter, convert, (text) => emit(lineEvent(text)));
      },
      encode: (event) => encodeText(event) + delimiter,
    };
  },
});
