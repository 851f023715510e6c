/**
 * exec: runs `command` every `interval` seconds, or on a cron `schedule`, and decodes its whole standard
 * output with the codec (default `plain`: one event whose `message` is the output, trailing newline
 * included), as logstash-input-exec 3.6. Each event gets, unless the decoded event has them already:
 *
 * | ECS disabled               | ECS v1, v8                |
 * | `host`                     | `[host][name]`            |
 * | `command`                  | `[process][command_line]` |
 * | `[@metadata][exit_status]` | `[process][exit_code]`    |
 *
 * and always `[@metadata][duration]` (seconds, a float; ECS disabled) or
 * `[@metadata][input][exec][process][elapsed_time]` (ECS on). Upstream documents the latter in
 * nanoseconds but computes seconds × 1,000,000 (microseconds); sluice gives the same number.
 *
 * The command line runs as Ruby runs it (through `sh -c` only when it needs a shell, see io/command.ts),
 * with no standard input; its standard error goes to sluice's. A command that cannot be started is
 * logged and makes no event. With `interval`, a run that takes longer than the interval is followed by
 * the next at once, with a warning.
 */
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import type { Event } from '../event/event.js';
import { LsFloat } from '../event/values.js';
import { compileSchedule, ScheduleError, type Schedule } from '../formats/schedule.js';
import { exited, killGroup, startCommand } from '../io/command.js';
import { defineInput, PluginConfigError, type InputSink } from '../plugins/api.js';
import { fieldStamper } from '../plugins/stamp.js';

function scheduleProblems(options: { interval?: number; schedule?: string }): PluginConfigError[] {
  if ((options.interval === undefined) === (options.schedule === undefined)) {
    return [new PluginConfigError("exec input: either 'interval' or 'schedule' option must be defined.", options.interval === undefined ? 'interval' : 'schedule')];
  }
  if (options.schedule !== undefined) {
    try { compileSchedule(options.schedule); } catch (e) {
      if (e instanceof ScheduleError) return [new PluginConfigError(e.message, 'schedule', 'a cron line such as "*/5 * * * *" (every five minutes) or "0 6 * * * America/Chicago"')];
      throw e;
    }
  }
  if (options.interval !== undefined && !(options.interval >= 0)) return [new PluginConfigError('exec input: interval must be a number of seconds, 0 or more', 'interval')];
  return [];
}

export default defineInput({
  name: 'exec',
  doc: 'Runs a shell command at an interval or on a cron schedule; its whole output is decoded into events.',
  options: {
    codec: { type: 'codec', default: 'plain', doc: 'Codec decoding the command\'s output (default `plain`: the whole output is one event).' },
    command: { type: 'string', required: true, doc: 'Command to run, e.g. `uptime`.' },
    interval: { type: 'number', doc: 'Seconds between runs (from the start of one to the start of the next). Either this or `schedule`.' },
    schedule: { type: 'string', doc: 'Cron line (rufus-scheduler syntax: 5 fields, or 6 with seconds first, then an optional time zone). Either this or `interval`.' },
  },
  check: (options) => scheduleProblems(options),
  create(options, ctx) {
    const problems = scheduleProblems(options);
    if (problems.length > 0) throw problems[0]!;
    const { codec, command } = options;
    const legacy = ctx.ecs === 'disabled';
    const hostField = legacy ? 'host' : '[host][name]';
    const commandField = legacy ? 'command' : '[process][command_line]';
    const exitField = legacy ? '[@metadata][exit_status]' : '[process][exit_code]';
    const host = hostname();
    const stamp = fieldStamper(ctx.logger);
    const schedule: Schedule | undefined = options.schedule === undefined ? undefined : compileSchedule(options.schedule);
    let stopped = false;
    let running: ChildProcess | undefined;
    let wake: (() => void) | undefined;
    let onStop!: () => void;
    const stopSignal = new Promise<void>((r) => { onStop = r; });

    const sleep = (ms: number): Promise<void> => new Promise((resolve) => {
      if (stopped) { resolve(); return; }
      const t = setTimeout(() => { wake = undefined; resolve(); }, ms);
      wake = () => { clearTimeout(t); wake = undefined; resolve(); };
    });

    /** Run the command once; resolves with its duration in seconds. */
    const execute = async (sink: InputSink): Promise<number> => {
      const start = process.hrtime.bigint();
      const elapsed = (): number => Number(process.hrtime.bigint() - start) / 1e9;
      ctx.logger.debug('Running exec', { command });
      const { child, started } = startCommand(command, ['ignore', 'pipe', 'inherit'], { group: true });
      running = child;
      const chunks: Buffer[] = [];
      child.stdout!.on('data', (c: Buffer) => chunks.push(c));
      const outputDone = new Promise<void>((r) => { child.stdout!.once('close', () => r()); });
      let exitCode: number | null;
      try {
        await started;
        [exitCode] = await Promise.race([Promise.all([exited(child), outputDone]), stopSignal.then(() => [null] as const)]);
      } catch (err) {
        ctx.logger.error('Error while running command', { command, exception: (err as Error).message });
        return elapsed();
      } finally {
        running = undefined;
      }
      const duration = elapsed();
      ctx.logger.debug('Command completed', { command, duration });
      if (stopped) return duration;
      const output = Buffer.concat(chunks);
      let full = false;
      const emit = (e: Event): void => {
        if (!e.includes(hostField)) stamp(e, hostField, host, true);
        if (!e.includes(commandField)) stamp(e, commandField, command, true);
        if (!e.includes(exitField)) stamp(e, exitField, exitCode, true);
        if (legacy) e.set('[@metadata][duration]', new LsFloat(duration));
        else e.set('[@metadata][input][exec][process][elapsed_time]', Math.trunc(duration * 1_000_000));
        if (!sink.push(e)) full = true;
      };
      if (codec.decodeFrame) codec.decodeFrame(output, emit);
      else { const d = codec.decoder(emit, { key: `exec:${command}` }); d.push(output); d.end(); }
      if (full) await sink.drained();
      return duration;
    };

    return {
      async run(sink) {
        while (!stopped && !sink.stopping) {
          if (schedule) {
            const now = new Date();
            await sleep(Math.max(0, schedule.next(now).getTime() - now.getTime()));
            if (stopped || sink.stopping) return;
            await execute(sink);
          } else {
            const duration = await execute(sink);
            const wait = options.interval! - duration;
            if (wait > 0) await sleep(wait * 1000);
            else {
              ctx.logger.warn('Execution ran longer than the interval. Skipping sleep.', { command, duration, interval: options.interval });
              await new Promise((r) => setImmediate(r));
            }
          }
        }
      },
      stop() {
        stopped = true;
        wake?.();
        // Logstash closes the command's pipes and abandons the run; the process (and what it started) is
        // ended here as well, so it does not outlive sluice holding its standard error open.
        onStop();
        if (running) { running.stdout?.destroy(); killGroup(running, 'SIGTERM'); }
      },
    };
  },
});
