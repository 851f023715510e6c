/**
 * CloudWatch Logs subscription payloads (src/formats/cloudwatch-logs.ts), the cloudwatch_logs codec through
 * stdin, and the kinesis_firehose input through the real CLI with real Firehose-shaped requests (the HTTP
 * endpoint delivery request and response of the Firehose developer guide, "Appendix - HTTP Endpoint
 * Delivery Request and Response Specifications").
 */
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeCloudWatchLogs, CloudWatchLogsError } from '../src/formats/cloudwatch-logs.js';
import { jsonLines, runCli, startCli, waitFor } from './helpers/cli.js';

const payload = {
  messageType: 'DATA_MESSAGE',
  owner: '123456789012',
  logGroup: '/aws/lambda/checkout',
  logStream: '2024/01/02/[$LATEST]abcdef',
  subscriptionFilters: ['to-sluice'],
  logEvents: [
    { id: '37955163975617101934452486163522853347046416435512098816', timestamp: 1704196800123, message: 'first line' },
    { id: '37955163975617101934452486163522853347046416435512098817', timestamp: 1704196801456, message: 'second line' },
  ],
};
const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logGroup: '', logStream: '', subscriptionFilters: [], logEvents: [{ id: '', timestamp: 1704196800000, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }] };
const gz64 = (o: unknown): string => gzipSync(JSON.stringify(o)).toString('base64');

describe('cloudwatch logs payloads', () => {
  it('decodes raw JSON, gzip, base64 of JSON and base64 of gzip alike', () => {
    const forms = [JSON.stringify(payload), gzipSync(JSON.stringify(payload)), Buffer.from(JSON.stringify(payload)).toString('base64'), gz64(payload)];
    for (const f of forms) {
      const p = decodeCloudWatchLogs(f);
      expect(p.logGroup).toBe('/aws/lambda/checkout');
      expect(p.logEvents.map((e) => e.message)).toEqual(['first line', 'second line']);
    }
  });

  it('refuses what is not a payload', () => {
    expect(() => decodeCloudWatchLogs('not base64 at all!')).toThrow(CloudWatchLogsError);
    expect(() => decodeCloudWatchLogs('{"a":1}')).toThrow(CloudWatchLogsError);
    expect(() => decodeCloudWatchLogs(Buffer.from([0x1f, 0x8b, 1, 2, 3]))).toThrow(CloudWatchLogsError);
  });
});

