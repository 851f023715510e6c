#!/usr/bin/env node
// Scale-out through Redis: one sluice shipper (TCP syslog → redis list) and sluice indexers
// (redis list → grok → stdout json_lines), against a real redis-server started here on a free port.
// Prints the shipper's events/s, then the indexers' events/s with one indexer and with two sharing the
// list, and the ratio of two to one (the reference, measured in the same run).
// Needs `redis-server` (Debian package redis-server) and `npm run build`.
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/sluice.js', import.meta.url));
const N = Number(process.env.REDIS_BENCH_EVENTS ?? 200_000);
if (spawnSync('redis-server', ['--version']).status !== 0) { console.log('redis-scaleout: redis-server not installed, skipped'); process.exit(0); }

const freePort = () => new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(check, ms = 120_000) { const end = Date.now() + ms; while (!(await check())) { if (Date.now() > end) throw new Error('timeout'); await sleep(20); } }
async function connectable(port) { return new Promise((r) => { const c = net.connect(port, '127.0.0.1'); c.once('connect', () => { c.destroy(); r(true); }); c.once('error', () => r(false)); }); }

function sluice(config, { countLines = false } = {}) {
  const child = spawn(process.execPath, [BIN, 'run', '-e', config], { stdio: ['ignore', countLines ? 'pipe' : 'ignore', 'pipe'] });
  const state = { child, lines: 0, stderr: '' };
  child.stderr.setEncoding('utf8').on('data', (d) => { state.stderr += d; });
  if (countLines) child.stdout.on('data', (d) => { for (let i = 0; i < d.length; i++) if (d[i] === 10) state.lines++; });
  return state;
}
const stop = (s) => new Promise((r) => { s.child.once('exit', r); s.child.kill('SIGTERM'); });

const redisPort = await freePort();
const redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
await until(() => connectable(redisPort), 10_000);
const { Redis } = await import('ioredis');
const r = new Redis({ port: redisPort });

const syslogPort = await freePort();
const shipper = sluice(`input { syslog { host => "127.0.0.1" port => ${syslogPort} } } output { redis { host => ["127.0.0.1:${redisPort}"] key => "logs" data_type => "list" batch => true batch_events => 250 } }`);
await until(() => /Pipelines running/.test(shipper.stderr), 20_000);

async function ship(from) {
  const start = Date.now();
  await new Promise((resolve, reject) => {
    const c = net.connect(syslogPort, '127.0.0.1', () => {
      let i = 0;
      const write = () => {
        while (i < N) {
          const line = `<34>Oct 11 22:14:15 web-${i % 8} sshd[${1000 + (i % 500)}]: Accepted publickey for user${i % 50} from 10.0.${i % 256}.${i % 200} port ${20000 + (i % 4000)} ssh2 seq=${from + i}\n`;
          i++;
          if (!c.write(line)) { c.once('drain', write); return; }
        }
        c.end();
      };
      write();
    });
    c.on('close', resolve); c.on('error', reject);
  });
  await until(async () => (await r.llen('logs')) >= N);
  return N / ((Date.now() - start) / 1000);
}

const indexerConf = `input { redis { host => "127.0.0.1" port => ${redisPort} key => "logs" data_type => "list" batch_count => 250 } } filter { grok { match => { "message" => "Accepted %{WORD:method} for %{USERNAME:user} from %{IP:client} port %{INT:client_port:int}" } } } output { stdout { codec => json_lines } }`;
async function index(k) {
  const indexers = Array.from({ length: k }, () => sluice(indexerConf, { countLines: true }));
  await until(() => indexers.every((s) => /Pipelines running/.test(s.stderr)), 20_000);
  const start = Date.now();
  await until(() => indexers.reduce((a, s) => a + s.lines, 0) >= N);
  const rate = N / ((Date.now() - start) / 1000);
  const shares = indexers.map((s) => s.lines);
  await Promise.all(indexers.map(stop));
  return { rate, shares };
}

// The list is filled first, then drained by the indexers: their rate is not bounded by the shipper's.
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const shipRate = await ship(0);
console.log(`shipper   syslog TCP → redis list:   ${fmt(shipRate)} events/s (${fmt(N)} events)`);
const one = await index(1);
console.log(`1 indexer  redis → grok → stdout:     ${fmt(one.rate)} events/s`);
await ship(N);
const two = await index(2);
console.log(`2 indexers redis → grok → stdout:     ${fmt(two.rate)} events/s (shares ${two.shares.map(fmt).join(' / ')})`);
console.log(`ratio 2 indexers / 1 indexer: ${(two.rate / one.rate).toFixed(2)}x`);
await stop(shipper);
await r.quit();
redis.kill('SIGTERM');
