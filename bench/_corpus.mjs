// Benchmark corpora: real logs vendored in fixtures/data (sources in its README), repeated to the size asked.
import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/data/', import.meta.url);

export function corpus(name, count) {
  const base = readFileSync(new URL(name, dir), 'utf8').split('\n').filter(Boolean);
  const out = [];
  while (out.length < count) out.push(...base.slice(0, count - out.length));
  return out;
}
