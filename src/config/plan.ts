/**
 * What the config compiler hands to the runtime: every plugin resolved to its definition with its options
 * validated and coerced, and every conditional compiled to a closure. The runtime never sees the AST.
 */
import type { Event } from '../event/event.js';
import type { PluginDefinition } from '../plugins/api.js';

/** Options of a plugin as the compiler validated them (codec options hold a CodecPlan). */
export type PlanOptions = Record<string, unknown>;

/** A source position: 1-based line and column. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** A plugin as written in the config, ready to instantiate. */
export interface PluginPlan {
  kind: PluginDefinition['kind'];
  name: string;
  definition: PluginDefinition;
  /**
   * Options validated and coerced by Logstash's rules, defaults filled in (common options included).
   * A `codec` option holds a CodecPlan (or is absent, and the plugin picks its default codec).
   */
  options: PlanOptions;
  /** `id` option, or `<name>_<n>` generated in config order. */
  id: string;
  location: SourceLocation;
}

export interface CodecPlan {
  name: string;
  definition: PluginDefinition;
  options: PlanOptions;
  location: SourceLocation;
}

/** A compiled condition: `if [status] == 200 and "x" in [tags]`. */
export type Condition = (event: Event) => boolean;

/** A step in the filter or output section: a plugin, or an if/else-if/else chain. */
export type Step =
  | { type: 'plugin'; plugin: PluginPlan }
  | { type: 'if'; branches: { condition: Condition | null; steps: Step[]; location: SourceLocation }[] };

export interface PipelinePlan {
  inputs: PluginPlan[];
  /** Filter sections of every file, chained in file order. */
  filters: Step[];
  /** Output sections of every file; every event reaches every output section. */
  outputs: Step[];
}

export function isCodecPlan(v: unknown): v is CodecPlan {
  return typeof v === 'object' && v !== null && 'definition' in v && (v as CodecPlan).definition.kind === 'codec';
}
