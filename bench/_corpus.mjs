// Benchmark corpora: real logs vendored in fixtures/data (sources in its README), repeated to the size asked.
import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/data/', import.meta.url);

export function corpus(name, count) {
  const base = readFileSync(new URL(name, dir), 'utf8').split('\n').filter(Boolean);
  const out = [];
  while (out.length < count) out.push(...base.slice(0, count - out.length));
  return out;
}

/**
 * The Node flags `sluice` runs with (from bin/sluice.js's `#!/usr/bin/env -S node …` line), so that a bench
 * spawning `node bin/sluice.js` measures what the `sluice` command does.
 */
export const SLUICE_NODE_FLAGS = (() => {
  const first = readFileSync(new URL('../bin/sluice.js', import.meta.url), 'utf8').split('\n', 1)[0];
  const m = /^#!\S*env -S node(.*)$/.exec(first);
  return m ? m[1].trim().split(/\s+/).filter(Boolean) : [];
})();
