/** Spawn the real CLI (`bin/sluice.js`, built by `npm test`) as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const BIN = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

export function runCli(args: string[], opts: { input?: string | Buffer; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: opts.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    collect(child, opts.timeoutMs ?? 30_000).then(resolve, reject);
    child.stdin!.on('error', () => {});
    child.stdin!.end(opts.input ?? '');
  });
}

/** Start the CLI and leave it running (for signals and sockets); `done` resolves when it exits. */
export function startCli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {}): { child: ChildProcess; done: Promise<CliResult>; stdout: () => string; stderr: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const done = collect(child, opts.timeoutMs ?? 60_000, () => out, () => err);
  return { child, done, stdout: () => out, stderr: () => err };
}

function collect(child: ChildProcess, timeoutMs: number, getOut?: () => string, getErr?: () => string): Promise<CliResult> {
  return new Promise((resolve) => {
    let out = '';
    let err = '';
    if (!getOut) {
      child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
    }
    const timer = setTimeout(() => { child.kill('SIGKILL'); }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout: getOut ? getOut() : out, stderr: getErr ? getErr() : err });
    });
  });
}

/** Wait until `check()` is true, polling. */
export async function waitFor(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A TCP port free on 127.0.0.1 right now (for configs that need the port before start-up). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as import('node:net').AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
