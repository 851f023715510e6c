/**
 * The syslog input's `grok_pattern` and `syslog_field`: with either set, sluice parses as Logstash's
 * syslog input does (plain codec, grok on the field, date on `timestamp`, priority split and labelled).
 * Expectations from logstash-input-syslog's spec/inputs/syslog_spec.rb ('grok' and ECS contexts) and
 * its 3.7.1 fix (an unmatched message gets priority 13, not 0). Through the real CLI over real sockets.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, jsonLines, startCli, waitFor } from './helpers/cli.js';

async function run(settings: string, ecs: 'v8' | 'disabled', send: (port: number) => Promise<void>, expected: number): Promise<Record<string, unknown>[]> {
  const port = await freePort();
  const cli = startCli(['run', '-w', '1', '--pipeline.ecs_compatibility', ecs, '-e',
    `input { syslog { host => "127.0.0.1" port => ${port} ${settings} } } output { stdout { codec => json_lines } }`]);
  try {
    await waitFor(() => /Pipelines running/.test(cli.stderr()) || cli.child.exitCode !== null, 20_000, 'the pipeline');
    await send(port);
    await waitFor(() => jsonLines(cli.stdout()).length >= expected, 10_000, `${expected} events`);
  } finally {
    cli.child.kill('SIGTERM');
    await cli.done;
  }
  return jsonLines(cli.stdout());
}

const tcp = (text: string) => (port: number): Promise<void> => new Promise((resolve, reject) => {
  const s = net.connect(port, '127.0.0.1', () => s.end(text, () => resolve()));
  s.once('error', reject);
});

describe('syslog input with Logstash\'s grok parsing', () => {
  it('a custom grok_pattern sets priority, severity and facility and overwrites message with the line\'s LF (ECS off)', async () => {
    const pattern = '<%{POSINT:priority}>%{SYSLOGTIMESTAMP:timestamp} atypical %{GREEDYDATA:message}';
    const [e] = await run(`type => "blah" grok_pattern => "${pattern}"`, 'disabled', tcp('<164>Oct 26 15:19:25 atypical This part constitutes the message field\n'), 1);
    expect(e).toMatchObject({ priority: 164, severity: 4, facility: 20, facility_label: 'local4', severity_label: 'Warning', type: 'blah', host: '127.0.0.1' });
    expect(e!.message).toBe('This part constitutes the message field\n');
    expect(e!.timestamp).toBe('Oct 26 15:19:25');
  }, 30_000);

  it('ECS: keeps [event][original], removes timestamp, sets [service][type], [host][ip] and [host][hostname]', async () => {
    const line = '<133>Mar 11 08:44:43 precision kernel: [765135.424096] mce: CPU6: Package temperature/speed normal';
    const [e] = await run('syslog_field => "message"', 'v8', tcp(`${line}\n`), 1);
    expect(e).toMatchObject({
      host: { hostname: 'precision', ip: '127.0.0.1' },
      log: { syslog: { priority: 133, severity: { code: 5, name: 'Notice' }, facility: { code: 16, name: 'local0' } } },
      service: { type: 'system' },
      process: { name: 'kernel' },
      event: { original: `${line}\n` },
    });
    expect(e!.message).toBe('[765135.424096] mce: CPU6: Package temperature/speed normal\n');
    expect(e).not.toHaveProperty('timestamp');
    expect(new Date(e!['@timestamp'] as string).getUTCMonth()).toBe(2);
  }, 30_000);

  it('a line that does not match is tagged _grokparsefailure_sysloginput, keeps its text and gets priority 13', async () => {
    const events = await run('syslog_field => "message"', 'disabled', tcp('message which causes the a grok parse failure\n'.repeat(3)), 3);
    expect(events).toHaveLength(3);
    for (const e of events) {
      expect(e.tags).toEqual(['_grokparsefailure_sysloginput']);
      expect(e).toMatchObject({ message: 'message which causes the a grok parse failure\n', priority: 13, severity: 5, facility: 1, facility_label: 'user-level', severity_label: 'Notice' });
    }
  }, 30_000);

  it('UDP datagrams are parsed the same way', async () => {
    const send = (port: number): Promise<void> => new Promise((resolve) => {
      const u = dgram.createSocket('udp4');
      u.send('<164>Oct 26 15:19:25 1.2.3.4 %ASA-4-106023: Deny udp src DRAC:10.1.2.3/43434', port, '127.0.0.1', () => { u.close(); resolve(); });
    });
    const [e] = await run('grok_pattern => "<%{POSINT:priority}>%{SYSLOGLINE}"', 'disabled', send, 1);
    expect(e).toMatchObject({ priority: 164, severity: 4, facility: 20, program: '%ASA-4-106023', logsource: '1.2.3.4', message: 'Deny udp src DRAC:10.1.2.3/43434' });
    expect(e).not.toHaveProperty('tags');
  }, 30_000);
});
