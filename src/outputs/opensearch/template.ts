/**
 * The index templates the opensearch output installs with `manage_template`, as logstash-output-opensearch
 * ships them (lib/logstash/outputs/opensearch/templates/): with ECS disabled, the `logstash-*` template
 * (identical for OpenSearch 1.x, 2.x and OpenDistro/ES 7.x) copied exactly, as a legacy template
 * (`_template`, `legacy_template => true`, the default) or an index template (`_index_template`). With ECS
 * (v1, v8) the plugin installs the 150 kB ECS 8.0.0 template for `ecs-logstash-*`; sluice installs its
 * header (settings, `strings_as_keyword`, `date_detection: false`) with `@timestamp` only, not every ECS field.
 */
import { LOGSTASH_TEMPLATE_MAPPINGS } from '../elasticsearch/template.js';

const MAPPINGS = LOGSTASH_TEMPLATE_MAPPINGS;

const ECS_MAPPINGS = {
  _meta: { version: '8.0.0' },
  date_detection: false,
  dynamic_templates: [{ strings_as_keyword: { mapping: { ignore_above: 1024, type: 'keyword' }, match_mapping_type: 'string' } }],
  properties: { '@timestamp': { type: 'date' } },
};
const ECS_SETTINGS = { index: { mapping: { total_fields: { limit: 10000 } }, refresh_interval: '5s' } };

export function defaultTemplate(ecs: boolean, legacy: boolean): Record<string, unknown> {
  if (ecs) {
    return legacy
      ? { index_patterns: ['ecs-logstash-*'], order: 1, settings: ECS_SETTINGS, mappings: ECS_MAPPINGS }
      : { index_patterns: ['ecs-logstash-*'], priority: 10, template: { settings: ECS_SETTINGS, mappings: ECS_MAPPINGS } };
  }
  const settings = { 'index.refresh_interval': '5s', number_of_shards: 1 };
  return legacy
    ? { index_patterns: 'logstash-*', version: 60001, settings, mappings: structuredClone(MAPPINGS) }
    : { index_patterns: 'logstash-*', version: 60001, priority: 10, template: { settings, mappings: structuredClone(MAPPINGS) } };
}
