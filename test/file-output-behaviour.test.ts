/**
 * The file output's own behaviours beyond file_spec.rb: what a batch reports when a file cannot be
 * written or an event cannot be encoded, gzip with overwrite, the stale cycle run by batches, batches
 * given at once kept apart and in order.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import type { Hash } from '../src/event/values.js';
import type { CodecInstance } from '../src/plugins/api.js';
import { delivery, fileOutputFixtures } from './helpers/file-output.js';

const { tempDir, output } = fileOutputFixtures('file-out');
const values = (text: string): unknown[] => text.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { v: unknown }).v);
const ev = (v: unknown, more: Record<string, unknown> = {}): Event => new Event({ v, ...more } as Hash);

describe('file output behaviour', () => {
  it('reports the events of a file it cannot write as retryable, and writes them once it can', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'blocked'), 'a file where a directory is needed');
    const o = await output({ path: `${dir}/%{d}/out.log` });
    const batch = [ev(1, { d: 'ok' }), ev(2, { d: 'blocked' }), ev(3, { d: 'ok' }), ev(4, { d: 'blocked' })];
    expect(await o.receive(batch, delivery)).toEqual({ retry: [1, 3] });
    expect(values(readFileSync(join(dir, 'ok/out.log'), 'utf8'))).toEqual([1, 3]);
    rmSync(join(dir, 'blocked'));
    expect(await o.receive([batch[1]!, batch[3]!], { ...delivery, attempt: 1 })).toBeUndefined();
    expect(values(readFileSync(join(dir, 'blocked/out.log'), 'utf8'))).toEqual([2, 4]);
  });

  it('rejects an event its codec cannot encode and writes the others', async () => {
    const dir = tempDir();
    const picky: CodecInstance = {
      decoder: () => ({ push: () => undefined, end: () => undefined }),
      encode: (e) => { if (e.get('v') === 2) throw new Error('cannot encode 2'); return `${String(e.get('v'))}\n`; },
    };
    const o = await output({ path: join(dir, 'out'), codec: picky });
    expect(await o.receive([ev(1), ev(2), ev(3)], delivery)).toEqual({ rejected: [{ index: 1, reason: 'codec failed: cannot encode 2' }] });
    expect(readFileSync(join(dir, 'out'), 'utf8')).toBe('1\n3\n');
  });

  it('gzip with overwrite: after each batch the file is one complete gzip member holding the last event', async () => {
    const out = join(tempDir(), 'state.gz');
    const o = await output({ path: out, gzip: true, write_behavior: 'overwrite' });
    await o.receive([ev(1), ev(2)], delivery);
    expect(values(gunzipSync(readFileSync(out)).toString())).toEqual([2]);
    await o.receive([ev(3)], delivery);
    expect(values(gunzipSync(readFileSync(out)).toString())).toEqual([3]);
  });

  it('gzip append: what receive resolved is in the file, and close completes the member', async () => {
    const out = join(tempDir(), 'out.gz');
    const o = await output({ path: out, gzip: true, flush_interval: 0 });
    await o.receive([ev(1)], delivery);
    await o.receive([ev(2)], delivery);
    expect(() => gunzipSync(readFileSync(out))).toThrow();
    await o.close?.();
    expect(values(gunzipSync(readFileSync(out)).toString())).toEqual([1, 2]);
  });

  it.skipIf(!existsSync('/proc/self/fd'))('stale_cleanup_interval => 0: every batch closes the files it did not write', async () => {
    const dir = tempDir();
    const open = (): string[] => readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } }).filter((p) => p.startsWith(dir));
    const o = await output({ path: `${dir}/%{f}`, stale_cleanup_interval: 0 });
    await o.receive([ev(1, { f: 'a' }), ev(2, { f: 'b' })], delivery);
    expect(open().sort()).toEqual([join(dir, 'a'), join(dir, 'b')]);
    await o.receive([ev(3, { f: 'a' })], delivery);
    expect(open()).toEqual([join(dir, 'a')]);
    await o.receive([ev(4, { f: 'b' })], delivery);
    expect(open()).toEqual([join(dir, 'b')]);
    expect(values(readFileSync(join(dir, 'a'), 'utf8'))).toEqual([1, 3]);
    expect(values(readFileSync(join(dir, 'b'), 'utf8'))).toEqual([2, 4]);
    await o.close?.();
    expect(open()).toEqual([]);
  });

  it('batches given at once are written one after the other, in order', async () => {
    const out = join(tempDir(), 'out');
    const o = await output({ path: out });
    await Promise.all([o.receive([ev(1), ev(2)], delivery), o.receive([ev(3)], delivery), o.receive([ev(4), ev(5)], delivery)]);
    expect(values(readFileSync(out, 'utf8'))).toEqual([1, 2, 3, 4, 5]);
  });

  it('formats a path without field references too (`%{}` prints the epoch seconds, as in Logstash)', async () => {
    const dir = tempDir();
    const o = await output({ path: `${dir}/at-%{}.log` });
    await o.receive([new Event({ '@timestamp': '2020-01-01T00:00:10.000Z' })], delivery);
    expect(readdirSync(dir)).toEqual(['at-1577836810.log']);
  });
});
