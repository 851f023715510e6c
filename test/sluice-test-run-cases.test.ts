import { describe, expect, it } from 'vitest';
import type { PipelinePlan, Step } from '../src/config/plan.js';
import { Event } from '../src/event/event.js';
import { createCodecByName } from '../src/runtime/instantiate.js';
import { parseCaseFile, type CaseFile } from '../src/testing/cases.js';
import { planRunner, runCaseFile, sharedRunner, type TestTarget } from '../src/testing/run.js';
import { filterStep } from './helpers/plans.js';

function target(filters: Step[]): TestTarget {
  const plan: PipelinePlan = { inputs: [], filters, outputs: [] };
  return {
    config: ['test.conf'],
    runner: sharedRunner(() => planRunner(plan, 'v8')).get,
    // Legacy mode: these tests are about running cases, not about the line codec's [event][original].
    createCodec: async (file: CaseFile) => ({ codec: await createCodecByName(file.codec, {}, { ecs: 'disabled' }), codecName: file.codec }),
  };
}

const upper = filterStep((e) => { e.set('up', String(e.get('message')).toUpperCase()); return true; });

describe('sluice test running cases', () => {
  it('feeds each input line through the codec, adds fields, runs the filters and compares', async () => {
    const f = parseCaseFile('a.yaml', `fields: { type: app, "[log][file][path]": /var/log/a }
testcases:
  - description: two lines
    input: ["hello", "world"]
    event: { env: test }
    expected:
      - { message: hello, up: HELLO, type: app, env: test, log: { file: { path: /var/log/a } } }
      - { message: world, up: WORLD, type: app, env: test, log: { file: { path: /var/log/a } } }
  - description: wrong
    input: ["x"]
    expected: [{ message: x, up: Y, type: app, log: { file: { path: /var/log/a } } }]
`);
    const r = await runCaseFile(f, target([upper]));
    expect(r.cases.map((c) => c.status)).toEqual(['passed', 'failed']);
    expect(r.cases[1]!.comparison!.diff).toContain('-    "up": "Y"\n+    "up": "X"');
    for (const c of r.cases) expect(c.durationMs).toBeGreaterThan(0);
  });

  it('flushes events a filter holds at the end of each case, into that case', async () => {
    let held: Event[] = [];
    const hold: Step = filterStep(
      (e) => { held.push(e.clone()); e.cancel(); return true; },
      {},
      { flush: () => { const out = held; held = []; out.forEach((e) => e.set('flushed', true)); return out; } },
    );
    const f = parseCaseFile('h.json', JSON.stringify({ testcases: [
      { input: ['a', 'b'], expected: [{ message: 'a', flushed: true }, { message: 'b', flushed: true }] },
      { input: ['c'], expected: [{ message: 'c', flushed: true }] },
    ] }));
    const r = await runCaseFile(f, target([hold]));
    expect(r.cases.map((c) => [c.status, c.comparison?.summary])).toEqual([['passed', ''], ['passed', '']]);
  });

  it('keeps dropped and emitted events in order, as the filter section produces them', async () => {
    const dropB = filterStep((e) => { if (e.get('message') === 'b') e.cancel(); return true; });
    const cloneA: Step = filterStep((e, emit) => { if (e.get('message') === 'a') { const c = e.clone(); c.set('clone', true); emit(c); } return true; });
    const f = parseCaseFile('d.json', JSON.stringify({ testcases: [
      { input: ['a', 'b', 'c'], expected: [{ message: 'a' }, { message: 'a', clone: true }, { message: 'c' }] },
    ] }));
    const r = await runCaseFile(f, target([dropB, cloneA]));
    expect(r.cases[0]!.status).toBe('passed');
  });

  it('feeds raw input unchanged, chunk by chunk, so a line split across chunks is one event', async () => {
    const f = parseCaseFile('r.yaml', `testcases:
  - input_raw: ["hel", "lo\\nwor", "ld"]
    expected: [{ message: hello }, { message: world }]
  - input_base64: "aMOpbGxvCg=="
    expected: [{ message: héllo }]
`);
    const r = await runCaseFile(f, target([]));
    expect(r.cases.map((c) => c.status)).toEqual(['passed', 'passed']);
  });

  it('decodes input_frames one frame at a time, as datagrams, and refuses them for a stream-only codec', async () => {
    const f = parseCaseFile('f.yaml', 'testcases:\n  - input_frames: ["a\\nb", "c"]\n    expected: [{ message: a }, { message: b }, { message: c }]\n');
    expect(f.cases[0]!.input).toEqual({ kind: 'frames', frames: [Buffer.from('a\nb'), Buffer.from('c')] });
    const r = await runCaseFile(f, target([]));
    expect(r.cases[0]!.status).toBe('passed');
    const t = target([]);
    const real = t.createCodec;
    t.createCodec = async (file) => { const c = await real(file); return { ...c, codec: { decoder: c.codec.decoder, encode: c.codec.encode } }; };
    const s = await runCaseFile(f, t);
    expect(s.cases[0]!.error).toBe('this codec decodes streams only: give the input as input_raw or input');
  });

  it('makes one event of the fields alone when a case has no input (LFV\'s dummy event)', async () => {
    const f = parseCaseFile('n.yaml', 'testcases:\n  - fields: { type: x }\n    expected: [{ type: x }]\n');
    const r = await runCaseFile(f, target([]));
    expect(r.cases[0]!.status).toBe('passed');
  });

  it('reports a case that cannot run (its input breaks the codec) as an error of that case and goes on with the next', async () => {
    const f = parseCaseFile('e.yaml', 'testcases:\n  - input: [boom]\n    expected: []\n  - input: [ok]\n    expected: [{ message: ok }]\n');
    const t = target([]);
    const real = t.createCodec;
    t.createCodec = async (file) => {
      const c = await real(file);
      return { ...c, codec: { ...c.codec, decoder: (emit, stream) => {
        const d = c.codec.decoder(emit, stream);
        return { push: (chunk) => { if (String(chunk).startsWith('boom')) throw new Error('codec kaput'); d.push(chunk); }, end: () => d.end() };
      } } };
    };
    const r = await runCaseFile(f, t);
    expect(r.cases.map((c) => [c.status, c.error])).toEqual([['error', 'codec kaput'], ['passed', undefined]]);
  });

  it('makes every case of a file an error when its codec cannot be created', async () => {
    const f = parseCaseFile('e.yaml', 'codec: nonesuch\ntestcases:\n  - input: [a]\n    expected: []\n  - input: [b]\n    expected: []\n');
    const r = await runCaseFile(f, target([]));
    expect(r.cases.map((c) => c.status)).toEqual(['error', 'error']);
    expect(r.cases[0]!.error).toContain('nonesuch');
  });
});
