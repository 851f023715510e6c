/**
 * Stack-trace presets: `preset => "java"` (or python, go, ruby, nodejs, dotnet, or several of them, or
 * `stacktraces` for all) joins that language's exceptions and tracebacks without a regex.
 */
import { dotnet } from './dotnet.js';
import { go } from './go.js';
import { java } from './java.js';
import { nodejs } from './nodejs.js';
import { python } from './python.js';
import { ruby } from './ruby.js';
import type { Dialect, DialectName } from './types.js';

export { PresetJoiner } from './engine.js';
export type { Dialect, DialectName, StartKind, Step, TraceState } from './types.js';

/** In the order they are tried when several are enabled (Java's strict frames before .NET's loose ones). */
export const DIALECTS: readonly Dialect[] = [java, python, go, ruby, nodejs, dotnet];

export const ALL_PRESET = 'stacktraces';
export const PRESET_NAMES: readonly string[] = [...DIALECTS.map((d) => d.name), ALL_PRESET];

export class PresetError extends Error {}

/** The dialects for the names given in `preset` (deduplicated, in DIALECTS order). */
export function resolvePreset(names: readonly string[]): Dialect[] {
  if (names.length === 0) throw new PresetError('preset needs at least one name');
  const wanted = new Set<string>();
  for (const n of names) {
    if (n === ALL_PRESET) for (const d of DIALECTS) wanted.add(d.name);
    else if (DIALECTS.some((d) => d.name === n)) wanted.add(n);
    else throw new PresetError(`unknown preset "${n}"; expected one of ${PRESET_NAMES.join(', ')}`);
  }
  return DIALECTS.filter((d) => wanted.has(d.name as DialectName));
}