describe('cloudwatch_logs codec', () => {
  it('stdin: one payload per line (JSON or base64 gzip) → one event per log event; control messages skipped', async () => {
    const input = `${JSON.stringify(payload)}\n${gz64(control)}\n${gz64(payload)}\n`;
    const r = await runCli(['run', '-e', 'input { stdin { codec => cloudwatch_logs } } output { stdout { codec => json_lines } }'], { input });
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    expect(events.map((e) => e.message)).toEqual(['first line', 'second line', 'first line', 'second line']);
    expect(events[0]).toMatchObject({
      '@timestamp': '2024-01-02T12:00:00.123Z',
      event: { id: payload.logEvents[0]!.id },
      aws: { cloudwatch: { log_group: '/aws/lambda/checkout', log_stream: '2024/01/02/[$LATEST]abcdef', subscription_filters: ['to-sluice'] } },
      cloud: { account: { id: '123456789012' } },
    });
  });

  it('a line that is not a payload becomes an event tagged _cloudwatchlogsparsefailure', async () => {
    const r = await runCli(['run', '-e', 'input { stdin { codec => cloudwatch_logs } } output { stdout { codec => json_lines } }'], { input: 'garbage here\n' });
    const events = jsonLines(r.stdout);
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toBe('garbage here');
    expect(events[0]!.tags).toEqual(['_cloudwatchlogsparsefailure']);
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('kinesis_firehose input', () => {
  let cli: ReturnType<typeof startCli>;
  let url = '';
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/`;
    cli = startCli(['run', '-w', '1', '-e', `input { kinesis_firehose { host => "127.0.0.1" port => ${port} access_key => "k3y" } } output { stdout { codec => json_lines } }`]);
    await waitFor(() => /Pipelines running/.test(cli.stderr()) || cli.child.exitCode !== null, 20_000, 'Pipelines running');
  });
  afterAll(async () => { cli.child.kill('SIGTERM'); await cli.done; });

  const send = (body: unknown, key = 'k3y', requestId = 'ed4acda5-034f-9f42-bba1-f29aea6d7d8f'): Promise<Response> => fetch(url, {
    method: 'POST', body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'x-amz-firehose-access-key': key, 'x-amz-firehose-request-id': requestId, 'x-amz-firehose-protocol-version': '1.0' },
  });

  it('CloudWatch records (gzip+base64) → one event per log event; the control message is skipped; Firehose JSON answer', async () => {
    const before = Date.now();
    const res = await send({ requestId: 'ed4acda5-034f-9f42-bba1-f29aea6d7d8f', timestamp: before, records: [{ data: gz64(control) }, { data: gz64(payload) }] });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    const answer = await res.json() as { requestId: string; timestamp: number; errorMessage?: string };
    expect(answer.requestId).toBe('ed4acda5-034f-9f42-bba1-f29aea6d7d8f');
    expect(answer.timestamp).toBeGreaterThanOrEqual(before);
    expect(answer.errorMessage).toBeUndefined();
    await waitFor(() => jsonLines(cli.stdout()).length >= 2, 5000, 'events');
    const events = jsonLines(cli.stdout());
    expect(events.map((e) => e.message)).toEqual(['first line', 'second line']);
    expect(events[1]).toMatchObject({
      '@timestamp': '2024-01-02T12:00:01.456Z',
      event: { id: payload.logEvents[1]!.id },
      aws: { cloudwatch: { log_group: '/aws/lambda/checkout', log_stream: payload.logStream, subscription_filters: ['to-sluice'] } },
      cloud: { account: { id: '123456789012' } },
    });
  });

  it('a malformed record gets 400 with errorMessage and nothing of the request is emitted', async () => {
    const n = jsonLines(cli.stdout()).length;
    const res = await send({ requestId: 'bad-1', timestamp: Date.now(), records: [{ data: gz64(payload) }, { data: '%%% not base64 %%%' }] }, 'k3y', 'bad-1');
    expect(res.status).toBe(400);
    const answer = await res.json() as { requestId: string; errorMessage: string; timestamp: number };
    expect(answer.requestId).toBe('bad-1');
    expect(answer.errorMessage).toMatch(/records\[1\]/);
    expect(typeof answer.timestamp).toBe('number');
    // A good request after it proves the pipeline moved on; the bad one left nothing behind.
    await send({ requestId: 'good-2', timestamp: Date.now(), records: [{ data: Buffer.from('plain text record').toString('base64') }] }, 'k3y', 'good-2');
    await waitFor(() => jsonLines(cli.stdout()).length > n, 5000, 'next event');
    expect(jsonLines(cli.stdout()).slice(n).map((e) => e.message)).toEqual(['plain text record']);
  });

  it('a wrong access key gets 401 with errorMessage', async () => {
    const res = await send({ requestId: 'x', timestamp: Date.now(), records: [{ data: gz64(payload) }] }, 'wrong', 'x');
    expect(res.status).toBe(401);
    expect((await res.json() as { errorMessage: string }).errorMessage).toBeTruthy();
  });

  it('auto decoding: JSON records become events with their fields', async () => {
    const n = jsonLines(cli.stdout()).length;
    await send({ requestId: 'j', timestamp: Date.now(), records: [{ data: Buffer.from('{"user":"ann","n":2}').toString('base64') }] }, 'k3y', 'j');
    await waitFor(() => jsonLines(cli.stdout()).length > n, 5000, 'json event');
    expect(jsonLines(cli.stdout())[n]).toMatchObject({ user: 'ann', n: 2 });
  });
});
