/**
 * es_bulk: decodes the Elasticsearch bulk format (NDJSON), as logstash-codec-es_bulk 3.x does. An action
 * line (`{"index":{"_index":…,"_id":…}}`) gives the metadata: the action's object plus `action` (the
 * action's name), put in `[@metadata]` (ECS disabled: the whole metadata) or `[@metadata][codec][es_bulk]`
 * (ECS v1/v8). The next line is the document: one event with that metadata. A `delete` action has no
 * document line and makes an event with only the metadata. A line that is not JSON is logged and skipped,
 * as upstream does (no event). Encoding is refused: the elasticsearch output writes the bulk format.
 */
import { Event } from '../event/event.js';
import { parseJson } from '../event/json.js';
import { deepClone, isHash, type Hash } from '../event/values.js';
import { defineCodec } from '../plugins/api.js';
import { frameLines, lineConverter, lineDecoder, type Emit } from './_text.js';

export default defineCodec({
  name: 'es_bulk',
  doc: 'Decodes the Elasticsearch bulk format: each document becomes an event, its action line goes to `@metadata` (`[@metadata][codec][es_bulk]` in ECS mode). Decode only.',
  options: {
    target: { type: 'field_reference', doc: 'Field to put the decoded document under (default: the top level of the event).' },
  },
  check: 'create',
  create(options, ctx) {
    const convert = lineConverter('UTF-8');
    const target = options.target;
    const metadataField = ctx.ecs === 'disabled' ? '[@metadata]' : '[@metadata][codec][es_bulk]';
    const failures = ctx.metrics.counter('decode_failures');

    const newEvent = (data: Hash): Event => {
      if (target === undefined) return new Event(data);
      const e = new Event();
      e.set(target, data);
      return e;
    };

    /** One parser per stream: it alternates between action lines and document lines. */
    const parser = (): ((text: string, emit: Emit) => void) => {
      let state: 'initial' | 'metadata' = 'initial';
      let metadata: Hash = {};
      return (text, emit) => {
        if (text.trim() === '') return;
        let line;
        try {
          line = parseJson(text);
        } catch (e) {
          failures.inc();
          ctx.logger.error('JSON parse failure. ES Bulk messages must in be UTF-8 JSON', { error: (e as Error).message, data: text });
          return;
        }
        if (!isHash(line)) {
          failures.inc();
          ctx.logger.error('ES Bulk line is not a JSON object', { data: text });
          return;
        }
        if (state === 'metadata') {
          const event = newEvent(line);
          event.set(metadataField, deepClone(metadata));
          emit(event);
          state = 'initial';
          return;
        }
        const action = Object.keys(line)[0];
        const body = action === undefined ? undefined : line[action];
        if (action === undefined || !isHash(body)) {
          failures.inc();
          ctx.logger.error('ES Bulk action line must be an object holding one action object', { data: text });
          return;
        }
        metadata = { ...body, action };
        state = 'metadata';
        if (action === 'delete') {
          const event = new Event();
          event.set(metadataField, deepClone(metadata));
          emit(event);
          state = 'initial';
        }
      };
    };

    return {
      decoder(emit, stream) {
        return lineDecoder({ delimiter: '\n', convert, emit, stream, onLine: parser() });
      },
      decodeFrame(frame, emit) {
        const onLine = parser();
        frameLines(frame, '\n', convert, (text) => onLine(text, emit));
      },
      encode() {
        throw new Error('the es_bulk codec can only decode (Logstash does not support encoding the bulk format with it)');
      },
    };
  },
});
