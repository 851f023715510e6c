/**
 * graphite: Graphite's plaintext protocol (`metric value timestamp` lines), as logstash-codec-graphite 3.x.
 * Decoding makes one event per line: `{ <metric>: <value as a float>, @timestamp: <timestamp> }`.
 * Encoding writes one line per metric, `<name> <value> <epoch seconds>`, for the `metrics` hash (names and
 * values sprintf'd) or, with `fields_are_metrics`, for every top-level field but @timestamp and @version;
 * names must match one `include_metrics` regexp and no `exclude_metrics` one, and are written through
 * `metrics_format` (`*` stands for the name). Values are Ruby floats (`String#to_f`: 0.0 when not numeric).
 * An event with no metric left writes nothing.
 */
import { Event } from '../event/event.js';
import { toS } from '../event/ruby.js';
import { compileSprintf, sprintf } from '../event/sprintf.js';
import { Timestamp } from '../event/timestamp.js';
import { formatFloat, LsFloat } from '../event/values.js';
import { rubyMatch, rubyRegExp } from '../formats/ruby-regexp.js';
import { defineCodec, PluginConfigError } from '../plugins/api.js';
import { rubyToF } from '../formats/ruby-float.js';
import { frameLines, lineConverter, lineDecoder, type Emit } from './_text.js';

export const GRAPHITE_FAILURE_TAG = '_graphiteparsefailure';
const EXCLUDE_ALWAYS = new Set(['@timestamp', '@version']);

export { rubyToF };

export default defineCodec({
  name: 'graphite',
  doc: 'Graphite plaintext protocol: decodes `metric value timestamp` lines into events; encodes metrics (the `metrics` hash, or every field) as such lines.',
  options: {
    metrics: { type: 'hash', default: {}, doc: 'Metric names and values to encode (sprintf in both); values are taken as floats (0.0 when not numeric).' },
    fields_are_metrics: { type: 'boolean', default: false, doc: 'Encode every top-level field (but @timestamp and @version) as a metric.' },
    include_metrics: { type: 'array', default: ['.*'], doc: 'Encode only metric names matching one of these regexps.' },
    exclude_metrics: { type: 'array', default: ['%\\{[^}]+\\}'], doc: 'Do not encode metric names matching one of these regexps (by default, names with an unresolved `%{field}`).' },
    metrics_format: { type: 'string', default: '*', doc: 'Format of metric names: `*` is replaced by the name (sprintf allowed, e.g. `%{host}.foo.*.sum`).' },
  },
  check: 'create',
  create(options) {
    const convert = lineConverter('UTF-8');
    const compile = (list: readonly unknown[], option: string): RegExp[] => list.map((p) => {
      try { return rubyRegExp(String(p)); } catch (e) { throw new PluginConfigError(`graphite codec: ${(e as Error).message}`, option); }
    });
    const include = compile(options.include_metrics, 'include_metrics');
    const exclude = compile(options.exclude_metrics, 'exclude_metrics');
    const metrics = Object.entries(options.metrics).map(([k, v]) => [compileSprintf(k), compileSprintf(toS(v))] as const);
    const format = compileSprintf(options.metrics_format);
    const fieldsAreMetrics = options.fields_are_metrics;

    const decodeLine = (text: string, emit: Emit): void => {
      const [name, value, time] = text.split(' ').filter((s) => s !== '');
      if (name === undefined || value === undefined) {
        if (text.trim() === '') return;
        emit(new Event({ message: text, tags: [GRAPHITE_FAILURE_TAG] }));
        return;
      }
      const e = new Event({ '@timestamp': Timestamp.fromEpochSeconds(Math.trunc(rubyToF(time ?? '0'))) });
      e.data[name] = new LsFloat(rubyToF(value));
      emit(e);
    };

    return {
      decoder(emit, stream) {
        return lineDecoder({ delimiter: '\n', convert, emit, stream, onLine: decodeLine });
      },
      decodeFrame(frame, emit) { frameLines(frame, '\n', convert, (text) => decodeLine(text, emit)); },
      encode(event) {
        const timestamp = sprintf('%{+%s}', event);
        const metricFormat = format(event);
        const name = (metric: string): string => metricFormat.split('*').join(metric);
        const lines: string[] = [];
        // As upstream: an empty include_metrics lets every field through with fields_are_metrics, and
        // no `metrics` entry through otherwise.
        const add = (metric: string, value: string): void => {
          if (!(fieldsAreMetrics && include.length === 0) && !include.some((re) => rubyMatch(re, metric))) return;
          if (exclude.some((re) => rubyMatch(re, metric))) return;
          lines.push(`${name(metric)} ${formatFloat(rubyToF(value))} ${timestamp}`);
        };
        if (fieldsAreMetrics) {
          for (const [metric, value] of Object.entries(event.data)) {
            if (EXCLUDE_ALWAYS.has(metric)) continue;
            add(metric, sprintf(toS(value), event));
          }
        } else {
          for (const [metric, value] of metrics) add(metric(event), value(event));
        }
        return lines.length === 0 ? '' : lines.join('\n') + '\n';
      },
    };
  },
});
