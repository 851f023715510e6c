/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP, a free port) for the dns filter's tests, written
 * with dns-packet over node:dgram. It answers A, AAAA and PTR records from a fixed table, NXDOMAIN for
 * names it does not know, SERVFAIL for `servfail.test`, and never answers names under `silent.test`
 * (timeouts). Every question is recorded, so tests can count the queries a name caused.
 */
import { createSocket, type Socket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';

export type Records = Record<string, { A?: string[]; AAAA?: string[]; PTR?: string[] }>;

export interface Question { name: string; type: string }

export interface TestDnsServer {
  readonly port: number;
  /** `127.0.0.1:PORT`, as the filter's `nameserver` takes it. */
  readonly address: string;
  /** Every question asked, in order. */
  readonly questions: Question[];
  /** How many questions were about this name (any type). */
  count(name: string): number;
  close(): Promise<void>;
}

const NXDOMAIN = 3;
const SERVFAIL = 2;

/**
 * `silent`: answer nothing at all. `dropFirst`: leave the first N questions about a name unanswered (a
 * nameserver that times out, then recovers).
 */
export async function startDnsServer(records: Records, opts: { silent?: boolean; dropFirst?: Record<string, number> } = {}): Promise<TestDnsServer> {
  const socket: Socket = createSocket('udp4');
  const questions: Question[] = [];
  const table = new Map(Object.entries(records).map(([k, v]) => [k.toLowerCase(), v]));
  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try { query = dnsPacket.decode(msg); } catch { return; }
    const q = query.questions?.[0];
    if (!q) return;
    questions.push({ name: q.name, type: q.type });
    const name = q.name.toLowerCase();
    if (opts.silent || name === 'silent.test' || name.endsWith('.silent.test')) return;
    const drop = opts.dropFirst?.[name] ?? 0;
    if (drop > 0 && questions.filter((x) => x.name.toLowerCase() === name).length <= drop) return;
    const entry = table.get(name);
    let rcode = 0;
    const answers: dnsPacket.Answer[] = [];
    if (name === 'servfail.test') rcode = SERVFAIL;
    else if (!entry) rcode = NXDOMAIN;
    else if (q.type === 'A' || q.type === 'AAAA' || q.type === 'PTR') {
      for (const data of entry[q.type] ?? []) answers.push({ type: q.type, class: 'IN', name: q.name, ttl: 60, data } as dnsPacket.Answer);
    }
    const reply = dnsPacket.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: dnsPacket.AUTHORITATIVE_ANSWER | dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | rcode,
      questions: query.questions ?? [],
      answers,
    });
    socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => { socket.off('error', reject); resolve(); });
  });
  const port = socket.address().port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    questions,
    count: (n) => questions.filter((q) => q.name.toLowerCase() === n.toLowerCase()).length,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/** The records the dns filter's tests share (names of upstream's spec among them). */
export const TEST_RECORDS: Records = {
  'carrera.databits.net': { A: ['199.192.228.250'] },
  '250.228.192.199.in-addr.arpa': { PTR: ['carrera.databits.net'] },
  '1.0.0.127.in-addr.arpa': { PTR: ['localhost'] },
  'dual.test': { A: ['192.0.2.10', '192.0.2.11'], AAAA: ['2001:db8::10'] },
  'v6only.test': { AAAA: ['2001:db8::6'] },
  'nodata.test': {},
  'cachedhost': { A: ['127.0.0.1'] },
  'flaky.test': { A: ['192.0.2.77'] },
  'training.elastic.co': { A: ['192.0.2.50'] },
  '20.2.0.192.in-addr.arpa': { PTR: ['xn--mller-kva.com'] },
  '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa': { PTR: ['six.test'] },
};
