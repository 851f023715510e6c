/**
 * The TCP cases of Logstash's syslog input spec (from the shared conformance corpus, framing.json) run
 * through the syslog input on a real socket, in ECS and legacy modes.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import syslogDef from '../src/inputs/syslog.js';
import { withDefaults } from '../src/runtime/instantiate.js';
import type { InputInstance } from '../src/plugins/api.js';
import type { EcsMode } from '../src/plugins/options.js';
import { TestSink, runInput, sendTcp, sleep, testContext, waitFor } from './net-support.js';

interface Case {
  id: string; stream: string; chunks?: string[]; options?: Record<string, unknown>;
  expected_frames?: string[];
  expected_messages?: { logstash: { legacy: Record<string, unknown>; ecs_v1: Record<string, unknown> } }[];
}
const cases = (JSON.parse(readFileSync(new URL('../fixtures/conformance/syslog/framing.json', import.meta.url), 'utf8')) as (Case & { mode: string })[])
  .filter((c) => c.mode === 'logstash-input-syslog');

const running: { input: InputInstance; done: Promise<void> }[] = [];
afterEach(async () => { for (const r of running.splice(0)) { await r.input.stop(); await r.done; } });

async function run(c: Case, ecs: EcsMode): Promise<TestSink> {
  const sink = new TestSink();
  const input = await syslogDef.create(withDefaults(syslogDef, { host: '127.0.0.1', port: 0, timezone: 'UTC', ...(c.options ?? {}) }), testContext(ecs));
  const { done } = await runInput(input, sink);
  running.push({ input, done });
  const port = (input as unknown as { boundPort: number }).boundPort;
  await sendTcp(port, c.chunks ?? [c.stream], { gapMs: 20 });
  const want = c.expected_frames?.length ?? c.expected_messages?.length ?? 0;
  await waitFor(() => sink.events.length >= want);
  await sleep(50);
  return sink;
}

describe('Logstash syslog input spec, TCP cases', () => {
  it('has the cases', () => { expect(cases.length).toBe(3); });

  for (const c of cases) {
    for (const ecs of ['v8', 'disabled'] as const) {
      it(`${c.id.split(':').pop()} (${ecs})`, async () => {
        const sink = await run(c, ecs);
        if (c.expected_frames) {
          expect(sink.events).toHaveLength(c.expected_frames.length);
          // Logstash hands each line with its LF to the codec; the decoded message is the line's MSG.
          sink.events.forEach((e, i) => {
            expect(e.tags).toEqual([]);
            const raw = c.expected_frames![i]!.replace(/\n$/, '');
            expect(raw.endsWith(String(e.get('message')))).toBe(true);
          });
        }
        if (c.expected_messages) {
          expect(sink.events).toHaveLength(c.expected_messages.length);
          sink.events.forEach((e, i) => {
            const want = ecs === 'disabled' ? c.expected_messages![i]!.logstash.legacy : c.expected_messages![i]!.logstash.ecs_v1;
            for (const [ref, v] of Object.entries(want)) expect(e.get(ref), `${ref} of event ${i}`).toEqual(v);
          });
        }
      });
    }
  }
});
