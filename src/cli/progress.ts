/**
 * A live counter on stderr for long runs in a terminal (`sluice run -f x.conf < big.log > out.ndjson`):
 * events written and the current rate, redrawn in place. Shown only when stderr is a terminal and stdout
 * is not (events printed on the terminal would be garbled by it).
 */
export interface Progress { stop(): void }

export function startProgress(count: () => number, opts: { stream?: NodeJS.WriteStream; force?: boolean } = {}): Progress | undefined {
  const stream = opts.stream ?? process.stderr;
  if (!opts.force && (!stream.isTTY || process.stdout.isTTY || process.env.CI)) return undefined;
  const started = Date.now();
  let lastCount = 0;
  let lastTime = started;
  const draw = (): void => {
    const now = Date.now();
    const n = count();
    const rate = now > lastTime ? Math.round(((n - lastCount) * 1000) / (now - lastTime)) : 0;
    lastCount = n;
    lastTime = now;
    const secs = ((now - started) / 1000).toFixed(0);
    stream.write(`\r\x1b[K  ${n.toLocaleString('en-US')} events written · ${rate.toLocaleString('en-US')}/s · ${secs}s`);
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      draw();
      stream.write('\n');
    },
  };
}
