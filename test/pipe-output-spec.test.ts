/**
 * pipe output, ported from logstash-output-pipe spec/outputs/pipe_spec.rb (4.0.0), with real processes
 * instead of a stubbed PipeWrapper: what a command receives is what it writes to a temp file, and the
 * argv it was started with is what a small script records.
 * Not ported: "string command coerced to array" (4.0 runs a string command without a shell, so the whole
 * string is one program name): sluice keeps the string form of 3.x, the version Logstash 8 ships, which
 * runs it through `sh -c` (the README lists this).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Event } from '../src/event/event.js';
import pipeOutput from '../src/outputs/pipe.js';
import { PluginConfigError, type OutputInstance } from '../src/plugins/api.js';
import { waitFor } from './helpers/cli.js';
import { createPlugin, testContext } from './helpers/plugin-context.js';

const delivery = { signal: new AbortController().signal, attempt: 0 };

async function send(options: Record<string, unknown>, events: Event[]): Promise<void> {
  const out = await createPlugin(pipeOutput, options, testContext({}, 'output', 'pipe')) as OutputInstance;
  await out.receive(events, delivery);
  await out.close?.();
}

describe('pipe output (pipe_spec.rb)', () => {
  it('should register without errors', async () => {
    await expect(createPlugin(pipeOutput, { command: 'cmd' }, testContext({}, 'output', 'pipe'))).resolves.toBeDefined();
  });

  it('#send: sends the generated event to the pipe (its JSON, one line)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-out-'));
    const event = new Event({ message: 'This is a message!' });
    await send({ command: `cat > ${dir}/got` }, [event]);
    expect(readFileSync(join(dir, 'got'), 'utf8')).toBe(event.toJSON() + '\n');
  });

  describe('command resolution', () => {
    const payload = 'test_message; id > INJECTED; #';
    // Records its argv, one argument a line, and drains its input.
    const recorder = (dir: string): string => {
      const script = join(dir, 'argv.sh');
      writeFileSync(script, `for a in "$@"; do printf '%s\\n' "$a"; done > ${dir}/argv\ncat > /dev/null\n`);
      return script;
    };

    it('array command: each element resolved independently', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-out-'));
      await send({ command: ['sh', recorder(dir), '-t', '%{tag}', '--', '%{message}'] }, [new Event({ tag: 'audit', message: 'hello' })]);
      expect(readFileSync(join(dir, 'argv'), 'utf8')).toBe('-t\naudit\n--\nhello\n');
    });

    it('array command: a field value with shell metacharacters is one argument, never run', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-out-'));
      await send({ command: ['sh', recorder(dir), '%{message}'] }, [new Event({ message: payload })]);
      expect(readFileSync(join(dir, 'argv'), 'utf8')).toBe(`${payload}\n`);
      expect(existsSync(join(process.cwd(), 'INJECTED'))).toBe(false);
    });

    it('single-element array: the resolved string is the program name (no shell), so nothing is injected', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-out-'));
      const ctx = testContext({}, 'output', 'pipe');
      const out = await createPlugin(pipeOutput, { command: [`logger -t audit %{message} ${dir}`] }, ctx) as OutputInstance;
      const report = await out.receive([new Event({ message: payload })], delivery);
      await out.close?.();
      expect(report).toEqual({ dropped: [0] });
      expect(ctx.logs.some((l) => l.level === 'error' && l.msg === 'pipe output: could not start command')).toBe(true);
      expect(existsSync(join(process.cwd(), 'INJECTED'))).toBe(false);
    });
  });

  describe('validation', () => {
    it('raises ConfigurationError when command is an empty array', async () => {
      await expect(createPlugin(pipeOutput, { command: [] }, testContext({}, 'output', 'pipe'))).rejects.toThrow(PluginConfigError);
      await expect(createPlugin(pipeOutput, { command: [] }, testContext({}, 'output', 'pipe'))).rejects.toThrow("The 'command' setting must not be empty");
    });
  });
});

describe('pipe output: behaviour from the code beyond the spec', () => {
  it('message_format is sprintf\'d and followed by a newline; one process per distinct command', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-out-'));
    await send({ command: `cat >> ${dir}/%{app}.log`, message_format: '%{app}: %{message}' }, [
      new Event({ app: 'web', message: 'a' }), new Event({ app: 'db', message: 'b' }), new Event({ app: 'web', message: 'c' }),
    ]);
    expect(readFileSync(join(dir, 'web.log'), 'utf8')).toBe('web: a\nweb: c\n');
    expect(readFileSync(join(dir, 'db.log'), 'utf8')).toBe('db: b\n');
  });

  it('a process that exits is started again for the next event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-out-'));
    const out = await createPlugin(pipeOutput, { command: `head -n 1 >> ${dir}/got`, message_format: '%{n}' }, testContext({}, 'output', 'pipe')) as OutputInstance;
    await out.receive([new Event({ n: 1 })], delivery);
    await waitFor(() => existsSync(join(dir, 'got')) && readFileSync(join(dir, 'got'), 'utf8') === '1\n', 10_000, 'the first line');
    // head exits after one line: give the exit time to be seen, then the next event needs a new process.
    await new Promise((r) => setTimeout(r, 200));
    await out.receive([new Event({ n: 2 })], delivery);
    await out.close?.();
    await waitFor(() => readFileSync(join(dir, 'got'), 'utf8') === '1\n2\n', 10_000, 'the second line');
  });

  it('ttl closes a process whose input has been idle: the command sees the end of its input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-pipe-out-'));
    const out = await createPlugin(pipeOutput, { command: `cat > ${dir}/got; echo closed > ${dir}/closed`, ttl: 0.2 }, testContext({}, 'output', 'pipe')) as OutputInstance;
    await out.receive([new Event({ n: 1 })], delivery);
    await waitFor(() => existsSync(join(dir, 'closed')), 10_000, 'the idle pipe to be closed');
    await out.close?.();
  });
});
