/**
 * environment: copies environment variables into `[@metadata]`, as logstash-filter-environment 3.0 does.
 * `add_metadata_from_env => { "field" => "VAR" }` sets `[@metadata][field]` to the variable's value, or to
 * null when it is not set. The variables are read for every event (Ruby's ENV[]). Always succeeds.
 */
import { toS } from '../event/ruby.js';
import { defineFilter } from '../plugins/api.js';

export default defineFilter({
  name: 'environment',
  doc: 'Stores the values of environment variables in `[@metadata]` fields.',
  options: {
    add_metadata_from_env: { type: 'hash', default: {}, doc: 'Map of `[@metadata]` field name to environment variable name.' },
    add_field_from_env: { type: 'hash', obsolete: 'add_field_from_env was replaced by add_metadata_from_env in logstash-filter-environment 3.0: the values now go to [@metadata][name]', doc: 'Obsolete: use `add_metadata_from_env`.' },
  },
  create(o) {
    const pairs = Object.entries(o.add_metadata_from_env).map(([field, env]): [string[], string] => [['@metadata', field], toS(env)]);
    return {
      filter(event) {
        for (const [path, env] of pairs) event.set(path, process.env[env] ?? null);
        return true;
      },
    };
  },
});
