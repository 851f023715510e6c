/**
 * dissect: cuts fields out of text by literal delimiters, as logstash-filter-dissect 1.3 does (the
 * dissector is src/formats/dissect.ts). Per mapping entry:
 * - the source field missing: counted as a failure and logged, no tag;
 * - empty, or the text does not fit the mapping: tagged `tag_on_failure` (`_dissectfailure`), nothing set;
 * - a match: the fields are set and the common options (add_field, add_tag…) applied, once per matching
 *   entry, as upstream calls filter_matched per entry.
 * `convert_datatype` runs after every mapping entry, matched or not: `int` and `float` (BigDecimal's
 * syntax); a missing field is tagged `_dataconversionnullvalue_<field>_<type>`, a value that is not a
 * number `_dataconversionuncoercible_<field>_<type>`.
 */
import type { Event } from '../event/event.js';
import { toS } from '../event/ruby.js';
import { javaToString } from '../event/sprintf.js';
import { LsFloat, type Value } from '../event/values.js';
import { parseFieldRef, type FieldPath } from '../event/fieldref.js';
import { decimalShape, decimalToInteger, DissectFormatError, Dissector, type DissectField } from '../formats/dissect.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';
import { filterMatcher } from '../plugins/decorate.js';

type Conversion = 'int' | 'float';

function normalize(big: bigint): number | bigint {
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
}

/** The converted value, or undefined when BigDecimal would refuse the text. */
function convert(text: string, to: Conversion): Value | undefined {
  if (to === 'int') {
    const n = decimalToInteger(text);
    return n === undefined ? undefined : normalize(n);
  }
  const shape = decimalShape(text);
  if (shape === undefined) return undefined;
  // A BigDecimal without fraction or exponent prints as an integer (`3`); others as written.
  if (shape === 'integer') {
    const n = decimalToInteger(text);
    return n === undefined ? undefined : normalize(n);
  }
  return new LsFloat(Number(text));
}

/** One field to save, its name parsed once (an invalid name fails on the event, tagged, as upstream). */
interface Save {
  readonly field: DissectField;
  readonly path: FieldPath | Error;
}

/**
 * The normal and append fields of one plain top-level name, in save order: their result is built as one
 * string and set once (what setting and re-reading the field after each of them gives).
 */
interface Group {
  readonly path: FieldPath;
  readonly ops: readonly DissectField[];
}

interface SavePlan {
  /** Set when every normal/append name is a plain top-level key (not `@…`): the fast path. */
  readonly groups: readonly Group[] | undefined;
  /** Every saveable field in order (the general path), or only the indirect ones with groups. */
  readonly saves: readonly Save[];
}

function compileSave(field: DissectField): Save {
  try { return { field, path: parseFieldRef(field.name) }; } catch (e) { return { field, path: e as Error }; }
}

function planSaves(d: Dissector): SavePlan {
  const all = d.saveable.map(compileSave);
  const direct = all.filter((s) => s.field.kind !== 'indirect');
  const plain = direct.every((s) => !(s.path instanceof Error) && s.path.length === 1 && !s.path[0]!.startsWith('@'));
  if (!plain) return { groups: undefined, saves: all };
  const byName = new Map<string, { path: FieldPath; ops: DissectField[] }>();
  for (const s of direct) {
    const name = (s.path as FieldPath)[0]!;
    let g = byName.get(name);
    if (g === undefined) byName.set(name, g = { path: s.path as FieldPath, ops: [] });
    g.ops.push(s.field);
  }
  return { groups: [...byName.values()], saves: all.filter((s) => s.field.kind === 'indirect') };
}

/** Save the values of a match, as upstream's Normal, Append and Indirect fields do, in its order. */
function save(event: Event, plan: SavePlan, values: readonly string[], d: Dissector): void {
  const groups = plan.groups;
  if (groups !== undefined) {
    for (let g = 0; g < groups.length; g++) {
      const { path, ops } = groups[g]!;
      let cur: string | undefined;
      for (let i = 0; i < ops.length; i++) {
        const f = ops[i]!;
        const value = values[f.id]!;
        if (f.kind === 'normal') cur = value;
        else if (cur !== undefined) cur = cur + f.join + value;
        else {
          const old = event.get(path);
          cur = old !== undefined || event.includes(path) ? javaToString(old) + f.join + value : value;
        }
      }
      event.set(path, cur!);
    }
  }
  const saves = plan.saves;
  for (let i = 0; i < saves.length; i++) {
    const { field, path } = saves[i]!;
    if (path instanceof Error) throw path;
    const value = values[field.id]!;
    if (field.kind === 'normal') event.set(path, value);
    else if (field.kind === 'append') {
      const old = event.get(path);
      if (old !== undefined || event.includes(path)) event.set(path, javaToString(old) + field.join + value);
      else event.set(path, value);
    } else {
      const key = event.includes(path) ? javaToString(event.get(path)) : d.otherByName(values, field.name, field.id);
      if (key !== '') event.set(key, value);
    }
  }
}

