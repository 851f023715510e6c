import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { README_END, README_START, renderPluginReference, renderReadmePlugins } from '../src/plugins/docs.js';
import { pluginNames } from '../src/plugins/registry.js';

const root = join(import.meta.dirname, '..');

describe('docs/plugins.md', () => {
  it('is up to date with the plugins\' declarations (run `npm run build && node scripts/gen-plugin-docs.mjs`)', async () => {
    const committed = readFileSync(join(root, 'docs/plugins.md'), 'utf8');
    expect(committed).toBe(await renderPluginReference());
  });

  it('README.md holds the generated plugin table', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    expect(start).toBeGreaterThanOrEqual(0);
    expect(readme.slice(start, end + README_END.length)).toBe(await renderReadmePlugins());
  });

  it('documents every plugin and its options', async () => {
    const text = await renderPluginReference();
    for (const kind of ['input', 'filter', 'codec', 'output'] as const) {
      for (const name of pluginNames(kind)) expect(text).toContain(`### ${kind} ${name}\n`);
    }
    expect(text).toMatch(/\| `port` \| number \| +\| \*\*Required\.\*\*/);
  });
});
