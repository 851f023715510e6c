/**
 * JSON text of an event's fields, faster than the general `stringifyValue` for the case that dominates a
 * pipeline: event after event with the same fields in the same order (one input, one codec, the same
 * filters). Each object position (the top level, `[log]`, `[log][syslog]`…) remembers the few key
 * sequences it has seen, each with the text that goes before every value (`{"@timestamp":`,
 * `,"message":`), the way fast-json-stringify compiles a schema, but learned from the events themselves.
 * An object is printed against its position's latest sequence, checking each key as it goes; on the first
 * key that differs it is printed against another remembered sequence that it matches, or by
 * `stringifyValue` while its sequence is learned. The text is always exactly `stringifyValue`'s.
 */
import { isHash, quotedKey, quoteString, stringifyValue, type Hash } from './values.js';

/** Key sequences remembered per object position: enough for a few kinds of events in one pipeline. */
const SEQUENCES_PER_POSITION = 4;
/** Positions below this depth are printed by stringifyValue (deep values are rare and irregular). */
const MAX_DEPTH = 6;

/** One key sequence of an object position, with what is printed before each value. */
interface KeySequence {
  readonly keys: string[];
  /** `{"key":` for the first key, `,"key":` for the others. */
  readonly before: string[];
  /** The position of each key's value, when that value is an object. */
  readonly children: (Position | undefined)[];
  /**
   * The last string or number printed for each key, and its text: many fields repeat from event to event
   * (host and program names, `@version`, levels, status codes).
   */
  readonly lastValue: unknown[];
  readonly lastText: string[];
}

/** An object position: its remembered key sequences, latest first, and how well they serve it. */
class Position {
  readonly sequences: KeySequence[] = [];
  /** Objects printed against a remembered sequence, and objects whose sequence had to be learned. */
  hits = 0;
  misses = 0;
  /**
   * Objects left to print by stringifyValue alone: a position whose keys keep changing (a kv filter's
   * arbitrary keys) would otherwise pay for learning at every event.
   */
  plainFor = 0;
}

/** Misses allowed before a position may be found irregular, and how long it is then left alone. */
const MISSES_TOLERATED = 32;
const PLAIN_STRETCH = 1024;

const root = new Position();

/** JSON text of an event's fields (exactly `stringifyValue(data)`). */
export function stringifyFields(data: Hash): string {
  return printObject(data as Record<string, unknown>, root, 0);
}

function printObject(o: Record<string, unknown>, position: Position, depth: number): string {
  if (position.plainFor > 0) {
    position.plainFor--;
    return stringifyValue(o);
  }
  const sequences = position.sequences;
  const latest = sequences[0];
  if (latest !== undefined) {
    const text = printWith(o, latest, depth);
    if (text !== undefined) { position.hits++; return text; }
    for (let i = 1; i < sequences.length; i++) {
      const seq = sequences[i]!;
      if (!matches(o, seq)) continue;
      // Move it to the front: the next object at this position most likely has the same keys.
      sequences.splice(i, 1);
      sequences.unshift(seq);
      position.hits++;
      return printWith(o, seq, depth)!;
    }
  }
  if (++position.misses > MISSES_TOLERATED) {
    if (position.misses > position.hits) {
      position.plainFor = PLAIN_STRETCH;
      sequences.length = 0;
    }
    position.hits = 0;
    position.misses = 0;
  }
  sequences.unshift(learn(o));
  if (sequences.length > SEQUENCES_PER_POSITION) sequences.pop();
  return stringifyValue(o);
}

/** The text of `o` printed against `seq`, or undefined when its keys are not `seq`'s. */
function printWith(o: Record<string, unknown>, seq: KeySequence, depth: number): string | undefined {
  const { keys, before } = seq;
  let s = '';
  let j = 0;
  for (const k in o) {
    const v = o[k];
    if (v === undefined || !Object.prototype.hasOwnProperty.call(o, k)) continue;
    if (keys[j] !== k) return undefined;
    s += before[j]!;
    if (typeof v === 'string' || typeof v === 'number') {
      if (v === seq.lastValue[j]) s += seq.lastText[j]!;
      else {
        const text = typeof v === 'string' ? quoteString(v) : stringifyValue(v);
        seq.lastValue[j] = v;
        seq.lastText[j] = text;
        s += text;
      }
    } else if (depth < MAX_DEPTH && isHash(v)) {
      const child = seq.children[j] ?? (seq.children[j] = new Position());
      s += printObject(v as Record<string, unknown>, child, depth + 1);
    } else s += stringifyValue(v);
    j++;
  }
  if (j !== keys.length) return undefined;
  return j === 0 ? '{}' : s + '}';
}

function matches(o: Record<string, unknown>, seq: KeySequence): boolean {
  const keys = seq.keys;
  let j = 0;
  for (const k in o) {
    if (o[k] === undefined || !Object.prototype.hasOwnProperty.call(o, k)) continue;
    if (keys[j] !== k) return false;
    j++;
  }
  return j === keys.length;
}

function learn(o: Record<string, unknown>): KeySequence {
  const keys: string[] = [];
  const before: string[] = [];
  for (const k in o) {
    if (o[k] === undefined || !Object.prototype.hasOwnProperty.call(o, k)) continue;
    before.push((keys.length === 0 ? '{' : ',') + quotedKey(k));
    keys.push(k);
  }
  return {
    keys, before,
    children: new Array<Position | undefined>(keys.length).fill(undefined),
    lastValue: new Array<unknown>(keys.length).fill(undefined),
    lastText: new Array<string>(keys.length).fill(''),
  };
}
