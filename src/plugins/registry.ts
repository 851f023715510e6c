/**
 * Finds plugins by name. Each plugin is a module under src/<kind>s/ named as users write it, so the
 * registry discovers them from the directory listing (no central list to keep in sync) and imports
 * only the plugins a config uses.
 */
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import type { PluginDefinition, PluginKind } from './api.js';
import { COMMON_CODEC_OPTIONS, COMMON_FILTER_OPTIONS, COMMON_INPUT_OPTIONS, COMMON_OUTPUT_OPTIONS, type OptionSpecs } from './options.js';

const srcRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const MODULE_EXT = /\.(js|ts)$/;
const NOT_PLUGIN = /(\.d\.ts|\.test\.ts|\.map)$/;

const listing = new Map<PluginKind, Map<string, string>>();

/** Plugin name → module file, for one kind. */
function modules(kind: PluginKind): Map<string, string> {
  let m = listing.get(kind);
  if (m) return m;
  m = new Map();
  const dir = join(srcRoot, `${kind}s`);
  let entries: string[] = [];
  try { entries = readdirSync(dir); } catch { /* no plugins of this kind yet */ }
  for (const entry of entries.sort()) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) {
      for (const idx of ['index.js', 'index.ts']) {
        try { statSync(join(full, idx)); m.set(entry, join(full, idx)); break; } catch { /* next */ }
      }
    } else if (MODULE_EXT.test(entry) && !NOT_PLUGIN.test(entry) && !entry.startsWith('_')) {
      const name = entry.replace(MODULE_EXT, '');
      if (!m.has(name)) m.set(name, full);
    }
  }
  listing.set(kind, m);
  return m;
}

/** Definitions registered in code (tests, embedders), by kind and name. */
const registered = new Map<PluginKind, Map<string, PluginDefinition>>();

/** Names of every plugin of a kind (for suggestions and the option reference). */
export function pluginNames(kind: PluginKind): string[] {
  const names = new Set(modules(kind).keys());
  for (const name of registered.get(kind)?.keys() ?? []) names.add(name);
  return [...names];
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
  const key = `${def.kind}:${def.name}`;
  loaded.delete(key);
  return () => {
    if (registered.get(def.kind)?.get(def.name) === def) registered.get(def.kind)!.delete(def.name);
    loaded.delete(key);
  };
}

/** Load a plugin's definition, or undefined when no such plugin exists. */
export function loadPlugin(kind: PluginKind, name: string): Promise<PluginDefinition | undefined> {
  const key = `${kind}:${name}`;
  let p = loaded.get(key);
  if (!p) {
    const own = registered.get(kind)?.get(name);
    if (own) return Promise.resolve(own);
    const file = modules(kind).get(name);
    p = file === undefined
      ? Promise.resolve(undefined)
      : import(pathToFileURL(file).href).then((mod: { default: PluginDefinition }) => {
        const def = mod.default;
        if (!def || def.kind !== kind) throw new Error(`${file} does not default-export a ${kind} definition`);
        return def;
      });
    loaded.set(key, p);
  }
  return p;
}

/** The plugin's own options plus the common options of its kind. */
export function allOptions(def: PluginDefinition): OptionSpecs {
  const common = { input: COMMON_INPUT_OPTIONS, filter: COMMON_FILTER_OPTIONS, codec: COMMON_CODEC_OPTIONS, output: COMMON_OUTPUT_OPTIONS }[def.kind];
  return { ...common, ...def.options };
}
