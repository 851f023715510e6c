/**
 * The RFC 5424 corpus (fixtures/conformance/syslog/rfc5424.json, cases of mode `default`) sent to the
 * real CLI over real TCP: `input { syslog { port => 0 } }` (ECS names, Logstash 8's default), each case
 * one octet-counted frame (RFC 6587) on its own connection, events read back as json_lines. A valid
 * message must decode to the expected fields; an invalid one must come out with its raw text in
 * `message` and the tag `_syslogparsefailure`.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { startCli, waitFor } from './helpers/cli.js';
import { compareSyslogFields, loadSyslogCases, stripBom, type SyslogCase } from './helpers/syslog-corpus.js';

const cases = loadSyslogCases();

/** Expected fields, and no failure tag. */
function compare(exp: Record<string, unknown>, ev: Record<string, unknown>, partial: boolean): string[] {
  const bad = compareSyslogFields(exp, ev, partial);
  const tags = (ev.tags ?? []) as string[];
  if (tags.some((t) => t.includes('failure'))) bad.push(`unexpected tags ${JSON.stringify(tags)}`);
  return bad;
}

function judge(c: SyslogCase, got: Record<string, unknown>[]): string[] {
  if (got.length !== 1) return [`expected 1 event, got ${got.length}`];
  const ev = got[0]!;
  if (c.valid) return compare(c.expected ?? {}, ev, Boolean(c.expected_is_partial));
  const bad: string[] = [];
  if (!((ev.tags ?? []) as string[]).includes('_syslogparsefailure')) bad.push(`no _syslogparsefailure tag (tags ${JSON.stringify(ev.tags)})`);
  if (c.input_encoding !== 'latin1' && stripBom(ev.message) !== stripBom(c.input)) bad.push(`message not kept raw: ${JSON.stringify(ev.message)}`);
  return bad;
}

function send(port: number, payload: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => { s.end(Buffer.concat([Buffer.from(`${payload.length} `), payload])); });
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

describe('RFC 5424 corpus over TCP to the syslog input of `sluice run`', () => {
  it('decodes every valid message and keeps and tags every invalid one', async () => {
    expect(cases.length).toBe(707);
    const config = 'input { syslog { port => 0 host => "127.0.0.1" } } output { stdout { codec => json_lines } }';
    const cli = startCli(['run', '-w', '1', '-u', '5', '-e', config], { timeoutMs: 120_000 });
    try {
      await waitFor(() => /syslog input \(tcp\): listening .*127\.0\.0\.1:(\d+)/.test(cli.stderr()), 20_000, 'the syslog listener');
      const port = Number(/syslog input \(tcp\): listening .*127\.0\.0\.1:(\d+)/.exec(cli.stderr())![1]);
      const events: Record<string, unknown>[] = [];
      let seen = 0;
      const drain = (): void => {
        const out = cli.stdout();
        const end = out.lastIndexOf('\n') + 1;
        for (const line of out.slice(seen, end).split('\n')) if (line.trim()) events.push(JSON.parse(line) as Record<string, unknown>);
        seen = end;
      };
      // Woken by stdout itself rather than by polling: the run is ~700 round trips.
      let wake: (() => void) | undefined;
      cli.child.stdout!.on('data', () => { drain(); wake?.(); });
      const nextEvent = (before: number, ms: number): Promise<void> => new Promise((resolve) => {
        const timer = setTimeout(() => { wake = undefined; resolve(); }, ms);
        wake = () => { if (events.length > before) { clearTimeout(timer); wake = undefined; resolve(); } };
        wake();
      });
      const failures: string[] = [];
      const firstEvent: number[] = [];
      // One case at a time, each waiting for its event, so every event belongs to the case just sent;
      // a case that makes two events shifts the next cases and fails them, and the total is checked at the end.
      for (const c of cases) {
        firstEvent.push(events.length);
        await send(port, Buffer.from(c.input, c.input_encoding === 'latin1' ? 'latin1' : 'utf8'));
        await nextEvent(firstEvent[firstEvent.length - 1]!, 2_000);
      }
      await new Promise((r) => setTimeout(r, 200));
      drain();
      cases.forEach((c, i) => {
        const got = events.slice(firstEvent[i], i + 1 < cases.length ? firstEvent[i + 1] : events.length);
        const bad = judge(c, got);
        if (bad.length) failures.push(`${c.id} ${JSON.stringify(c.input).slice(0, 100)}: ${bad.join('; ').slice(0, 400)}`);
      });
      expect(failures.slice(0, 20)).toEqual([]);
      expect(events.length).toBe(cases.length);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.done;
    }
  });
});
