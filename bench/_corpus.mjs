// Benchmark corpora: real logs from ../shared/data (next to the checkout), repeated to the size asked.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const places = [join(root, '..', 'shared', 'data'), join(root, 'fixtures', 'data')];

export function corpus(name, count) {
  const dir = places.find((d) => existsSync(join(d, name)));
  if (!dir) throw new Error(`corpus ${name} not found in ${places.join(' or ')}`);
  const base = readFileSync(join(dir, name), 'utf8').split('\n').filter(Boolean);
  const out = [];
  while (out.length < count) out.push(...base.slice(0, count - out.length));
  return out;
}
