/**
 * Logstash-style log lines on stderr: `[2024-05-01T10:00:00,123][WARN ][plugin-id] message {data}`.
 * stdout stays reserved for events.
 */
import type { Logger } from '../plugins/api.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
const RANK: Record<LogLevel, number> = { fatal: 0, error: 1, warn: 2, info: 3, debug: 4, trace: 5 };
export const LOG_LEVELS = Object.keys(RANK) as LogLevel[];

let threshold: number = RANK.info;
let sink: (line: string) => void = (line) => { process.stderr.write(line); };

export function setLogLevel(level: LogLevel): void { threshold = RANK[level]; }
/** Redirect log output (tests). */
export function setLogSink(fn: (line: string) => void): void { sink = fn; }

export function createLogger(name: string): Logger {
  const log = (level: LogLevel) => (msg: string, data?: Record<string, unknown>) => {
    if (RANK[level] > threshold) return;
    const ts = new Date().toISOString().replace('T', 'T').replace('.', ',').replace('Z', '');
    const extra = data && Object.keys(data).length ? ` ${safeJson(data)}` : '';
    sink(`[${ts}][${level.toUpperCase().padEnd(5)}][${name}] ${msg}${extra}\n`);
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x instanceof Error ? x.message : x));
  } catch { return String(v); }
}
