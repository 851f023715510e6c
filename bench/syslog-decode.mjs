#!/usr/bin/env node
// RFC 5424 decoding speed, from dist/ (run `npm run build` first): µs per message and messages/s for
// (1) decodeSyslog alone (strict), (2) the syslog codec's decodeFrame from bytes to a finished Event
// (ECS fields). Reference, same run: one V8 RegExp equivalent to the legacy SYSLOG5424LINE grok pattern
// (what Logstash users write instead), which splits the header but checks and unescapes nothing.
// Messages: a realistic mix (rsyslog with SD, RFC 5424 examples, nil fields), 200,000 per round.
import { performance } from 'node:perf_hooks';

const { decodeSyslog } = await import('../dist/formats/syslog/index.js');
const { createSyslogCodec } = await import('../dist/codecs/syslog.js');
const { FACILITY_LABELS, SEVERITY_LABELS, UTC_ZONE } = await import('../dist/formats/syslog/index.js');

const samples = [
  '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \ufeffAn application event log entry...',
  '<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \ufeff\'su root\' failed for lonvick on /dev/pts/8',
  '<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It\'s time to make the do-nuts.',
  '<13>1 2024-05-01T10:00:00.123456+02:00 web-01.example.org nginx 1234 access [timeQuality tzKnown="1" isSynced="1" syncAccuracy="223000"] 10.0.0.1 - - "GET /index.html HTTP/1.1" 200 512',
  '<86>1 2024-05-01T10:00:01Z bastion sshd 4242 - - Accepted publickey for deploy from 192.0.2.7 port 51234 ssh2: ED25519 SHA256:abc',
  '<30>1 2024-05-01T10:00:02.5Z node-7 systemd 1 - [meta sequenceId="42" esc="a \\"quoted\\" \\] value"] Started Daily apt upgrade and clean activities.',
];
const N = 200_000;
const messages = Array.from({ length: N }, (_, i) => samples[i % samples.length]);
const frames = messages.map((m) => Buffer.from(m, 'utf8'));
const bytes = frames.reduce((s, b) => s + b.length, 0);

const grokLike = /^<(\d+)>(\d+) +(?:(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d))|-) +(?:([\w.:-]+)|-) +(-|[!-~]+) +(-|[!-~]+) +(-|[!-~]+) +(?:(\[.*?\])+|-|) +(.*)$/s;

function time(label, fn) {
  fn(20_000); // warm-up
  let best = Infinity;
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    fn(N);
    best = Math.min(best, performance.now() - t0);
  }
  const us = (best * 1000) / N;
  console.log(`${label.padEnd(38)} ${us.toFixed(3)} µs/message  ${Math.round(N / (best / 1000)).toLocaleString('en-US')} messages/s`);
  return best;
}

let sink = 0;
const ref = time('reference: SYSLOG5424LINE as a RegExp', (n) => {
  for (let i = 0; i < n; i++) { const m = grokLike.exec(messages[i]); if (m) sink += m.length; }
});
time('machine: one charCodeAt pass per message', (n) => {
  for (let i = 0; i < n; i++) { const m = messages[i]; let c = 0; for (let j = 0; j < m.length; j++) c += m.charCodeAt(j); sink += c; }
});
const dec = time('decodeSyslog (strict)', (n) => {
  for (let i = 0; i < n; i++) { const r = decodeSyslog(messages[i]); if (r.ok) sink += r.value.priority; else throw new Error(r.error); }
});
const codec = createSyslogCodec({
  ecs: 'v8', lenient: false, format: 'auto', zone: UTC_ZONE, monthNames: undefined,
  useLabels: true, facilityLabels: FACILITY_LABELS, severityLabels: SEVERITY_LABELS,
});
const emit = (e) => { sink += e.tags.length; };
const cod = time('codec decodeFrame (bytes → Event)', (n) => {
  for (let i = 0; i < n; i++) codec.decodeFrame(frames[i], emit);
});
console.log(`average message ${Math.round(bytes / N)} bytes; decodeSyslog runs at ${(ref / dec).toFixed(2)}x the reference, the full codec at ${(ref / cod).toFixed(2)}x (${sink > 0 ? 'ok' : 'no output'})`);
