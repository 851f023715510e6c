/**
 * The grok debugger page at /grok, driven in a real Chromium (Debian's `chromium`, through playwright-core)
 * by its labels and roles as a user would: the structured data of a COMBINEDAPACHELOG line, a custom
 * pattern, the explanation of a non-match, pattern-name autocompletion by keyboard, and no console error.
 * Skipped when no Chromium is installed (set CHROMIUM_PATH to use another binary).
 */
import { existsSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startCli, waitFor } from './helpers/cli.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p !== undefined && existsSync(p));

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const APACHE = '83.149.9.216 - - [17/May/2015:10:05:03 +0000] "GET /presentations/logstash-monitorama-2013/images/kibana-search.png HTTP/1.1" 200 203023 "http://semicomplete.com/presentations/logstash-monitorama-2013/" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/32.0.1700.77 Safari/537.36"';

describe.skipIf(CHROMIUM === undefined)('grok debugger page in Chromium', () => {
  let cli: ReturnType<typeof startCli>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let url = '';

  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}/grok`;
    cli = startCli(['run', '--api.http.port', String(port), '-e', 'input { http { host => "127.0.0.1" port => 0 } } output { stdout {} }']);
    await waitFor(() => /Successfully started Logstash API endpoint/.test(cli.stderr()) || cli.child.exitCode !== null, 20_000, 'API');
    browser = await chromium.launch({ executablePath: CHROMIUM!, args: ['--no-sandbox', '--headless=new'] });
    page = await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    const external: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('http://127.0.0.1')) external.push(r.url()); });
    await page.goto(url);
    expect(external).toEqual([]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    cli.child.kill('SIGTERM');
    await cli.done;
  });

  const structured = (): Promise<unknown> => page.getByRole('region', { name: 'Structured data' }).locator('pre').textContent().then((t) => JSON.parse(t ?? 'null'));

  it('shows the structured data of a COMBINEDAPACHELOG line', async () => {
    await page.getByLabel('Sample data').fill(APACHE);
    await page.getByLabel('Grok pattern').fill('%{COMBINEDAPACHELOG}');
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByRole('status').filter({ hasText: 'Matched.' }).waitFor();
    const j = await structured() as Record<string, unknown>;
    // ECS v8 field names, as Logstash 8's grok gives them.
    expect(j).toMatchObject({
      source: { address: '83.149.9.216' },
      timestamp: '17/May/2015:10:05:03 +0000',
      http: { request: { method: 'GET', referrer: 'http://semicomplete.com/presentations/logstash-monitorama-2013/' }, version: '1.1', response: { status_code: 200, body: { bytes: 203023 } } },
      url: { original: '/presentations/logstash-monitorama-2013/images/kibana-search.png' },
    });
    await expect(page.getByRole('region', { name: 'Explanation' }).count()).resolves.toBe(0);
  });

  it('uses a custom pattern', async () => {
    await page.getByLabel('Sample data').fill('order ORD-12345 shipped');
    await page.getByLabel('Custom patterns').fill('ORDER_ID ORD-%{INT}');
    await page.getByLabel('Grok pattern').fill('order %{ORDER_ID:order} %{WORD:state}');
    await page.getByRole('button', { name: 'Simulate' }).click();
    await page.getByRole('status').filter({ hasText: 'Matched.' }).waitFor();
    expect(await structured()).toEqual({ order: 'ORD-12345', state: 'shipped' });
  });

  it('explains a non-match: where the pattern stopped matching', async () => {
    await page.getByLabel('Custom patterns').fill('');
    await page.getByLabel('Sample data').fill('GET /index.html abc');
    await page.getByLabel('Grok pattern').fill('%{WORD:verb} %{URIPATH:path} %{NUMBER:ms}');
    await page.getByRole('button', { name: 'Simulate' }).click();
    const region = page.getByRole('region', { name: 'Explanation' });
    await region.waitFor();
    const text = await region.textContent();
    expect(text).toContain('Matched');
    expect(text).toContain('%{WORD:verb} %{URIPATH:path}');
    expect(text).toContain('Stopped at offset 16');
    expect(text).toContain('%{NUMBER:ms}');
  });

  it('completes pattern names from the library, by keyboard, and simulates with Ctrl+Enter', async () => {
    await page.getByLabel('Sample data').fill('2024-01-02T03:04:05Z');
    const pattern = page.getByLabel('Grok pattern');
    await pattern.fill('');
    await pattern.focus();
    await page.keyboard.type('%{TIMESTAMP_IS');
    const list = page.getByRole('listbox', { name: 'Pattern names' });
    await list.waitFor();
    await expect(list.getByRole('option').first().textContent()).resolves.toBe('TIMESTAMP_ISO8601');
    await page.keyboard.press('Enter');
    expect(await pattern.inputValue()).toBe('%{TIMESTAMP_ISO8601}');
    await page.keyboard.press('Control+Enter');
    await page.getByRole('status').filter({ hasText: 'Matched.' }).waitFor();
    // Named captures only: nothing is captured without a semantic name.
    expect(await structured()).toEqual({});
    // Tab order reaches the button from the fields.
    await page.getByLabel('Custom patterns').focus();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Simulate');
  });

  it('keeps a list opened right after the field got focus back (a stale close from the blur does not hide it)', async () => {
    const pattern = page.getByLabel('Grok pattern');
    await pattern.fill('');
    // Leave the field and come back at once, then type: all well inside the blur's 100 ms delay.
    await page.evaluate(() => {
      const p = document.getElementById('pattern') as HTMLTextAreaElement;
      (document.getElementById('sample') as HTMLTextAreaElement).focus();
      p.focus();
      p.value = '%{TIMESTAMP_IS';
      p.setSelectionRange(p.value.length, p.value.length);
      p.dispatchEvent(new Event('input'));
    });
    const list = page.getByRole('listbox', { name: 'Pattern names' });
    await list.waitFor();
    await page.waitForTimeout(250);
    expect(await list.isVisible()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await list.isVisible()).toBe(false);
  });

  it('logged no console error', () => {
    expect(errors).toEqual([]);
  });
});
