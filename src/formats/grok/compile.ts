/**
 * A compiled grok expression: expanded, translated to an engine, with a precompiled capture plan
 * that reproduces jls-grok's capture function:
 *
 * - captures are reported per distinct group name, in order of the name's first appearance, and for
 *   each name in order of its groups;
 * - a name is split on `:` like Ruby's `split(":")` into pattern, field and type; a raw
 *   `(?<name>…)` has no field, so the pattern part is the field;
 * - `int`/`float` convert with Ruby's to_i/to_f, but only the first group of a name (jls-grok
 *   reassigns its `coerce` variable inside the loop; Logstash behaves the same).
 */
import { parseFieldRef, type FieldPath } from '../../event/fieldref.js';
import type { Value } from '../../event/values.js';
import { NativeEngine, OnigurumaEngine, type Engine, type EngineKind, type GrokMatch } from './engine.js';
import { expandPattern, GrokPatternError } from './expand.js';
import type { PatternTable } from './library.js';
import { loadOniguruma, onigurumaLoaded } from './onig.js';
import { rubyToF, rubyToI } from './ruby.js';
import { hasCaptureInRepeat, hasNullableOptionalCapture, prepareSource } from './source.js';

export type Conversion = 'none' | 'int' | 'float';

export interface CaptureSlot {
  /** Group index (`g{i}`). */
  group: number;
  conversion: Conversion;
}

export interface CaptureField {
  /** The field name as written in the pattern (compared against `overwrite`). */
  field: string;
  path: FieldPath;
  slots: CaptureSlot[];
}

export interface CompileOptions {
  namedCapturesOnly?: boolean;
  /** Force an engine (tests, the differential check); default: native when exact. */
  engine?: EngineKind;
}

export class CompiledGrok {
  readonly pattern: string;
  /** The expanded Oniguruma source, group names as written. */
  readonly expanded: string;
  /** The expanded source after renaming groups and spelling out ASCII classes. */
  readonly prepared: string;
  readonly engine: Engine;
  readonly fields: readonly CaptureField[];
  /** Original name of each group. */
  readonly groupNames: readonly string[];

  constructor(init: { pattern: string; expanded: string; prepared: string; engine: Engine; fields: CaptureField[]; groupNames: string[] }) {
    this.pattern = init.pattern;
    this.expanded = init.expanded;
    this.prepared = init.prepared;
    this.engine = init.engine;
    this.fields = init.fields;
    this.groupNames = init.groupNames;
  }

  exec(subject: string): GrokMatch | null { return this.engine.exec(subject); }

  /**
   * Call `emit` for every capture of a match, in jls-grok's order, with the converted value
   * (undefined when the group did not take part).
   */
  captures(m: GrokMatch, emit: (f: CaptureField, value: Value | undefined) => void): void {
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i] as CaptureField;
      const slots = f.slots;
      for (let j = 0; j < slots.length; j++) {
        const slot = slots[j] as CaptureSlot;
        const text = m.group(slot.group);
        if (text === undefined) { emit(f, undefined); continue; }
        emit(f, slot.conversion === 'none' ? text : slot.conversion === 'int' ? rubyToI(text) : rubyToF(text));
      }
    }
  }

  /** Captures as a plain list of [field, value] (CLI, tests). */
  captureList(subject: string): Array<[string, Value | undefined]> | null {
    const m = this.exec(subject);
    if (m === null) return null;
    const out: Array<[string, Value | undefined]> = [];
    this.captures(m, (f, v) => out.push([f.field, v]));
    return out;
  }
}

/** Ruby's `"a:b::".split(":")`: trailing empty fields are dropped. */
function rubySplitColon(s: string): string[] {
  const parts = s.split(':');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function capturePlan(names: readonly string[]): CaptureField[] {
  const byName = new Map<string, number[]>();
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    const list = byName.get(n);
    if (list) list.push(i); else byName.set(n, [i]);
  }
  const fields: CaptureField[] = [];
  for (const [name, groups] of byName) {
    const [pattern = '', sub, type] = rubySplitColon(name);
    const field = sub ?? pattern;
    const conv: Conversion = type === 'int' ? 'int' : type === 'float' ? 'float' : 'none';
    fields.push({
      field,
      path: parseFieldRef(field),
      slots: groups.map((group, i) => ({ group, conversion: i === 0 ? conv : 'none' })),
    });
  }
  return fields;
}

/**
 * Compile a grok expression against a pattern table. Throws GrokPatternError for undefined or
 * cyclic patterns and for regexes neither engine accepts. Call `loadOniguruma()` first if the
 * pattern may need the Oniguruma engine (compileGrokAsync does).
 */
export function compileGrok(pattern: string, table: PatternTable, opts: CompileOptions = {}): CompiledGrok {
  const expanded = expandPattern(pattern, new Map(table), { namedCapturesOnly: opts.namedCapturesOnly ?? true });
  const { source, names } = prepareSource(expanded);
  let engine: Engine | undefined;
  // Two places where JavaScript and Oniguruma report captures differently, found by the differential
  // test: captures inside repeated groups and captures in optional groups that can match empty.
  if (opts.engine !== 'oniguruma' && !hasCaptureInRepeat(source) && !hasNullableOptionalCapture(source)) engine = NativeEngine.tryCreate(source, names.length);
  if (engine === undefined) {
    if (opts.engine === 'native') {
      throw new GrokPatternError({ code: 'SLC_GROK_BAD_REGEX', pattern, chain: [], message: `grok pattern ${JSON.stringify(pattern)} has no exact native translation` });
    }
    if (!onigurumaLoaded()) throw new Error('Oniguruma is not loaded: use compileGrokAsync or await loadOniguruma()');
    try {
      engine = new OnigurumaEngine(source, names.length);
    } catch (e) {
      throw new GrokPatternError({
        code: 'SLC_GROK_BAD_REGEX', pattern, chain: [],
        message: `grok pattern ${JSON.stringify(pattern)} is not a valid regular expression: ${(e as Error).message}`,
      });
    }
  }
  return new CompiledGrok({ pattern, expanded, prepared: source, engine, fields: capturePlan(names), groupNames: names });
}

/** compileGrok, loading Oniguruma first when the native translation is not exact. */
export async function compileGrokAsync(pattern: string, table: PatternTable, opts: CompileOptions = {}): Promise<CompiledGrok> {
  if (opts.engine === 'oniguruma') await loadOniguruma();
  else if (opts.engine === undefined) {
    try {
      return compileGrok(pattern, table, { ...opts, engine: 'native' });
    } catch (e) {
      if (!(e instanceof GrokPatternError) || e.code !== 'SLC_GROK_BAD_REGEX') throw e;
    }
    await loadOniguruma();
  }
  return compileGrok(pattern, table, opts);
}