export default defineFilter({
  name: 'dissect',
  doc: 'Splits text into fields by literal delimiters (`%{a} %{+a} [%{pid}]: %{msg}`), faster than grok; failures are tagged `_dissectfailure`.',
  options: {
    mapping: { type: 'hash', default: {}, doc: 'Source field => dissect pattern (`%{field}`, `%{+append/1}`, `%{?skip}`, `%{&indirect}`, `%{padded->}`).' },
    convert_datatype: { type: 'hash', default: {}, doc: 'Field => `int` or `float`: converted after dissection.' },
    tag_on_failure: { type: 'array', default: ['_dissectfailure'], doc: 'Tags added when a mapping does not match (or its source is empty).' },
  },
  // Creating it opens nothing, so the config check creates it to validate the mapping.
  check: 'create',
  create(options, ctx) {
    const pairs: { source: string; path: FieldPath; dissector: Dissector | undefined; plan: SavePlan }[] = [];
    for (const [source, raw] of Object.entries(options.mapping)) {
      const mapping = toS(raw);
      let path: FieldPath;
      try { path = parseFieldRef(source); } catch (e) {
        throw new PluginConfigError(`dissect: ${(e as Error).message}`, 'mapping', 'the keys of mapping are field references');
      }
      if (mapping === '') { pairs.push({ source, path, dissector: undefined, plan: { groups: undefined, saves: [] } }); continue; }
      let dissector: Dissector;
      try {
        dissector = Dissector.create(mapping);
      } catch (e) {
        if (!(e instanceof DissectFormatError)) throw e;
        throw new PluginConfigError(`dissect: ${e.message}`, 'mapping', 'fix the %{…} fields of the mapping');
      }
      pairs.push({ source, path, dissector, plan: planSaves(dissector) });
    }
    const conversions: { field: string; type: string; to: Conversion }[] = [];
    for (const [field, raw] of Object.entries(options.convert_datatype)) {
      const type = toS(raw);
      const to = type.toLowerCase();
      if (to !== 'int' && to !== 'float') {
        throw new PluginConfigError(`Dissector datatype conversion, datatype not supported: ${type}`, 'convert_datatype', 'use "int" or "float"');
      }
      conversions.push({ field, type, to });
    }
    const tags = options.tag_on_failure.map((t) => toS(t));
    const logger = ctx.logger;
    const matches = ctx.metrics.counter('matches');
    const failures = ctx.metrics.counter('failures');
    const matched = filterMatcher(options);

    const fail = (event: Event): void => {
      failures.inc();
      for (const t of tags) event.tag(t);
    };

    return {
      filter(event) {
        let hits = 0;
        try {
          for (const { source, path, dissector, plan } of pairs) {
            if (dissector === undefined) continue;
            const raw = event.get(path);
            if (raw === undefined && !event.includes(path)) {
              failures.inc();
              logger.warn('Dissector mapping, field not found in event', { field: source });
              continue;
            }
            const text = typeof raw === 'string' ? raw : toS(raw ?? null);
            if (text === '') {
              fail(event);
              logger.warn('Dissector mapping, field found in event but it was empty', { field: source });
              continue;
            }
            const values = dissector.dissect(text);
            if (values === undefined) {
              fail(event);
              logger.warn('Dissector mapping, pattern not found', { field: source, pattern: dissector.mapping });
              continue;
            }
            save(event, plan, values, dissector);
            // Upstream applies the common options once per matching entry: every match after the
            // first here, the first by the pipeline when this returns true.
            if (hits > 0) matched(event);
            hits++;
            matches.inc();
          }
          for (const c of conversions) {
            const value = event.get(c.field);
            const converted = convert(javaToString(value ?? null), c.to);
            if (converted !== undefined) { event.set(c.field, converted); continue; }
            if (value === undefined || value === null) {
              event.tag(`_dataconversionnullvalue_${c.field}_${c.type}`);
              logger.warn(`Dissector datatype conversion, field does not exist or value is nil, field: ${c.field}`);
            } else {
              event.tag(`_dataconversionuncoercible_${c.field}_${c.type}`);
              logger.warn(`Dissector datatype conversion, value cannot be coerced, field: ${c.field}, value: ${javaToString(value)}`);
            }
          }
        } catch (e) {
          fail(event);
          logger.error('Dissect threw an exception', { exception: (e as Error).message });
          return false;
        }
        return hits > 0;
      },
    };
  },
});
