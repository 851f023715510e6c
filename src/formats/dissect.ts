/**
 * The dissector of logstash-filter-dissect 1.3 (its Java Dissector, ported): a mapping such as
 * `%{ts} %{+ts} [%{pid}]: %{msg}` is cut into fields and the literal delimiters between them; a text is
 * dissected by finding each delimiter in turn, left to right, with no regexp and no backtracking.
 *
 * Field notation: `%{name}`; skip `%{}` / `%{?name}`; append `%{+name}` with order `%{+name/2}`; indirect
 * `%{&name}` (the key is the value of `name`); `->` after a name skips repeated delimiters (right padding).
 * Upstream's exact edge cases are kept: a mapping must start where the text starts, a field followed
 * by no delimiter (`%{a}%{b}`) never matches unless it is the last, a delimiter found at the very start
 * of the text gives an empty field without moving on, text after the last field becomes a hidden skip
 * field. Positions are UTF-16 offsets here (bytes upstream); delimiters are found the same way in both.
 */

export class DissectFormatError extends Error {}

interface Delimiter {
  readonly text: string;
  greedy: boolean;
}

export type DissectFieldKind = 'skip' | 'normal' | 'append' | 'indirect';

export interface DissectField {
  readonly id: number;
  readonly kind: DissectFieldKind;
  /** The name without prefix and suffix. */
  readonly name: string;
  /** Sort key of the order fields are saved in: normal, then append (by `/n`), then indirect. */
  readonly ordinal: number;
  readonly previous: Delimiter | null;
  readonly next: Delimiter | null;
  /** What an append field puts before its value: its preceding delimiter, or a space. */
  readonly join: string;
}

const DELIMITER_FIELD = /([\s\S]*?)%\{([^}]*?)\}/g;
const FINAL_DELIMITER = /[^}]+$/;
const SUFFIX = /^(.+?)(\/\d{1,2}|->|\/\d{1,2}->|->\/\d{1,2})?$/;
const SUFFIX_ONLY = /^(\/\d{1,2}|->|\/\d{1,2}->|->\/\d{1,2})?$/;
const GREEDY = '->';

const SKIP_ORDINAL = 0;
const NORMAL_ORDINAL = 1;
const APPEND_ORDINAL_BASE = 100;
const INDIRECT_ORDINAL = 1000;

function nameAndSuffix(s: string): [string, string] {
  if (SUFFIX_ONLY.test(s)) return ['', s];
  const m = SUFFIX.exec(s);
  return m ? [m[1]!, m[2] ?? ''] : [s, ''];
}

function makeField(id: number, spec: string, previous: Delimiter | null, next: Delimiter | null): DissectField {
  let kind: DissectFieldKind;
  let rest: string;
  if (spec === '' || spec[0] === '?') { kind = 'skip'; rest = spec.slice(1); }
  else if (spec.startsWith('+&')) throw new DissectFormatError(`Field cannot prefix with both Append and Indirect Prefix (+&): ${spec}`);
  else if (spec.startsWith('&+')) throw new DissectFormatError(`Field cannot prefix with both Append and Indirect Prefix (&+): ${spec}`);
  else if (spec[0] === '+' || spec[0] === '&') {
    kind = spec[0] === '+' ? 'append' : 'indirect';
    rest = spec.slice(1);
    if (rest === '') throw new DissectFormatError('Field cannot be a prefix on its own without further text');
  } else { kind = 'normal'; rest = spec; }
  const [name, suffix] = nameAndSuffix(rest);
  if ((kind === 'append' || kind === 'indirect') && name === '') throw new DissectFormatError('Field cannot be a prefix and a suffix without a name section');
  let ordinal = kind === 'skip' ? SKIP_ORDINAL : kind === 'normal' ? NORMAL_ORDINAL : kind === 'indirect' ? INDIRECT_ORDINAL : APPEND_ORDINAL_BASE;
  if (kind === 'append') {
    const n = /\d+/.exec(suffix);
    if (n) ordinal += Number(n[0]);
  }
  if (next !== null) next.greedy = suffix.includes(GREEDY);
  return { id, kind, name, ordinal, previous, next, join: previous === null || previous.text === '' ? ' ' : previous.text };
}

export class Dissector {
  readonly fields: readonly DissectField[];
  /** Fields whose values are kept, in the order they are saved. */
  readonly saveable: readonly DissectField[];
  readonly #firstOffset: number;
  /** Per field id: its previous delimiter's text (undefined for none), whether it is greedy, its next one. */
  readonly #prevs: (string | undefined)[];
  readonly #prevGreedy: Uint8Array;
  readonly #delims: (string | undefined)[];
  readonly #values: string[];

  private constructor(readonly mapping: string, fields: DissectField[], firstOffset: number) {
    this.fields = fields;
    this.#firstOffset = firstOffset;
    this.#prevs = fields.map((f) => f.previous?.text);
    this.#prevGreedy = Uint8Array.from(fields, (f) => (f.previous?.greedy ? 1 : 0));
    this.#delims = fields.map((f) => f.next?.text);
    this.#values = fields.map(() => '');
    // A stable sort, as Java's List.sort: within one ordinal the mapping's order stays.
    this.saveable = fields.filter((f) => f.kind !== 'skip').sort((a, b) => a.ordinal - b.ordinal);
  }

