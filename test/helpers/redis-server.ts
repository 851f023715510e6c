/**
 * A real redis-server for tests, started on a free 127.0.0.1 port with no persistence. Tests skip (with a
 * message naming the package) when the binary is not installed: `apt-get install -y redis-server`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? 'redis-server';
export const haveRedis = spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0;
if (!haveRedis) console.warn(`redis tests skipped: ${REDIS_SERVER} not found (install the Debian package redis-server)`);

async function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)); }); });
}

export interface RedisServer { port: number; stop(): Promise<void> }

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => { const c = net.connect(port, '127.0.0.1'); c.once('connect', () => { c.destroy(); r(true); }); c.once('error', () => r(false)); });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    port,
    stop: () => new Promise<void>((resolve) => { if (child.exitCode !== null) { resolve(); return; } child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
  };
}
