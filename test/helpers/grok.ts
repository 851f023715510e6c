/**
 * Grok filters for tests, created as the runtime creates them: the options as a config writes them,
 * given the declarations' defaults and coercion (withDefaults), then the plugin's own create and check.
 */
import grok, { GrokFilter } from '../../src/filters/grok.js';
import type { PluginConfigError } from '../../src/plugins/api.js';
import { withDefaults } from '../../src/plugins/context.js';
import type { EcsMode } from '../../src/plugins/options.js';
import { testContext } from './plugin-context.js';

export async function grokFilter(options: Record<string, unknown>, ecs: EcsMode = 'disabled'): Promise<GrokFilter> {
  const f = await grok.create(withDefaults(grok, options), testContext({ ecs }, 'filter', 'grok'));
  if (!(f instanceof GrokFilter)) throw new Error('the grok plugin did not create a GrokFilter');
  return f;
}

/** What the config check (`sluice run -t`) reports for these options. */
export async function grokProblems(options: Record<string, unknown>, ecs: EcsMode = 'disabled'): Promise<PluginConfigError[]> {
  const check = grok.check;
  if (typeof check !== 'function') throw new Error('the grok plugin has no check function');
  return (await check(withDefaults(grok, options), { ecs, cwd: process.cwd() })) ?? [];
}
