/**
 * The event: a hash of fields plus `@metadata` (never serialized), with Logstash's field-reference API.
 * `@timestamp` holds a Timestamp and `@version` defaults to "1", as in Logstash.
 */
import { arrayIndex, isIndexSegment, parseFieldRef, type FieldPath } from './fieldref.js';
import { Timestamp } from './timestamp.js';
import { stringifyFields } from './shaped-json.js';
import { deepClone, isHash, type Hash, type Value } from './values.js';

export const TIMESTAMP = '@timestamp';
export const METADATA = '@metadata';
export const VERSION = '@version';
export const TIMESTAMP_FAILURE_TAG = '_timestampparsefailure';

type Ref = string | FieldPath;

export class FieldSetError extends Error {}

/** Set while Event.restore builds an event: the constructor then takes data and metadata as they are. */
let restoringMetadata: Hash | undefined;

export class Event {
  #data: Hash;
  #metadata: Hash;
  #cancelled = false;

  /**
   * Build an event from a hash (for example a decoded JSON object). The hash is taken over, not copied.
   * A string `@timestamp` is parsed; an unparsable one is moved to `_@timestamp` and the event tagged
   * `_timestampparsefailure`, as Logstash does.
   */
  constructor(data: Hash = {}) {
    if (restoringMetadata !== undefined) {
      this.#data = data;
      this.#metadata = restoringMetadata;
      return;
    }
    const meta = data[METADATA];
    this.#metadata = isHash(meta) ? meta : {};
    if (meta !== undefined) delete data[METADATA];
    const ts = data[TIMESTAMP];
    let failedTimestamp: Value | undefined;
    if (!(ts instanceof Timestamp)) {
      const parsed = typeof ts === 'string' ? Timestamp.parse(ts) : undefined;
      if (ts !== undefined && parsed === undefined) failedTimestamp = ts;
      // Put @timestamp first so serialized events read naturally.
      const stamp = parsed ?? Timestamp.now();
      this.#data = { [TIMESTAMP]: stamp, ...data };
      // The spread copied the raw value (string or invalid) over the first key: put the Timestamp back.
      this.#data[TIMESTAMP] = stamp;
    } else {
      this.#data = data;
    }
    if (this.#data[VERSION] === undefined) this.#data[VERSION] = '1';
    if (failedTimestamp !== undefined) {
      this.#data['_@timestamp'] = failedTimestamp;
      this.tag(TIMESTAMP_FAILURE_TAG);
    }
  }

  /**
   * An event exactly as it was (decoded from the wire format): the hash and metadata are taken over as
   * they are, with no @timestamp parsing and no defaults added.
   */
  static restore(data: Hash, metadata: Hash): Event {
    restoringMetadata = metadata;
    try { return new Event(data); } finally { restoringMetadata = undefined; }
  }

  /** The top-level hash (without @metadata). Mutating it mutates the event. */
  get data(): Hash { return this.#data; }
  get metadata(): Hash { return this.#metadata; }

  get timestamp(): Timestamp { return this.#data[TIMESTAMP] as Timestamp; }
  set timestamp(t: Timestamp) { this.#data[TIMESTAMP] = t; }

  get cancelled(): boolean { return this.#cancelled; }
  /** Drop the event (the drop filter): it goes no further down the pipeline. */
  cancel(): void { this.#cancelled = true; }
  uncancel(): void { this.#cancelled = false; }

  #root(path: FieldPath): { root: Hash; rest: FieldPath } {
    if (path[0] === METADATA) return { root: this.#metadata, rest: path.slice(1) };
    return { root: this.#data, rest: path };
  }

  get(ref: Ref): Value | undefined {
    const path = typeof ref === 'string' ? parseFieldRef(ref) : ref;
    if (path.length === 1 && path[0] !== METADATA) return this.#data[path[0]!];
    if (path[0] === METADATA && path.length === 1) return this.#metadata;
    const { root, rest } = this.#root(path);
    let cur: Value | undefined = root;
    for (const seg of rest) {
      if (Array.isArray(cur)) {
        const i = arrayIndex(seg, cur.length);
        cur = i === undefined ? undefined : cur[i];
      } else if (isHash(cur)) {
        cur = cur[seg];
      } else return undefined;
      if (cur === undefined) return undefined;
    }
    return cur;
  }

  includes(ref: Ref): boolean {
    const path = typeof ref === 'string' ? parseFieldRef(ref) : ref;
    if (path[0] === METADATA && path.length === 1) return true;
    const { root, rest } = this.#root(path);
    let cur: Value | undefined = root;
    for (let d = 0; d < rest.length; d++) {
      const seg = rest[d]!;
      if (Array.isArray(cur)) {
        const i = arrayIndex(seg, cur.length);
        if (i === undefined) return false;
        cur = cur[i];
      } else if (isHash(cur)) {
        if (!Object.prototype.hasOwnProperty.call(cur, seg)) return false;
        cur = cur[seg];
      } else return false;
    }
    return true;
  }

  /** Set a field, creating intermediate hashes. Throws FieldSetError when a path crosses a scalar. */
  set(ref: Ref, value: Value): void {
    const path = typeof ref === 'string' ? parseFieldRef(ref) : ref;
    if (path.length === 1) {
      const key = path[0]!;
      if (key === METADATA) {
        if (!isHash(value)) throw new FieldSetError('@metadata can only be set to a hash');
        this.#metadata = value;
      } else if (key === TIMESTAMP) {
        this.#data[TIMESTAMP] = coerceTimestamp(value);
      } else this.#data[key] = value;
      return;
    }
    const { root, rest } = this.#root(path);
    let cur: Hash | Value[] = root;
    for (let d = 0; d < rest.length - 1; d++) {
      const seg = rest[d]!;
      let next: Value | undefined;
      if (Array.isArray(cur)) {
        const i = arrayIndex(seg, cur.length);
        if (i === undefined) throw new FieldSetError(`index ${seg} is out of range`);
        next = cur[i];
        if (next === undefined || next === null) { next = {}; cur[i] = next; }
      } else {
        next = cur[seg];
        if (next === undefined || next === null) { next = {}; cur[seg] = next; }
      }
      if (!Array.isArray(next) && !isHash(next)) {
        throw new FieldSetError(`cannot set ${typeof ref === 'string' ? ref : path.join('.')}: [${seg}] holds a ${typeName(next)}`);
      }
      cur = next;
    }
    const last = rest[rest.length - 1]!;
    if (Array.isArray(cur)) {
      if (!isIndexSegment(last)) throw new FieldSetError(`cannot set key ${last} on an array`);
      const n = Number(last);
      const i = n < 0 ? cur.length + n : n;
      if (i < 0) throw new FieldSetError(`index ${last} is out of range`);
      // Like Logstash's Accessors, setting past the end pads the list with nulls.
      while (cur.length < i) cur.push(null);
      cur[i] = value;
    } else cur[last] = value;
  }

  /** Remove a field; returns the removed value. */
  remove(ref: Ref): Value | undefined {
    const path = typeof ref === 'string' ? parseFieldRef(ref) : ref;
    if (path.length === 1 && path[0] === METADATA) { const m = this.#metadata; this.#metadata = {}; return m; }
    const { root, rest } = this.#root(path);
    let cur: Value | undefined = root;
    for (let d = 0; d < rest.length - 1; d++) {
      const seg = rest[d]!;
      if (Array.isArray(cur)) { const i = arrayIndex(seg, cur.length); cur = i === undefined ? undefined : cur[i]; }
      else if (isHash(cur)) cur = cur[seg];
      else return undefined;
    }
    const last = rest[rest.length - 1]!;
    if (Array.isArray(cur)) {
      const i = arrayIndex(last, cur.length);
      return i === undefined ? undefined : cur.splice(i, 1)[0];
    }
    if (isHash(cur) && Object.prototype.hasOwnProperty.call(cur, last)) {
      const v = cur[last];
      delete cur[last];
      return v;
    }
    return undefined;
  }

  get tags(): readonly string[] {
    const t = this.#data.tags;
    return Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
  }

  hasTag(tag: string): boolean { return this.tags.includes(tag); }

  /** Add a tag unless present (Logstash never duplicates tags). */
  tag(tag: string): void {
    const t = this.#data.tags;
    if (t === undefined || t === null) this.#data.tags = [tag];
    else if (Array.isArray(t)) { if (!t.includes(tag)) t.push(tag); }
    else if (t !== tag) this.#data.tags = [t, tag];
  }

  untag(tag: string): void {
    const t = this.#data.tags;
    if (Array.isArray(t)) {
      const i = t.indexOf(tag);
      if (i >= 0) t.splice(i, 1);
    } else if (t === tag) this.#data.tags = [];
  }

  /** A deep copy, @metadata included (the clone filter, outputs that mutate). */
  clone(): Event {
    const e = new Event(deepClone(this.#data));
    e.#metadata = deepClone(this.#metadata);
    return e;
  }

  /** The serialized form: JSON without @metadata, floats and big integers kept as Logstash prints them. */
  toJSON(): string { return stringifyFields(this.#data); }

  /** A plain snapshot (for tests and `sluice test`): values deep-copied, @metadata left out. */
  toObject(): Hash { return deepClone(this.#data); }
}

function typeName(v: Value | undefined): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  return 'number';
}

function coerceTimestamp(v: Value): Value {
  if (v instanceof Timestamp) return v;
  if (typeof v === 'string') {
    const t = Timestamp.parse(v);
    if (t) return t;
  }
  throw new FieldSetError('@timestamp must be a timestamp (an ISO 8601 string or a Timestamp)');
}
