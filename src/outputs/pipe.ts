/**
 * pipe: writes each event to the standard input of a command, one line per event, keeping one process
 * per distinct (sprintf'd) command line, as logstash-output-pipe does:
 * - `command` as a string runs as version 3.x (the one Logstash 8 ships) runs it: through `sh -c` when it
 *   needs a shell (so `%{field}` values reach the shell verbatim); as an array it is the program and its
 *   arguments, each part sprintf'd, with no shell (version 4.0);
 * - each event is written as `message_format` (sprintf) plus a newline, else as the event's JSON plus a
 *   newline; a `codec` given explicitly is used instead (sluice's extension: upstream ignores it);
 * - a process whose input has not been written for `ttl` seconds is closed (its input ends); -1 or 0 never;
 * - when the process has gone (EPIPE), it is started again and the event written again once; if that fails
 *   too the event is retried by the pipeline with back-off.
 * The process's standard output is discarded (upstream opens it but never reads it); its standard error
 * goes to sluice's. A command that cannot be started at all is logged and its events are dropped.
 */
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import type { Event } from '../event/event.js';
import { compileSprintf, type Formatter } from '../event/sprintf.js';
import { exited, startCommand } from '../io/command.js';
import { defineOutput, PluginConfigError } from '../plugins/api.js';
import type { ConfigValue } from '../plugins/options.js';

interface Pipe { key: string; child: ChildProcess; stdin: Writable; lastWrite: number; gone: boolean }

function commandProblems(command: ConfigValue): PluginConfigError[] {
  if (typeof command === 'string') return command.trim() === '' ? [new PluginConfigError("The 'command' setting must not be empty", 'command')] : [];
  if (Array.isArray(command)) {
    if (command.length === 0) return [new PluginConfigError("The 'command' setting must not be empty", 'command')];
    if (command.some((p) => typeof p !== 'string' && typeof p !== 'number')) return [new PluginConfigError("The 'command' setting must be a string or an array of strings", 'command')];
    return [];
  }
  return [new PluginConfigError("The 'command' setting must be a string or an array of strings", 'command')];
}

export default defineOutput({
  name: 'pipe',
  doc: 'Writes each event (JSON, or `message_format`) as a line to the standard input of a command, one process per distinct command.',
  options: {
    command: { type: 'any', required: true, doc: 'Command to start: a string (run through `sh -c` when it needs a shell) or an array `[program, arg…]` (no shell); sprintf allowed.' },
    message_format: { type: 'string', doc: 'sprintf format of each line written; default: the event as JSON.' },
    ttl: { type: 'number', default: 10, doc: 'Close a process whose input was not written for this many seconds; -1 or 0: never.' },
    codec: { type: 'codec', doc: 'Not used by Logstash; when set, sluice encodes each event with it instead of JSON lines.' },
  },
  check: (options) => commandProblems(options.command),
  create(options, ctx) {
    const problems = commandProblems(options.command);
    if (problems.length > 0) throw problems[0]!;
    const raw = options.command;
    const parts: Formatter[] = (Array.isArray(raw) ? raw : [raw]).map((p) => compileSprintf(String(p)));
    const shellForm = !Array.isArray(raw);
    const format = options.message_format === undefined ? undefined : compileSprintf(options.message_format);
    const codec = options.codec;
    const encode = (e: Event): string | Buffer => {
      if (format) return format(e) + '\n';
      if (codec) return codec.encode(e);
      return e.toJSON() + '\n';
    };
    const pipes = new Map<string, Pipe>();
    const failures = ctx.metrics.counter('failures');

    const drop = (p: Pipe): Promise<void> => {
      if (pipes.get(p.key) === p) pipes.delete(p.key);
      ctx.logger.info(`Closing pipe "${p.key}"`);
      p.stdin.end();
      return exited(p.child).then(() => undefined);
    };

    const open = async (command: string | string[]): Promise<Pipe> => {
      const key = typeof command === 'string' ? command : JSON.stringify(command);
      const cur = pipes.get(key);
      if (cur && !cur.gone) return cur;
      ctx.logger.info('Opening pipe', { command: key });
      const { child, started } = startCommand(command, ['pipe', 'ignore', 'inherit']);
      const stdin = child.stdin!;
      const p: Pipe = { key, child, stdin, lastWrite: Date.now(), gone: false };
      stdin.on('error', () => { p.gone = true; });
      child.once('exit', () => { p.gone = true; if (pipes.get(key) === p) pipes.delete(key); });
      await started;
      pipes.set(key, p);
      return p;
    };

    const write = (p: Pipe, data: string | Buffer): Promise<void> => new Promise((resolve, reject) => {
      p.lastWrite = Date.now();
      p.stdin.write(data, (err) => { if (err) reject(err); else resolve(); });
    });

    let cleanup: NodeJS.Timeout | undefined;
    if (options.ttl > 0) {
      const ttlMs = options.ttl * 1000;
      cleanup = setInterval(() => {
        const now = Date.now();
        for (const p of [...pipes.values()]) if (now - p.lastWrite >= ttlMs) void drop(p);
      }, Math.max(50, ttlMs / 2));
      cleanup.unref();
    }

    return {
      async receive(events) {
        const retry: number[] = [];
        const dropped: number[] = [];
        for (let i = 0; i < events.length; i++) {
          const e = events[i]!;
          let command: string | string[];
          let data: string | Buffer;
          try {
            const resolved = parts.map((f) => f(e));
            command = shellForm ? resolved[0]! : resolved;
            data = encode(e);
          } catch (err) {
            failures.inc();
            ctx.logger.error('pipe output: could not format the event', { exception: (err as Error).message });
            dropped.push(i);
            continue;
          }
          let done = false;
          let cannotStart = false;
          for (let attempt = 0; attempt < 2 && !done; attempt++) {
            let p: Pipe;
            try { p = await open(command); } catch (err) {
              failures.inc();
              ctx.logger.error('pipe output: could not start command', { command, exception: (err as Error).message });
              cannotStart = true;
              break;
            }
            try { await write(p, data); done = true; } catch (err) {
              ctx.logger.error('Error writing to pipe, closing pipe.', { command: p.key, exception: (err as Error).message });
              p.gone = true;
              void drop(p);
            }
          }
          // A command that cannot start gets nothing; one that keeps closing its input is retried later.
          if (!done) (cannotStart ? dropped : retry).push(i);
        }
        return retry.length || dropped.length ? { ...(retry.length ? { retry } : {}), ...(dropped.length ? { dropped } : {}) } : undefined;
      },
      async close() {
        if (cleanup) clearInterval(cleanup);
        ctx.logger.info('close: closing pipes');
        await Promise.all([...pipes.values()].map(drop));
      },
    };
  },
});
