import { describe, expect, it } from 'vitest';
import { startProgress } from '../src/cli/progress.js';

function fakeTty(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const stream = { isTTY: true, write: (s: string) => { out += s; return true; } } as unknown as NodeJS.WriteStream;
  return { stream, text: () => out };
}

describe('progress counter', () => {
  it('redraws the number of events written in place and ends with a newline', async () => {
    const tty = fakeTty();
    let n = 0;
    const p = startProgress(() => n, { stream: tty.stream, force: true })!;
    n = 1234;
    await new Promise((r) => setTimeout(r, 300));
    n = 5000;
    p.stop();
    expect(tty.text()).toContain('\r\x1b[K  1,234 events written');
    expect(tty.text()).toMatch(/5,000 events written · [\d,]+\/s · \ds\n$/);
  });

  it('stays silent when stderr is not a terminal', () => {
    const stream = { isTTY: false, write: () => { throw new Error('must not write'); } } as unknown as NodeJS.WriteStream;
    expect(startProgress(() => 1, { stream })).toBeUndefined();
  });
});
