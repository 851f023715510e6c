/** Every real plugin's declaration must be usable by the config compiler: its defaults pass its own rules. */
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../src/config/load.js';
import { pluginNames } from '../src/plugins/registry.js';

const settings = { ecs: 'v8' as const, supportEscapes: false, env: {} };

describe('plugin declarations', () => {
  for (const kind of ['input', 'filter', 'codec', 'output'] as const) {
    for (const name of pluginNames(kind)) {
      it(`${kind} ${name}: defaults are valid for their own option types`, async () => {
        const text = kind === 'codec' ? `output { stdout { codec => ${name} { } } }` : `${kind} { ${name} { } }`;
        const r = await loadPipeline({ text }, settings);
        // Missing required options, and a plugin's own refusal of an empty configuration (a date filter
        // without `match`), are expected here; anything else is a broken declaration.
        expect(r.diagnostics.filter((d) => d.code !== 'SLC_REQUIRED_OPTION' && d.code !== 'SLC_PLUGIN_CONFIG').map((d) => `${d.code}: ${d.message}`)).toEqual([]);
      });
    }
  }
});
