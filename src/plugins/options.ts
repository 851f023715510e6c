/**
 * How plugins declare their options: once, as data. Validation, Logstash's coercions, error messages
 * and the generated option reference (docs/plugins.md) all come from these declarations.
 *
 * Types follow Logstash's `config :name, :validate => …` validators.
 */
export type OptionType =
  | 'string' | 'number' | 'boolean' | 'array' | 'hash' | 'codec' | 'password' | 'path' | 'uri'
  | 'bytes' | 'field_reference' | 'any';

export interface OptionSpec {
  type: OptionType;
  /** One line of documentation, shown in the option reference. */
  doc: string;
  default?: unknown;
  required?: boolean;
  /** Logstash `:list => true`: a scalar is accepted and wrapped in a one-element array. */
  list?: boolean;
  /** Allowed values (Logstash `:validate => [..]`). */
  values?: readonly (string | number | boolean)[];
  /** Still accepted, with a warning at start-up. */
  deprecated?: string;
  /** No longer accepted: using it is a config error with this message. */
  obsolete?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** ECS compatibility modes; `v8` is Logstash 8's pipeline default. */
export type EcsMode = 'disabled' | 'v1' | 'v8';
export const ECS_VALUES = ['disabled', 'v1', 'v8'] as const;

/** Options every input has (Logstash's LogStash::Inputs::Base). */
export const COMMON_INPUT_OPTIONS: OptionSpecs = {
  type: { type: 'string', doc: 'Value of the `type` field added to every event (not overwritten when present).' },
  tags: { type: 'array', doc: 'Tags added to every event.' },
  add_field: { type: 'hash', default: {}, doc: 'Fields added to every event (sprintf allowed).' },
  codec: { type: 'codec', doc: 'Codec decoding the input\'s data (default depends on the input).' },
  id: { type: 'string', doc: 'Unique id of this plugin instance (monitoring, logs).' },
  enable_metric: { type: 'boolean', default: true, doc: 'Collect metrics for this plugin.' },
  ecs_compatibility: { type: 'string', values: ECS_VALUES, doc: 'ECS field names: disabled, v1 or v8 (defaults to the pipeline setting).' },
};

/** Options every filter has (Logstash's LogStash::Filters::Base); applied only when the filter succeeds. */
export const COMMON_FILTER_OPTIONS: OptionSpecs = {
  add_field: { type: 'hash', default: {}, doc: 'Fields added on success (sprintf in names and values).' },
  add_tag: { type: 'array', default: [], doc: 'Tags added on success (sprintf allowed).' },
  remove_field: { type: 'array', default: [], doc: 'Fields removed on success (sprintf allowed).' },
  remove_tag: { type: 'array', default: [], doc: 'Tags removed on success (sprintf allowed).' },
  id: { type: 'string', doc: 'Unique id of this plugin instance (monitoring, logs).' },
  enable_metric: { type: 'boolean', default: true, doc: 'Collect metrics for this plugin.' },
  periodic_flush: { type: 'boolean', default: false, doc: 'Call the filter\'s flush method at regular intervals.' },
  ecs_compatibility: { type: 'string', values: ECS_VALUES, doc: 'ECS field names: disabled, v1 or v8 (defaults to the pipeline setting).' },
};

/** Options every output has. */
export const COMMON_OUTPUT_OPTIONS: OptionSpecs = {
  codec: { type: 'codec', doc: 'Codec encoding events (default depends on the output).' },
  id: { type: 'string', doc: 'Unique id of this plugin instance (monitoring, logs).' },
  enable_metric: { type: 'boolean', default: true, doc: 'Collect metrics for this plugin.' },
  workers: { type: 'number', default: 1, doc: 'Obsolete in Logstash 8; accepted and ignored.' },
  ecs_compatibility: { type: 'string', values: ECS_VALUES, doc: 'ECS field names: disabled, v1 or v8 (defaults to the pipeline setting).' },
};

/** Options every codec has. */
export const COMMON_CODEC_OPTIONS: OptionSpecs = {
  id: { type: 'string', doc: 'Unique id of this codec instance.' },
  enable_metric: { type: 'boolean', default: true, doc: 'Collect metrics for this plugin.' },
  ecs_compatibility: { type: 'string', values: ECS_VALUES, doc: 'ECS field names: disabled, v1 or v8 (defaults to the pipeline setting).' },
};
