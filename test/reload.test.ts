/**
 * Reload through the real CLI (config.reload.automatic and SIGHUP): an edited config replaces the running
 * pipeline once it drained, losing nothing; a broken edit is reported and the old pipeline keeps running;
 * an unchanged config is not restarted.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCli, waitFor } from './helpers/cli.js';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function send(port: number, lines: string[]): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((r, j) => { s.once('connect', () => r()); s.once('error', j); });
  await new Promise<void>((r) => s.end(lines.map((l) => `${l}\n`).join(''), () => r()));
}

const config = (port: number, out: string, version: string): string =>
  `input { tcp { port => ${port} host => "127.0.0.1" } }\nfilter { mutate { add_field => { "version" => "${version}" } } }\noutput { file { path => "${out}" codec => json_lines } }\n`;

describe('reload', () => {
  it('swaps an edited config without losing events, keeps the old pipeline on a broken edit, leaves an unchanged one alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-reload-'));
    const conf = join(dir, 'pipeline.conf');
    const out = join(dir, 'out.jsonl');
    const port = await freePort();
    writeFileSync(conf, config(port, out, 'one'));
    const cli = startCli(['run', '-w', '1', '-f', conf, '--config.reload.automatic', '--config.reload.interval', '200ms']);
    const events = (): { message: string; version: string }[] => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { message: string; version: string }) : []);
    const started = (): number => (cli.stderr().match(/Pipeline started/g) ?? []).length;
    try {
      await waitFor(() => started() === 1, 20_000, 'the pipeline');
      await send(port, Array.from({ length: 100 }, (_, i) => `a${i}`));
      await waitFor(() => events().length === 100, 10_000, 'the first events');

      // A broken edit: reported, and the running pipeline goes on with the old config.
      writeFileSync(conf, 'input { tcp { port => 1 } } filter { mutat {} }');
      await waitFor(() => /Failed to execute action.*Reload/.test(cli.stderr()), 10_000, 'the reload error');
      expect(cli.stderr()).toMatch(/unknown filter plugin `mutat`/);
      await send(port, ['b0']);
      await waitFor(() => events().length === 101, 10_000, 'the event after the broken edit');
      expect(events()[100]!.version).toBe('one');

      // A real edit: the pipeline is replaced.
      writeFileSync(conf, config(port, out, 'two'));
      await waitFor(() => started() === 2, 15_000, 'the reloaded pipeline');
      await send(port, Array.from({ length: 100 }, (_, i) => `c${i}`));
      await waitFor(() => events().length === 201, 10_000, 'the events after the reload');
      const all = events();
      expect(all.slice(0, 101).every((e) => e.version === 'one')).toBe(true);
      expect(all.slice(101).every((e) => e.version === 'two')).toBe(true);
      expect(new Set(all.map((e) => e.message)).size).toBe(201);

      // Rewritten with the same text: not restarted.
      writeFileSync(conf, config(port, out, 'two'));
      await new Promise((r) => setTimeout(r, 800));
      expect(started()).toBe(2);
    } finally {
      cli.child.kill('SIGTERM');
      await cli.done;
    }
  }, 90_000);

  it('SIGHUP reloads without config.reload.automatic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-hup-'));
    const conf = join(dir, 'pipeline.conf');
    const out = join(dir, 'out.jsonl');
    const port = await freePort();
    writeFileSync(conf, config(port, out, 'one'));
    const cli = startCli(['run', '-w', '1', '-f', conf]);
    const started = (): number => (cli.stderr().match(/Pipeline started/g) ?? []).length;
    try {
      await waitFor(() => started() === 1, 20_000, 'the pipeline');
      writeFileSync(conf, config(port, out, 'two'));
      await new Promise((r) => setTimeout(r, 4000));
      expect(started()).toBe(1);
      cli.child.kill('SIGHUP');
      await waitFor(() => started() === 2, 15_000, 'the SIGHUP reload');
      await send(port, ['x']);
      await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('"two"'), 10_000, 'an event of the new config');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.done;
    }
  }, 60_000);
});
