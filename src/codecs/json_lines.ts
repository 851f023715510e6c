/**
 * json_lines (ndjson): one JSON document per line. Blank lines are skipped; a line that is not a JSON
 * object or array becomes an event with the line in `message`, tagged `_jsonparsefailure`. No
 * `[event][original]` is added (as in Logstash's codec). Encoding writes compact JSON plus the delimiter.
 *
 * This is the hot path of `stdin → stdout` pipelines: lines are cut from bytes without copying, documents
 * without floats or huge integers go through the native JSON.parse (see event/json.ts), and encoding is a
 * single pass over the event.
 */
import { defineCodec } from '../plugins/api.js';
import { CHARSET_OPTION, DELIMITER_OPTION, decodeJson, frameLines, lineConverter, lineDecoder, type Emit } from './_text.js';

export default defineCodec({
  name: 'json_lines',
  doc: 'Newline-delimited JSON (ndjson): each line is a JSON object (or array of objects); each encoded event is one line.',
  options: {
    charset: CHARSET_OPTION,
    delimiter: DELIMITER_OPTION,
    target: { type: 'field_reference', doc: 'Field to put the decoded data under (default: the top level of the event).' },
    decode_size_limit_bytes: {
      type: 'number', default: 512 * 1024 * 1024,
      doc: 'Longest line accepted, in bytes; a longer line is cut at this size and each piece decoded on its own (tagged `_jsonparsefailure`).',
    },
  },
  // Creating it opens nothing, so the config check creates it to validate the options.
  check: 'create',
  create(options) {
    const convert = lineConverter(options.charset);
    const delimiter = options.delimiter;
    if (delimiter === '') throw new Error('json_lines codec: delimiter must not be empty');
    const target = options.target;
    const limit = options.decode_size_limit_bytes;
    if (!(limit > 0)) throw new Error('json_lines codec: decode_size_limit_bytes must be positive');

    const decodeLine = (text: string, emit: Emit): void => {
      const events = decodeJson(text, target, emit);
      if (events) for (let i = 0; i < events.length; i++) emit(events[i]!);
    };

    return {
      decoder(emit, stream) {
        return lineDecoder({ delimiter, convert, emit, stream, maxLineBytes: limit, onLine: decodeLine });
      },
      decodeFrame(frame, emit) { frameLines(frame, delimiter, convert, (text) => decodeLine(text, emit)); },
      encode: (event) => event.toJSON() + delimiter,
    };
  },
});
