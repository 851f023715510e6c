/**
 * The assertions of logstash-patterns-core's RSpec suite as transcribed in
 * fixtures/conformance/patterns-core/cases.json (format in its README), checked against events read
 * back as JSON: RSpec's fuzzy matching, Ruby's digging into `to_hash`, and `event.get` for @metadata.
 */
import { readFileSync } from 'node:fs';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export interface SpecOp {
  op: string; path?: Array<string | number>; value?: Json; key?: string; keys?: string[]; type?: string;
  transform?: string; via?: string; nil_ok_depths?: number[]; pending?: boolean;
}

export interface SpecCase {
  id: string; file: string; mode: 'legacy' | 'ecs-v1' | null; match: string; message: string;
  grok_options?: Record<string, Json>; expect: SpecOp[]; pending?: boolean; skip?: boolean;
}

export function loadSpecCases(): SpecCase[] {
  return JSON.parse(readFileSync(new URL('../../fixtures/conformance/patterns-core/cases.json', import.meta.url), 'utf8')) as SpecCase[];
}

/** The ops a case is judged on; undefined for skipped, pending or assertion-free cases. */
export function hardOps(c: SpecCase): SpecOp[] | undefined {
  if (c.skip || c.pending) return undefined;
  const ops = c.expect.filter((o) => o.op !== 'manual' && !o.pending);
  return ops.length > 0 ? ops : undefined;
}

/** RSpec's matching: nested hashes with the same keys (unless $hash_including), arrays element-wise, Ruby `==` on scalars. */
export function valuesMatch(exp: Json | undefined, act: Json | undefined): boolean {
  const isObj = (v: Json | undefined): v is { [k: string]: Json } => v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v);
  if (isObj(exp) && '$hash_including' in exp) {
    return isObj(act) && Object.entries(exp.$hash_including as Record<string, Json>).every(([k, v]) => k in act && valuesMatch(v, act[k]));
  }
  if (Array.isArray(exp)) return Array.isArray(act) && act.length === exp.length && exp.every((v, i) => valuesMatch(v, act[i]));
  if (isObj(exp)) {
    if (!isObj(act)) return false;
    const ek = Object.keys(exp);
    return ek.length === Object.keys(act).length && ek.every((k) => k in act && valuesMatch(exp[k], act[k]));
  }
  if (exp === null) return act === null || act === undefined;
  // JSON cannot tell 80 from 80.0; Ruby's == holds for either.
  return exp === act;
}

/**
 * Ruby digging into `event.to_hash`: a nil step before the last fails the op (Ruby raises) unless the
 * depth is in nil_ok_depths (`(x || {})`); `event.get` never raises and is the only way to @metadata.
 */
function dig(ev: Record<string, Json>, meta: Json | undefined, op: SpecOp): { value: Json | undefined } | { missing: true } {
  const path = op.path ?? [];
  const nilOk = op.nil_ok_depths ?? [];
  const viaGet = op.via === 'event.get';
  let cur: Json | undefined = viaGet && path[0] === '@metadata' ? { '@metadata': meta ?? null } : ev;
  for (let d = 0; d < path.length; d++) {
    if (cur === undefined || cur === null) {
      if (nilOk.includes(d)) cur = {};
      else if (viaGet) return { value: undefined };
      else return { missing: true };
    }
    const k = path[d]!;
    if (typeof k === 'number') cur = Array.isArray(cur) ? cur[k < 0 ? cur.length + k : k] : undefined;
    else if (typeof cur === 'object') cur = (cur as Record<string, Json>)[k];
    else if (viaGet) return { value: undefined };
    else return { missing: true };
  }
  if ((cur === undefined || cur === null) && nilOk.includes(path.length)) cur = {};
  return { value: cur };
}

function transform(v: Json | undefined, t: string | undefined): Json | undefined {
  if (t === 'to_i') {
    const m = /^\s*[-+]?\d+/.exec(v === undefined || v === null ? '' : String(v));
    return m ? parseInt(m[0], 10) : 0;
  }
  if (t === 'to_s') return v === undefined || v === null ? '' : String(v);
  if (t === 'last_if_array') return Array.isArray(v) ? v[v.length - 1] : v;
  return v;
}

export function checkOp(op: SpecOp, ev: Record<string, Json>, meta: Json | undefined): boolean {
  if (op.op === 'matched' || op.op === 'tags_absent') return !('tags' in ev);
  if (op.op === 'tags_present') return 'tags' in ev;
  if (op.op === 'only_top_level_keys') return Object.keys(ev).every((k) => (op.keys ?? []).includes(k));
  const got = dig(ev, meta, op);
  if ('missing' in got) return false;
  const v = transform(got.value, op.transform);
  const obj = v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  const want = (op.value ?? {}) as Record<string, Json>;
  switch (op.op) {
    case 'include': return obj !== undefined && Object.entries(want).every(([k, x]) => k in obj && valuesMatch(x, obj[k]));
    case 'not_include': return obj === undefined || Object.entries(want).every(([k, x]) => !(k in obj && valuesMatch(x, obj[k])));
    case 'contains': return Array.isArray(v) ? v.some((x) => valuesMatch(op.value, x)) : typeof v === 'string' && v.includes(op.value as string);
    case 'not_include_key': return obj === undefined || !((op.key ?? '') in obj);
    case 'eq': case 'eql': return valuesMatch(op.value, v);
    case 'nil': return v === undefined || v === null;
    case 'is_a': return op.type === 'Hash' && obj !== undefined;
    case 'start_with': return typeof v === 'string' && v.startsWith(op.value as string);
    case 'not_end_with': return typeof v === 'string' && !v.endsWith(op.value as string);
    default: return false;
  }
}
