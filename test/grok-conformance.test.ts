/**
 * Logstash's own pattern spec (logstash-patterns-core RSpec, transcribed in
 * fixtures/conformance/patterns-core/cases.json) run in-process through the grok filter.
 * The end-to-end runner (run-patterns-core.mjs) does the same through `sluice run`; this test
 * keeps the check fast and independent of the rest of the pipeline. Skipped when the shared
 * corpus is not present.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { GrokFilter } from '../src/filters/grok.js';
import { PACKAGE_ROOT } from '../src/formats/grok/library.js';
import { grokFilter } from './helpers/grok.js';

const SHARED = join(PACKAGE_ROOT, 'fixtures', 'conformance', 'patterns-core', 'cases.json');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface Op { op: string; path?: Array<string | number>; value?: Json; key?: string; keys?: string[]; type?: string;
  transform?: string; via?: string; nil_ok_depths?: number[]; pending?: boolean }
interface Case { id: string; file: string; mode: string | null; match: string; message: string;
  grok_options?: Record<string, unknown>; expect: Op[]; pending?: boolean; skip?: boolean }

function valuesMatch(exp: Json | undefined, act: Json | undefined): boolean {
  if (exp !== null && typeof exp === 'object' && !Array.isArray(exp) && '$hash_including' in exp) {
    if (act === null || typeof act !== 'object' || Array.isArray(act) || act === undefined) return false;
    return Object.entries(exp.$hash_including as Record<string, Json>).every(([k, v]) => k in act && valuesMatch(v, act[k]));
  }
  if (Array.isArray(exp)) return Array.isArray(act) && act.length === exp.length && exp.every((v, i) => valuesMatch(v, act[i]));
  if (exp !== null && typeof exp === 'object') {
    if (act === null || act === undefined || typeof act !== 'object' || Array.isArray(act)) return false;
    const ek = Object.keys(exp);
    return ek.length === Object.keys(act).length && ek.every((k) => k in act && valuesMatch(exp[k], act[k]));
  }
  if (exp === null) return act === null || act === undefined;
  return exp === act;
}

function dig(ev: Record<string, Json>, meta: Json, op: Op): { value: Json | undefined } | { missing: true } {
  const path = op.path ?? [];
  const nilOk = op.nil_ok_depths ?? [];
  const viaGet = op.via === 'event.get';
  let cur: Json | undefined = viaGet && path[0] === '@metadata' ? { '@metadata': meta } : ev;
  for (let d = 0; d < path.length; d++) {
    if (cur === undefined || cur === null) {
      if (nilOk.includes(d)) cur = {}; else if (viaGet) return { value: undefined }; else return { missing: true };
    }
    const k = path[d] as string | number;
    if (typeof k === 'number') cur = Array.isArray(cur) ? cur[k < 0 ? cur.length + k : k] : undefined;
    else if (typeof cur === 'object') cur = (cur as Record<string, Json>)[k];
    else return viaGet ? { value: undefined } : { missing: true };
  }
  if ((cur === undefined || cur === null) && nilOk.includes(path.length)) cur = {};
  return { value: cur };
}

function transform(v: Json | undefined, t: string | undefined): Json | undefined {
  if (t === 'to_i') { const m = /^\s*[-+]?\d+/.exec(v === undefined || v === null ? '' : String(v)); return m ? parseInt(m[0], 10) : 0; }
  if (t === 'to_s') return v === undefined || v === null ? '' : String(v);
  if (t === 'last_if_array') return Array.isArray(v) ? v[v.length - 1] : v;
  return v;
}

function check(op: Op, ev: Record<string, Json>, meta: Json): boolean {
  if (op.op === 'matched' || op.op === 'tags_absent') return !('tags' in ev);
  if (op.op === 'tags_present') return 'tags' in ev;
  if (op.op === 'only_top_level_keys') return Object.keys(ev).every((k) => (op.keys ?? []).includes(k));
  const got = dig(ev, meta, op);
  if ('missing' in got) return false;
  const v = transform(got.value, op.transform);
  const obj = v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  const val = op.value as Record<string, Json>;
  switch (op.op) {
    case 'include': return obj !== undefined && Object.entries(val).every(([k, x]) => k in obj && valuesMatch(x, obj[k]));
    case 'not_include': return obj === undefined || Object.entries(val).every(([k, x]) => !(k in obj && valuesMatch(x, obj[k])));
    case 'contains': return Array.isArray(v) ? v.some((x) => valuesMatch(op.value, x)) : typeof v === 'string' && v.includes(op.value as string);
    case 'not_include_key': return obj === undefined || !((op.key as string) in obj);
    case 'eq': case 'eql': return valuesMatch(op.value, v);
    case 'nil': return v === undefined || v === null;
    case 'is_a': return op.type === 'Hash' && obj !== undefined;
    case 'start_with': return typeof v === 'string' && v.startsWith(op.value as string);
    case 'not_end_with': return typeof v === 'string' && !v.endsWith(op.value as string);
    default: return false;
  }
}

export async function runConformance(cases: Case[]): Promise<{ pass: number; total: number; failures: string[] }> {
  const filters = new Map<string, GrokFilter>();
  let pass = 0;
  let total = 0;
  const failures: string[] = [];
  for (const c of cases) {
    if (c.skip) continue;
    const ops = c.expect.filter((o) => o.op !== 'manual');
    const hard = ops.filter((o) => !o.pending);
    if (ops.length === 0 || c.pending || hard.length === 0) continue;
    const ecs = c.mode === 'ecs-v1' ? 'v1' : 'disabled';
    const key = JSON.stringify([ecs, c.match, c.grok_options ?? {}]);
    let f = filters.get(key);
    if (f === undefined) {
      try {
        f = await grokFilter({ match: { message: c.match }, ...(c.grok_options ?? {}) }, ecs);
      } catch (e) {
        total++;
        failures.push(`${c.id} [${c.mode}] ${c.match}\n  compile error: ${(e as Error).message}`);
        continue;
      }
      filters.set(key, f);
    }
    const event = new Event({ message: c.message });
    f.filter(event);
    const ev = JSON.parse(event.toJSON()) as Record<string, Json>;
    const meta = JSON.parse(JSON.stringify(event.metadata)) as Json;
    total++;
    const bad = hard.filter((o) => !check(o, ev, meta));
    if (bad.length === 0) pass++;
    else failures.push(`${c.id} [${c.mode}] ${c.match}\n  got: ${JSON.stringify(ev).slice(0, 700)}\n  failed: ${JSON.stringify(bad).slice(0, 500)}`);
  }
  for (const f of filters.values()) await f.close();
  return { pass, total, failures };
}

describe.runIf(existsSync(SHARED) && !process.env.CONF_FILE)('logstash-patterns-core spec, in-process', () => {
  it('passes every non-pending case', async () => {
    const cases = JSON.parse(readFileSync(SHARED, 'utf8')) as Case[];
    const r = await runConformance(cases);
    if (r.failures.length) console.log(`${r.pass}/${r.total}\n` + r.failures.slice(0, 30).join('\n'));
    expect(r.failures).toEqual([]);
    expect(r.total).toBe(760);
  });
});
