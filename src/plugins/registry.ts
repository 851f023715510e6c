/**
 * Finds plugins by name. The plugin index (src/plugins/generated/index.ts) is generated at build time from
 * the plugin modules under src/, so nothing is scanned at run time and a config imports only the plugins it
 * uses. Tests and embedders can register further definitions in code.
 */
import type { PluginDefinition, PluginKind } from './api.js';
import { PLUGIN_INDEX } from './generated/index.js';

export const PLUGIN_KINDS: readonly PluginKind[] = ['input', 'filter', 'codec', 'output'];

/** Definitions registered in code (tests, embedders), by kind and name. */
const registered = new Map<PluginKind, Map<string, PluginDefinition>>();

/** Names of every plugin of a kind (for suggestions, `sluice plugins list` and the option reference). */
export function pluginNames(kind: PluginKind): string[] {
  const names = new Set(Object.keys(PLUGIN_INDEX[kind]));
  for (const name of registered.get(kind)?.keys() ?? []) names.add(name);
  return [...names].sort();
}

const loaded = new Map<string, Promise<PluginDefinition | undefined>>();

/**
 * Make a definition loadable without a module file (tests use fake plugins this way). It takes precedence
 * over a module of the same name. Returns a function that removes it again.
 */
export function registerPlugin(def: PluginDefinition): () => void {
  let byName = registered.get(def.kind);
  if (!byName) registered.set(def.kind, (byName = new Map()));
  byName.set(def.name, def);
  return () => {
    if (registered.get(def.kind)?.get(def.name) === def) registered.get(def.kind)!.delete(def.name);
  };
}

/** Load a plugin's definition, or undefined when no such plugin exists. */
export function loadPlugin<K extends PluginKind>(kind: K, name: string): Promise<PluginDefinition<K> | undefined> {
  const own = registered.get(kind)?.get(name);
  if (own) return Promise.resolve(own as PluginDefinition<K>);
  const key = `${kind}:${name}`;
  let p = loaded.get(key);
  if (!p) {
    const load = Object.prototype.hasOwnProperty.call(PLUGIN_INDEX[kind], name) ? PLUGIN_INDEX[kind][name] : undefined;
    p = load === undefined
      ? Promise.resolve(undefined)
      : load().then((mod) => {
        const def = mod.default;
        if (!def || def.kind !== kind) throw new Error(`the module of ${kind} \`${name}\` does not default-export a ${kind} definition`);
        return def;
      });
    loaded.set(key, p);
  }
  return p as Promise<PluginDefinition<K> | undefined>;
}
