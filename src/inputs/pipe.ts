/**
 * pipe: runs a long-running `command` and reads its standard output a line at a time, as
 * logstash-input-pipe 3.1: each line, its end of line removed, is decoded by the codec (default `plain`,
 * one event per line; `multiline` joins lines). When the command exits (or cannot be started) it is run
 * again 10 seconds later, for as long as the pipeline runs. Each event gets, unless it has them already,
 * `host` and `command` (ECS disabled) or `[host][name]` and `[process][command_line]` (ECS v1, v8).
 *
 * The command line runs as Ruby's IO.popen runs it (through `sh -c` when it needs a shell, see
 * io/command.ts), with no standard input; its standard error goes to sluice's. Stopping the pipeline
 * kills it (SIGKILL, as upstream), and whatever it started (it runs in a process group of its own).
 */
import type { ChildProcess } from 'node:child_process';
import { hostname } from 'node:os';
import type { Event } from '../event/event.js';
import { exited, killGroup, startCommand } from '../io/command.js';
import { defineInput, type InputSink } from '../plugins/api.js';
import { fieldStamper } from '../plugins/stamp.js';

/** Upstream sleeps this long (Stud.stoppable_sleep(10)) before running an exited command again. */
const RESTART_DELAY_MS = 10_000;

/** Ruby's String#chomp: one trailing `\r\n`, `\n` or `\r`. */
function chompBytes(b: Buffer): Buffer {
  let n = b.length;
  if (n > 0 && b[n - 1] === 10) n--;
  if (n > 0 && b[n - 1] === 13) n--;
  return n === b.length ? b : b.subarray(0, n);
}

export default defineInput({
  name: 'pipe',
  doc: 'Runs a long-running command and reads events from its standard output, one line at a time; the command is run again when it exits.',
  options: {
    codec: { type: 'codec', default: 'plain', doc: 'Codec decoding each line (default `plain`).' },
    command: { type: 'string', required: true, doc: 'Command to run and read from, e.g. `tail -F /var/log/app.log`.' },
  },
  create(options, ctx) {
    const { codec, command } = options;
    const legacy = ctx.ecs === 'disabled';
    const hostField = legacy ? 'host' : '[host][name]';
    const commandField = legacy ? 'command' : '[process][command_line]';
    const host = hostname();
    const stamp = fieldStamper(ctx.logger);
    const addFields = (e: Event): void => {
      if (!e.includes(hostField)) stamp(e, hostField, host, true);
      if (!e.includes(commandField)) stamp(e, commandField, command, true);
    };
    let stopped = false;
    let child: ChildProcess | undefined;
    let wake: (() => void) | undefined;
    let onStop!: () => void;
    const stopSignal = new Promise<void>((r) => { onStop = r; });

    /** One run of the command, until it exits (or is killed by stop()). */
    const runOnce = async (sink: InputSink): Promise<void> => {
      const started = startCommand(command, ['ignore', 'pipe', 'inherit'], { group: true });
      child = started.child;
      const proc = child;
      const stdout = proc.stdout!;
      let paused = false;
      const emit = (e: Event): void => {
        addFields(e);
        if (!sink.push(e) && !paused) {
          paused = true;
          stdout.pause();
          void sink.drained().then(() => { paused = false; if (!stopped) stdout.resume(); });
        }
      };
      const decoder = codec.decoder(emit, { key: `pipe:${command}` });
      const onLine = (line: Buffer): void => {
        const bytes = chompBytes(line);
        ctx.logger.debug('Received line', { command, line: bytes.toString('utf8') });
        if (decoder.line !== undefined) decoder.line(bytes);
        else if (codec.decodeFrame !== undefined) codec.decodeFrame(bytes, emit);
        else decoder.push(bytes);
      };
      let pending: Buffer = Buffer.alloc(0);
      stdout.on('data', (chunk: Buffer) => {
        let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
        let nl: number;
        while ((nl = buf.indexOf(10)) >= 0) {
          onLine(buf.subarray(0, nl + 1));
          buf = buf.subarray(nl + 1);
        }
        pending = Buffer.from(buf);
      });
      const outputDone = new Promise<void>((r) => { stdout.once('close', () => r()); });
      try {
        await started.started;
        // Once stopped, what the killed command's children still hold open is not waited for.
        await Promise.race([Promise.all([exited(proc), outputDone]), stopSignal]);
      } catch (err) {
        ctx.logger.error('Exception while running command', { command, exception: (err as Error).message });
      } finally {
        child = undefined;
      }
      // Ruby's IO#each yields a last line that has no newline too.
      if (pending.length > 0) onLine(pending);
      decoder.end();
    };

    return {
      async run(sink) {
        while (!stopped && !sink.stopping) {
          await runOnce(sink);
          if (stopped || sink.stopping) return;
          await new Promise<void>((resolve) => {
            const t = setTimeout(() => { wake = undefined; resolve(); }, RESTART_DELAY_MS);
            wake = () => { clearTimeout(t); wake = undefined; resolve(); };
          });
        }
      },
      stop() {
        stopped = true;
        wake?.();
        onStop();
        if (child) killGroup(child, 'SIGKILL');
      },
    };
  },
});
