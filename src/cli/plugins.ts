/**
 * `sluice plugins list`: the plugins this build has, named as `bin/logstash-plugin list` names them
 * (`logstash-input-tcp`), so scripts that check for a plugin keep working. `--verbose` adds the version
 * (sluice's own: every plugin ships with it), `--group input|filter|codec|output` keeps one kind, and a
 * name argument keeps the plugins whose name contains it, as logstash-plugin does.
 */
import { parseArgs } from 'node:util';
import type { PluginKind } from '../plugins/api.js';
import { PLUGIN_KINDS, pluginNames } from '../plugins/registry.js';
import { sluiceVersion } from '../services/package.js';

const HELP = `Usage: sluice plugins list [NAME] [--verbose] [--group input|filter|codec|output]

  NAME                 only plugins whose name contains NAME
  --verbose            also print each plugin's version
  --group KIND         only plugins of one kind
  -h, --help           this help
`;

export async function pluginsCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { verbose: { type: 'boolean' }, group: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (err) {
    process.stderr.write(`sluice plugins: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [sub, filter, ...extra] = positionals;
  if (values.help || sub === undefined) { process.stdout.write(HELP); return sub === undefined && !values.help ? 2 : 0; }
  if (sub !== 'list' || extra.length > 0) {
    process.stderr.write(`sluice plugins: unknown command "${positionals.join(' ')}" (only \`list\` is supported: plugins are built in)\n\n${HELP}`);
    return 2;
  }
  const group = values.group;
  if (group !== undefined && !(PLUGIN_KINDS as readonly string[]).includes(group)) {
    process.stderr.write(`sluice plugins: --group must be one of ${PLUGIN_KINDS.join(', ')}, got "${group}"\n`);
    return 2;
  }
  const kinds = group === undefined ? PLUGIN_KINDS : [group as PluginKind];
  const names = kinds.flatMap((kind) => pluginNames(kind).map((name) => `logstash-${kind}-${name}`))
    .filter((full) => filter === undefined || full.includes(filter))
    .sort();
  const version = sluiceVersion();
  process.stdout.write(names.map((n) => (values.verbose ? `${n} (${version})` : n)).join('\n') + (names.length ? '\n' : ''));
  return 0;
}
