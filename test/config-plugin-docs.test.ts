import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderPluginReference } from '../src/config/plugin-docs.js';
import { pluginNames } from '../src/plugins/registry.js';

const root = join(import.meta.dirname, '..');

describe('docs/plugins.md', () => {
  it('is up to date with the plugins\' declarations (run `npm run build && node scripts/gen-plugin-docs.mjs`)', async () => {
    const committed = readFileSync(join(root, 'docs/plugins.md'), 'utf8');
    expect(committed).toBe(await renderPluginReference());
  });

  it('documents every plugin and its options', async () => {
    const text = await renderPluginReference();
    for (const kind of ['input', 'filter', 'codec', 'output'] as const) {
      for (const name of pluginNames(kind)) expect(text).toContain(`### ${kind} ${name}\n`);
    }
    expect(text).toMatch(/\| `port` \| number \| +\| \*\*Required\.\*\*/);
  });
});
