/**
 * How plugins declare their options: once, as data. Validation, Logstash's coercions, error messages,
 * the generated option reference (docs/plugins.md) and the TypeScript type of the options object a
 * plugin receives (`OptionsOf<…>`) all come from these declarations.
 *
 * Types follow Logstash's `config :name, :validate => …` validators. Declare a plugin's options inline in
 * `defineInput({ options: { … } })` (or with `defineOptions` when they are shared), so their literal types
 * are kept and the plugin's `create` gets a typed object without a cast.
 */
import type { LsFloat } from '../event/values.js';
import type { CodecInstance } from './api.js';

export type OptionType =
  | 'string' | 'number' | 'boolean' | 'array' | 'hash' | 'codec' | 'password' | 'path' | 'uri'
  | 'bytes' | 'duration' | 'field_reference' | 'any';

export interface OptionSpec {
  readonly type: OptionType;
  /** One line of documentation, shown in the option reference. */
  readonly doc: string;
  readonly default?: unknown;
  readonly required?: boolean;
  /** Logstash `:list => true`: a scalar is accepted and wrapped in a one-element array. */
  readonly list?: boolean;
  /** Allowed values (Logstash `:validate => [..]`). */
  readonly values?: readonly (string | number | boolean)[];
  /**
   * For `duration` options: the unit of a bare number (Logstash's FriendlyDurations, `seconds` by
   * default). The plugin receives seconds either way.
   */
  readonly unit?: 'seconds' | 'days';
  /** Still accepted, with a warning at start-up. */
  readonly deprecated?: string;
  /** No longer accepted: using it is a config error with this message. */
  readonly obsolete?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** A value as a config writes it, after literals and coercion: what array items and hash values hold. */
export type ConfigValue = string | number | bigint | boolean | LsFloat | ConfigValue[] | { [key: string]: ConfigValue };

/** The value a plugin receives for one validator type (before `list` and `values` narrow it). */
interface ValueOfType {
  string: string;
  number: number;
  boolean: boolean;
  array: ConfigValue[];
  hash: Record<string, ConfigValue>;
  codec: CodecInstance;
  password: string;
  path: string;
  uri: string;
  bytes: number;
  duration: number;
  field_reference: string;
  any: ConfigValue;
}

type Scalar<S extends OptionSpec> = S extends { readonly values: readonly (infer V)[] } ? V : ValueOfType[S['type']];

/** The type of one declared option's value. A `list` of `array` is a plain array of items. */
export type OptionValue<S extends OptionSpec> =
  S extends { readonly list: true }
    ? (S['type'] extends 'array' ? (S extends { readonly values: readonly (infer V)[] } ? V[] : ConfigValue[]) : Scalar<S>[])
    : Scalar<S>;

/**
 * Options that always have a value: required ones and those with a default. A `codec` with a default is
 * created from it when the config sets none; one without a default is absent then, for the plugin to choose.
 */
type Present<S extends OptionSpecs> = {
  [K in keyof S]: S[K] extends { readonly obsolete: string } ? never
    : S[K] extends { readonly required: true } ? K
      : S[K] extends { readonly default: unknown } ? K : never
}[keyof S];

type Absent<S extends OptionSpecs> = {
  [K in keyof S]: S[K] extends { readonly obsolete: string } ? never : K extends Present<S> ? never : K
}[keyof S];

type Flatten<T> = { [K in keyof T]: T[K] };

/** The options object a plugin receives: validated, coerced, defaults filled in, codecs created. */
export type OptionsOf<S extends OptionSpecs> = Flatten<
  { readonly [K in Present<S>]: OptionValue<S[K]> } & { readonly [K in Absent<S>]?: OptionValue<S[K]> }
>;

/** Keeps the literal types of a shared group of declarations (spread it into a plugin's options). */
export function defineOptions<const S extends OptionSpecs>(specs: S): S { return specs; }

export { ECS_VALUES, type EcsMode } from '../event/ecs.js';
import { ECS_VALUES } from '../event/ecs.js';

const ECS_OPTION = { type: 'string', values: ECS_VALUES, doc: 'ECS field names: disabled, v1 or v8 (defaults to the pipeline setting).' } as const;
const ID_OPTION = { type: 'string', doc: 'Unique id of this plugin instance (monitoring, logs).' } as const;
const METRIC_OPTION = { type: 'boolean', default: true, doc: 'Collect metrics for this plugin.' } as const;

/** Options every input has (Logstash's LogStash::Inputs::Base). */
export const COMMON_INPUT_OPTIONS = defineOptions({
  type: { type: 'string', doc: 'Value of the `type` field added to every event (not overwritten when present).' },
  tags: { type: 'array', doc: 'Tags added to every event.' },
  add_field: { type: 'hash', default: {}, doc: 'Fields added to every event (sprintf allowed).' },
  codec: { type: 'codec', doc: 'Codec decoding the input\'s data (default depends on the input).' },
  id: ID_OPTION,
  enable_metric: METRIC_OPTION,
  ecs_compatibility: ECS_OPTION,
});

/** Options every filter has (Logstash's LogStash::Filters::Base); applied only when the filter succeeds. */
export const COMMON_FILTER_OPTIONS = defineOptions({
  add_field: { type: 'hash', default: {}, doc: 'Fields added on success (sprintf in names and values).' },
  add_tag: { type: 'array', default: [], doc: 'Tags added on success (sprintf allowed).' },
  remove_field: { type: 'array', default: [], doc: 'Fields removed on success (sprintf allowed).' },
  remove_tag: { type: 'array', default: [], doc: 'Tags removed on success (sprintf allowed).' },
  id: ID_OPTION,
  enable_metric: METRIC_OPTION,
  periodic_flush: { type: 'boolean', default: false, doc: 'Call the filter\'s flush method at regular intervals.' },
  ecs_compatibility: ECS_OPTION,
});

/** Options every output has. */
export const COMMON_OUTPUT_OPTIONS = defineOptions({
  codec: { type: 'codec', doc: 'Codec encoding events (default depends on the output).' },
  id: ID_OPTION,
  enable_metric: METRIC_OPTION,
  workers: { type: 'number', default: 1, doc: 'Obsolete in Logstash 8; accepted and ignored.' },
  ecs_compatibility: ECS_OPTION,
});

/** Options every codec has. */
export const COMMON_CODEC_OPTIONS = defineOptions({
  id: { type: 'string', doc: 'Unique id of this codec instance.' },
  enable_metric: METRIC_OPTION,
  ecs_compatibility: ECS_OPTION,
});
