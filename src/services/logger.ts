/**
 * The process's logger, on pino. Two formats, as Logstash's `log.format`:
 * - `plain` (default): Logstash's pattern `[time][LEVEL][logger name][pipeline id][plugin id] message {data}`,
 *   with data printed the way Logstash prints a Ruby hash (`{:address=>"0.0.0.0:5514", :ssl_enabled=>false}`);
 * - `json`: pino's JSON lines (`level`, `time`, `name`, `pipeline.id`, `plugin.id`, `msg`, data fields).
 * Logs go to stderr (stdout is for events) and, with `path.logs`, to a file as well.
 *
 * Plugins get a child of the pipeline's logger through their context; tests read what was logged by
 * giving `configureLogging` a sink.
 */
import { appendFileSync } from 'node:fs';
import pino from 'pino';

export type LogData = Record<string, unknown>;

/** Logstash-style leveled logger (pino underneath); `child` names a sub-component. */
export interface Logger {
  trace(msg: string, data?: LogData): void;
  debug(msg: string, data?: LogData): void;
  info(msg: string, data?: LogData): void;
  warn(msg: string, data?: LogData): void;
  error(msg: string, data?: LogData): void;
  /** A logger for a part of this one (`[main][tcp_1]`), with the same sink and level. */
  child(name: string): Logger;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
export type LogFormat = 'plain' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['plain', 'json'];

export interface LoggingSettings {
  level?: LogLevel;
  format?: LogFormat;
  /** Also append every line to this file (`path.logs`). */
  file?: string;
  /** Where lines go instead of stderr (tests). */
  sink?: (line: string) => void;
}

interface Bindings { name: string; pipeline?: string; plugin?: string }

const PINO_LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

const SYMBOL_KEY = ':symbol';

/**
 * A Ruby symbol in log data (Logstash prints pipeline ids as `:main`): `:main` in plain lines, the
 * string `main` in JSON lines.
 */
export function symbol(name: string): unknown { return { [SYMBOL_KEY]: name }; }

function symbolName(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const name = (v as Record<string, unknown>)[SYMBOL_KEY];
  return typeof name === 'string' ? name : undefined;
}

/** Ruby's inspect of a log value, as Logstash's plain log lines show it. */
function rubyish(v: unknown): string {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return `[${v.map(rubyish).join(', ')}]`;
  const sym = symbolName(v);
  if (sym !== undefined) return `:${sym}`;
  if (typeof v === 'object') return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${/^[A-Za-z_]\w*$/.test(k) ? `:${k}` : JSON.stringify(k)}=>${rubyish(x)}`).join(', ')}}`;
  return String(v);
}

/** `2026-12-07T05:30:35,123` in local time, as Logstash's log4j ISO8601 pattern prints it. */
function logTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())},${p(d.getMilliseconds(), 3)}`;
}

const RESERVED = new Set(['level', 'time', 'name', 'pipeline.id', 'plugin.id', 'msg', 'pid', 'hostname']);

/** One pino JSON record → Logstash's plain line. */
export function plainLine(json: string): string {
  let rec: Record<string, unknown>;
  try { rec = JSON.parse(json) as Record<string, unknown>; } catch { return json; }
  const level = (PINO_LEVEL_NAMES[Number(rec.level)] ?? 'INFO').padEnd(5);
  const name = String(rec.name ?? 'sluice').padEnd(25);
  let head = `[${logTime(Number(rec.time ?? Date.now()))}][${level}][${name}]`;
  if (rec['pipeline.id'] !== undefined) head += `[${String(rec['pipeline.id'])}]`;
  if (rec['plugin.id'] !== undefined) head += `[${String(rec['plugin.id'])}]`;
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) if (!RESERVED.has(k)) data[k] = v;
  const tail = Object.keys(data).length > 0 ? ` ${rubyish(data)}` : '';
  return `${head} ${String(rec.msg ?? '')}${tail}\n`;
}

let settings: Required<Pick<LoggingSettings, 'level' | 'format'>> & LoggingSettings = { level: 'info', format: 'plain' };
let root: pino.Logger = makeRoot();

function makeRoot(): pino.Logger {
  const { format, file, sink } = settings;
  const out = sink ?? ((line: string) => { process.stderr.write(line); });
  const write = (json: string): void => {
    const line = format === 'plain' ? plainLine(json) : json.includes(SYMBOL_KEY) ? symbolsAsStrings(json) : json;
    out(line);
    if (file) appendFileSync(file, line);
  };
  return pino({
    level: settings.level,
    base: undefined,
    messageKey: 'msg',
    formatters: { level: (_label, number) => ({ level: number }) },
  }, { write });
}

function symbolsAsStrings(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), (_k, v: unknown) => symbolName(v) ?? v) + '\n';
  } catch { return json; }
}

/** Set the level, format and destination of every logger (existing ones included). */
export function configureLogging(next: LoggingSettings): void {
  settings = { ...settings, ...next };
  root = makeRoot();
}

export function logLevel(): LogLevel { return settings.level; }

/** The settings other threads need to log the same way (the test sink stays on this thread). */
export function loggingSettings(): LoggingSettings {
  return { level: settings.level, format: settings.format, ...(settings.file === undefined ? {} : { file: settings.file }) };
}

class PinoLogger implements Logger {
  readonly #bindings: Bindings;
  #made: pino.Logger | undefined;
  #of: pino.Logger | undefined;

  constructor(bindings: Bindings) { this.#bindings = bindings; }

  /** The pino child, made again when logging was reconfigured. */
  get #pino(): pino.Logger {
    if (this.#of !== root || !this.#made) {
      const b: Record<string, string> = { name: this.#bindings.name };
      if (this.#bindings.pipeline !== undefined) b['pipeline.id'] = this.#bindings.pipeline;
      if (this.#bindings.plugin !== undefined) b['plugin.id'] = this.#bindings.plugin;
      this.#made = root.child(b);
      this.#of = root;
    }
    return this.#made;
  }

  #log(level: LogLevel, msg: string, data?: LogData): void {
    const p = this.#pino;
    if (!p.isLevelEnabled(level)) return;
    if (data && Object.keys(data).length > 0) p[level](safeData(data), msg); else p[level](msg);
  }

  trace(msg: string, data?: LogData): void { this.#log('trace', msg, data); }
  debug(msg: string, data?: LogData): void { this.#log('debug', msg, data); }
  info(msg: string, data?: LogData): void { this.#log('info', msg, data); }
  warn(msg: string, data?: LogData): void { this.#log('warn', msg, data); }
  error(msg: string, data?: LogData): void { this.#log('error', msg, data); }
  child(name: string): Logger { return new PinoLogger({ ...this.#bindings, name }); }
}

function safeData(data: LogData): LogData {
  const out: LogData = {};
  for (const [k, v] of Object.entries(data)) {
    out[k] = typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v;
  }
  return out;
}

/**
 * A logger named as Logstash names its loggers (`logstash.agent`, `logstash.inputs.tcp`), optionally bound
 * to a pipeline and a plugin id.
 */
export function getLogger(name: string, pipeline?: string, plugin?: string): Logger {
  const b: Bindings = { name };
  if (pipeline !== undefined) b.pipeline = pipeline;
  if (plugin !== undefined) b.plugin = plugin;
  return new PinoLogger(b);
}

/**
 * Warnings about single events (a field that cannot be set, a value that does not convert) at most once per
 * interval and per kind of problem, with the number suppressed meanwhile: a bad stream must not flood the log.
 */
export function rateLimited(logger: Logger, intervalMs = 10_000): (key: string, msg: string, data?: LogData) => void {
  const last = new Map<string, { at: number; suppressed: number }>();
  return (key, msg, data) => {
    const now = Date.now();
    const seen = last.get(key);
    if (seen && now - seen.at < intervalMs) { seen.suppressed++; return; }
    const suppressed = seen?.suppressed ?? 0;
    last.set(key, { at: now, suppressed: 0 });
    if (last.size > 1000) last.clear();
    logger.warn(msg, suppressed > 0 ? { ...data, suppressed_since_last: suppressed } : data);
  };
}
