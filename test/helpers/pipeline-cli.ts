/**
 * One pipeline through the real CLI as a user runs it: JSON lines on stdin, the filter section given,
 * JSON lines on stdout (parsed). For the plugins' end-to-end tests.
 */
import { expect } from 'vitest';
import { jsonLines, runCli, type CliResult } from './cli.js';

/** `stdin { codec => json_lines }` → `filter` → `stdout { codec => json_lines }`; input events as objects. */
export async function runFilterSection(filter: string, events: readonly Record<string, unknown>[], opts: { args?: string[]; cwd?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ events: Record<string, unknown>[]; result: CliResult }> {
  const config = `input { stdin { codec => json_lines } } filter { ${filter} } output { stdout { codec => json_lines } }`;
  const input = events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
  const result = await runCli(['run', ...(opts.args ?? []), '-e', config], {
    input, ...(opts.cwd ? { cwd: opts.cwd } : {}), ...(opts.env ? { env: opts.env } : {}), ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
  });
  expect(result.code, result.stderr).toBe(0);
  return { events: jsonLines(result.stdout), result };
}

/** `sluice run -t` of a config; returns the result (exit code 1 and the messages on a bad config). */
export function checkConfig(config: string, opts: { cwd?: string } = {}): Promise<CliResult> {
  return runCli(['run', '-t', '-e', config], opts.cwd ? { cwd: opts.cwd } : {});
}
