/**
 * The index template the elasticsearch output installs with `manage_template` (not for data streams):
 * Logstash's default template for the index pattern `logstash-*` (`ecs-logstash-*` with ECS), strings as
 * text with a `keyword` sub-field, `@timestamp` a date, `@version` a keyword. Elasticsearch 8 gets a
 * composable template (`_index_template`), 7 a legacy one (`_template`), as `template_api => auto` does.
 * This is a condensed form of the plugin's shipped templates (the ECS one maps the ECS fields too).
 */
/** The mappings of Logstash's `logstash-*` template (the opensearch output's is the same). */
export const LOGSTASH_TEMPLATE_MAPPINGS = {
  dynamic_templates: [
    { message_field: { path_match: 'message', match_mapping_type: 'string', mapping: { type: 'text', norms: false } } },
    { string_fields: { match: '*', match_mapping_type: 'string', mapping: { type: 'text', norms: false, fields: { keyword: { type: 'keyword', ignore_above: 256 } } } } },
  ],
  properties: {
    '@timestamp': { type: 'date' },
    '@version': { type: 'keyword' },
    geoip: { dynamic: true, properties: { ip: { type: 'ip' }, location: { type: 'geo_point' }, latitude: { type: 'half_float' }, longitude: { type: 'half_float' } } },
  },
};

export function defaultTemplate(indexPattern: string, composable: boolean): Record<string, unknown> {
  const mappings = structuredClone(LOGSTASH_TEMPLATE_MAPPINGS);
  const settings = { index: { refresh_interval: '5s', number_of_shards: 1 } };
  if (composable) {
    return { index_patterns: [indexPattern], version: 80001, priority: 200, template: { settings, mappings } };
  }
  return { index_patterns: [indexPattern], version: 60001, settings, mappings };
}
