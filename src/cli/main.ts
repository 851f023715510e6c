/**
 * `sluice <command>`: run, test, grok. Each command lives in src/cli/<command>.ts and exports
 * `<command>Command(argv): Promise<number>` returning the exit code; it is loaded only when used so
 * `sluice run -t` stays fast.
 */
import { sluiceVersion } from '../services/package.js';

const COMMANDS: Record<string, string> = {
  run: 'Run a pipeline (Logstash flags: -f, -e, -w, -b, -u, -t, --log.level, ...).',
  test: 'Test a pipeline against fixture cases (logstash-filter-verifier format).',
  grok: 'Try a grok pattern on lines and see why a line does not match.',
  plugins: 'List the plugins (`sluice plugins list [--verbose] [--group KIND]`, as bin/logstash-plugin list).',
};

export const version = sluiceVersion;

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, doc]) => `  ${name.padEnd(8)} ${doc}`);
  return `sluice ${version()} — a Logstash-compatible log pipeline engine

Usage: sluice <command> [options]

Commands:
${lines.join('\n')}

Run \`sluice <command> --help\` for a command's options. \`sluice\` alone is \`sluice run\`.
`;
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--help' || first === '-h' || first === 'help') { process.stdout.write(usage()); return 0; }
  if (first === '--version' || first === '-V' || first === 'version') { process.stdout.write(`sluice ${version()}\n`); return 0; }
  // Logstash-style invocation without a command (`sluice -f x.conf`) means run.
  const command = first === undefined || first.startsWith('-') ? 'run' : first;
  const args = command === first ? rest : argv;
  if (!(command in COMMANDS)) {
    process.stderr.write(`sluice: unknown command "${command}"\n\n${usage()}`);
    return 2;
  }
  const mod = (await import(`./${command}.js`)) as Record<string, (argv: string[]) => Promise<number>>;
  const run = mod[`${command}Command`];
  if (!run) throw new Error(`src/cli/${command}.ts does not export ${command}Command`);
  return run(args);
}
