/**
 * The generated capture writer (matchWriter) must write exactly what Logstash's rules say, which
 * writeCapture implements plainly: checked against it on random captures into random events.
 */
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { Hash, Value } from '../src/event/values.js';
import { matchWriter, writeCapture, type CaptureTarget } from '../src/formats/grok/capture.js';
import type { GrokMatch } from '../src/formats/grok/engine.js';
import { rubyToF, rubyToI } from '../src/formats/grok/ruby.js';
import { seededRandom as random } from './helpers/random.js';

const PATHS = [['a'], ['b'], ['http', 'version'], ['http', 'response', 'code'], ['http', 'response', 'bytes'], ['http'], ['x', 'y'], ['@metadata', 'm'], ['list', '0'], ['__proto__', 'p']];
const VALUES: Array<string | undefined> = [undefined, '', 'v', '42', '7.5'];
const EXISTING: Value[] = ['old', ['o1'], 5, { k: 1 }, true];

function outcome(run: () => void, event: Event): string {
  try { run(); } catch (e) { return `threw ${(e as Error).constructor.name}`; }
  return JSON.stringify([event.data, event.metadata]);
}

describe('generated grok capture writer', () => {
  it('writes what writeCapture writes, capture by capture, on random events', () => {
    const next = random(20261122);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    let cases = 0;
    for (let n = 0; n < 3000; n++) {
      const keepEmpty = next() < 0.3;
      const targets: CaptureTarget[] = [];
      const count = 1 + Math.floor(next() * 5);
      for (let i = 0; i < count; i++) targets.push({ group: i, conversion: pick([0, 0, 1, 2] as const), path: pick(PATHS), overwrite: next() < 0.2 });
      const texts = targets.map(() => pick(VALUES));
      const initial: Hash = {};
      for (let i = 0; i < 2; i++) if (next() < 0.5) { const p = pick(PATHS); if (p.length === 1 && p[0] !== '__proto__') initial[p[0] as string] = structuredClone(pick(EXISTING)); }
      if (next() < 0.3) initial.http = { response: next() < 0.5 ? { code: 'c' } : 'flat' };
      const match: GrokMatch = { start: 0, end: 0, group: (i) => texts[i] };
      const generated = new Event({ '@timestamp': '2026-01-01T00:00:00Z', ...structuredClone(initial) });
      const plain = new Event({ '@timestamp': '2026-01-01T00:00:00Z', ...structuredClone(initial) });
      const a = outcome(() => matchWriter(targets, keepEmpty)(generated, match), generated);
      const b = outcome(() => {
        for (const t of targets) {
          const text = texts[t.group];
          const value = text === undefined || t.conversion === 0 ? text : t.conversion === 1 ? rubyToI(text) : rubyToF(text);
          writeCapture(plain, t.path, value, t.overwrite, keepEmpty);
        }
      }, plain);
      if (a !== b) throw new Error(`targets ${JSON.stringify(targets)} texts ${JSON.stringify(texts)} keepEmpty ${keepEmpty} initial ${JSON.stringify(initial)}\n generated: ${a}\n plain:     ${b}`);
      cases++;
    }
    expect(cases).toBe(3000);
  });
});