  /** Parse a mapping; throws DissectFormatError for an invalid field or mapping. */
  static create(mapping: string): Dissector {
    if (mapping === '') throw new DissectFormatError('The mapping string cannot be empty');
    const holders: { name: string; previous: Delimiter; next: Delimiter | null }[] = [];
    let firstOffset = 0;
    for (const m of mapping.matchAll(DELIMITER_FIELD)) {
      const delimiter: Delimiter = { text: m[1]!, greedy: false };
      if (holders.length === 0) { if (delimiter.text.length > 0) firstOffset = delimiter.text.length; }
      else holders[holders.length - 1]!.next = delimiter;
      holders.push({ name: m[2]!, previous: delimiter, next: null });
    }
    const final = FINAL_DELIMITER.exec(mapping);
    if (final) {
      if (holders.length === 0) throw new DissectFormatError(`The mapping has no field: ${mapping}`);
      const delimiter: Delimiter = { text: final[0], greedy: false };
      holders[holders.length - 1]!.next = delimiter;
      holders.push({ name: '?auto_added_skip', previous: delimiter, next: null });
    }
    const fields = holders.map((h, id) => makeField(id, h.name, h.previous, h.next));
    return new Dissector(mapping, fields, firstOffset);
  }

  /**
   * The value of every field (indexed by field id), or undefined when the text does not match. An
   * empty text never matches. The array is reused by the next call: read it before dissecting again.
   */
  dissect(source: string): string[] | undefined {
    const n = this.#delims.length;
    if (n === 0 || source.length === 0) return undefined;
    const prevs = this.#prevs;
    const prevGreedy = this.#prevGreedy;
    const nexts = this.#delims;
    const values = this.#values;
    const last = n - 1;
    let left = 0;
    let pos = 0;
    let start = 0;
    for (let i = 0; i <= last; i++) {
      // Move beyond the previous delimiter (and its repeats after a `->` field).
      const prev = prevs[i];
      if (prev !== undefined) {
        if (prevGreedy[i] === 1) {
          if (prev !== '') while (source.startsWith(prev, left)) left += prev.length;
        } else if (left === 0 && this.#firstOffset > 0) {
          if (!source.startsWith(prev, 0)) return undefined;
          left = prev.length;
        }
      }
      start = left;
      if (i === last) { values[i] = source.slice(start); break; }
      // Find the next delimiter; one found at the very start leaves `left` where it is (upstream's quirk).
      const next = nexts[i]!;
      pos = next === '' ? -1 : source.indexOf(next, left);
      if (pos === -1) return undefined;
      if (pos > 0) {
        values[i] = source.slice(start, pos);
        left = pos + next.length;
      } else values[i] = '';
    }
    return values;
  }

  /** The value of another field with this name (skip fields included), or '' (the indirect key). */
  otherByName(values: readonly string[], name: string, notId: number): string {
    for (const f of this.fields) if (f.id !== notId && f.name === name) return values[f.id] ?? '';
    return '';
  }
}

/** Where dissected values go: an event, or a plain map in tests. */
export interface DissectTarget<V> {
  includes(name: string): boolean;
  get(name: string): V | undefined;
  set(name: string, value: string): void;
}

/**
 * Save the values of a match, as upstream's fields do: normal fields set, append fields joined to what
 * the target already holds, indirect fields keyed by another value (skipped when that key is empty).
 */
export function saveDissected<V>(d: Dissector, values: readonly string[], target: DissectTarget<V>, toText: (v: V | undefined) => string): void {
  for (const f of d.saveable) {
    const value = values[f.id] ?? '';
    if (f.kind === 'normal') target.set(f.name, value);
    else if (f.kind === 'append') {
      if (target.includes(f.name)) target.set(f.name, toText(target.get(f.name)) + f.join + value);
      else target.set(f.name, value);
    } else if (f.kind === 'indirect') {
      const key = target.includes(f.name) ? toText(target.get(f.name)) : d.otherByName(values, f.name, f.id);
      if (key !== '') target.set(key, value);
    }
  }
}

// ---- convert_datatype -------------------------------------------------------------------------------

/** Java's BigDecimal(String) grammar. */
const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** `new BigDecimal(text).toBigInteger()`; undefined when BigDecimal refuses the text. */
export function decimalToInteger(text: string): bigint | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const [, sign, int = '', frac = '', exp = '0'] = m;
  if (int === '' && frac === '') return undefined;
  let digits = int + frac;
  let scale = frac.length - Number(exp);
  if (!Number.isFinite(scale) || Math.abs(scale) > 100_000) return undefined;
  if (scale < 0) { digits += '0'.repeat(-scale); scale = 0; }
  const kept = scale >= digits.length ? '0' : digits.slice(0, digits.length - scale);
  const n = BigInt(kept === '' ? '0' : kept);
  return sign === '-' ? -n : n;
}

/** Whether BigDecimal reads the text, and whether it has a fraction or exponent. */
export function decimalShape(text: string): 'integer' | 'fraction' | undefined {
  const m = DECIMAL.exec(text);
  if (!m) return undefined;
  const [, , int = '', frac, exp] = m;
  if (int === '' && (frac === undefined || frac === '')) return undefined;
  return frac === undefined && exp === undefined ? 'integer' : 'fraction';
}
