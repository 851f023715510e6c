/**
 * exec: runs `command` (sprintf'd with each event) once per event, one after another, waiting for each
 * to finish, as logstash-output-exec 3.1. The command line runs as Ruby's Open3.popen3 runs it (through
 * `sh -c` when it needs a shell, see io/command.ts); field values are put in verbatim, so shell
 * metacharacters in them reach the shell, as upstream warns. The command's standard output is logged at
 * info level (unless `quiet`), and its standard output and error at debug level; it has no standard input.
 * A command that cannot be started is logged and the event counts as done: there is nothing to retry.
 */
import { compileSprintf } from '../event/sprintf.js';
import { exited, startCommand } from '../io/command.js';
import { defineOutput } from '../plugins/api.js';

const chomp = (s: string): string => s.replace(/(\r\n|\n|\r)$/, '');

export default defineOutput({
  name: 'exec',
  doc: 'Runs a command (sprintf allowed) for each event, waiting for it to finish; its output is logged unless `quiet`.',
  options: {
    codec: { type: 'codec', default: 'plain', doc: 'Accepted as in Logstash (default `plain`); events are not encoded.' },
    command: { type: 'string', required: true, doc: 'Command line to run for each event; may use `%{field}` (inserted verbatim: mind the shell).' },
    quiet: { type: 'boolean', default: false, doc: 'Do not log the command\'s standard output at info level.' },
  },
  create(options, ctx) {
    const format = compileSprintf(options.command);
    const failures = ctx.metrics.counter('failures');
    const runOne = async (cmd: string): Promise<void> => {
      ctx.logger.debug('running exec command', { command: cmd });
      const { child, started } = startCommand(cmd, ['ignore', 'pipe', 'pipe']);
      let out = '';
      let err = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
      child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; });
      const closed = new Promise<void>((r) => { child.once('close', () => r()); });
      try {
        await started;
      } catch (e) {
        failures.inc();
        ctx.logger.error('exec output: could not run command', { command: cmd, exception: (e as Error).message });
        return;
      }
      await Promise.all([exited(child), closed]);
      ctx.logger.debug('debugging command', { stdout: chomp(out), stderr: chomp(err) });
      if (!options.quiet) ctx.logger.info(chomp(out));
    };
    return {
      async receive(events) {
        for (const e of events) {
          let cmd: string;
          try { cmd = format(e); } catch (err) {
            failures.inc();
            ctx.logger.error('exec output: could not format command', { command: options.command, exception: (err as Error).message });
            continue;
          }
          await runOne(cmd);
        }
      },
    };
  },
});
