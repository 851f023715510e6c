/**
 * AST → plan: resolves every plugin to its definition, validates and coerces its options (defaults filled,
 * codecs resolved to CodecPlans), and compiles conditions. Every problem goes to the file's DiagnosticSink;
 * compilation carries on after an error so that one pass reports everything.
 */
import { deepClone, formatFloat, LsFloat } from '../event/values.js';
import type { PluginDefinition, PluginKind } from '../plugins/api.js';
import type { OptionSpec } from '../plugins/options.js';
import { loadPlugin, pluginNames } from '../plugins/registry.js';
import type { ConfigAst, HashNode, Loc, PluginNode, SectionKind, StatementNode, ValueNode } from './ast.js';
import { coerceOption, mergeAttribute, rubyInspect, type ConfigValue } from '../plugins/coerce.js';
import { CODES } from './codes.js';
import { compileCondition } from './condition.js';
import { nearestName, type DiagnosticSink } from './diagnostics.js';
import { NumberLiteralError, numberValue, stringValue, substituteEnv, UndefinedVariableError, type Env } from './literals.js';
import type { CodecPlan, PlanOptions, PluginPlan, SourceLocation, Step } from './plan.js';

export interface CompileSettings {
  supportEscapes: boolean;
  env: Env;
  /** Directory that relative `path` options are checked against. */
  cwd: string;
}

/** One file's share of the pipeline, plus its plugins in config order (for id generation). */
export interface FilePlan {
  inputs: PluginPlan[];
  filters: Step[];
  outputs: Step[];
  plugins: PluginPlan[];
  /** Plugins (and their codecs) whose options already produced an error: their own check is skipped. */
  rejected: Set<PluginPlan>;
}

/** A plugin written as a value (`codec => json { … }`): only codec options accept one. */
class PluginRef {
  constructor(readonly node: PluginNode) {}
}

type Raw = ConfigValue | PluginRef;

const KIND_OF_SECTION: Record<SectionKind, PluginKind> = { input: 'input', filter: 'filter', output: 'output' };

export class FileCompiler {
  constructor(readonly file: string, readonly settings: CompileSettings, readonly sink: DiagnosticSink) {}

  #plugins: PluginPlan[] = [];
  #rejected = new Set<PluginPlan>();
  #unusableValues = 0;

  location(loc: Loc): SourceLocation {
    return { file: this.file, line: loc.line, column: loc.column };
  }

  async compile(ast: ConfigAst): Promise<FilePlan> {
    const plan: FilePlan = { inputs: [], filters: [], outputs: [], plugins: this.#plugins, rejected: this.#rejected };
    for (const section of ast.sections) {
      const kind = KIND_OF_SECTION[section.kind];
      if (kind === 'input') {
        for (const st of section.body) {
          if (st.type === 'branch') {
            this.sink.error(CODES.CONDITION_IN_INPUT, st.loc, 'conditionals are not allowed in the input section', 'conditionals apply to events, which exist only after the inputs; move it to the filter or output section');
            continue;
          }
          const p = await this.plugin(st, 'input');
          if (p) plan.inputs.push(p);
        }
      } else {
        const steps = await this.steps(section.body, kind);
        (kind === 'filter' ? plan.filters : plan.outputs).push(...steps);
      }
    }
    return plan;
  }

  async steps(body: StatementNode[], kind: PluginKind): Promise<Step[]> {
    const out: Step[] = [];
    for (const st of body) {
      if (st.type === 'plugin') {
        const p = await this.plugin(st, kind);
        if (p) out.push({ type: 'plugin', plugin: p });
        continue;
      }
      const branches: Extract<Step, { type: 'if' }>['branches'] = [];
      for (const clause of st.clauses) {
        const condition = clause.condition ? await compileCondition(clause.condition, this.settings, this.sink) : null;
        const steps = await this.steps(clause.body, kind);
        branches.push({ condition: condition ?? null, steps, location: this.location(clause.loc) });
      }
      out.push({ type: 'if', branches });
    }
    return out;
  }

  async definition(kind: PluginKind, name: string, loc: Loc): Promise<PluginDefinition | undefined> {
    let def: PluginDefinition | undefined;
    try {
      def = await loadPlugin(kind, name);
    } catch (err) {
      this.sink.error(CODES.PLUGIN_LOAD, loc, `the ${kind} plugin \`${name}\` failed to load: ${(err as Error).message}`);
      return undefined;
    }
    if (!def) {
      const near = nearestName(name, pluginNames(kind));
      const elsewhere = (['input', 'filter', 'codec', 'output'] as const).filter((k) => k !== kind && pluginNames(k).includes(name));
      const hint = near ? `did you mean \`${near}\`?`
        : elsewhere.length ? `\`${name}\` is ${elsewhere.map((k) => (k === 'input' ? 'an input' : `a ${k}`)).join(' and ')} plugin, not ${kind === 'input' || kind === 'output' ? 'an' : 'a'} ${kind}`
          : undefined;
      this.sink.error(CODES.UNKNOWN_PLUGIN, loc, `unknown ${kind} plugin \`${name}\``, hint);
    }
    return def;
  }

  async plugin(node: PluginNode, kind: PluginKind): Promise<PluginPlan | undefined> {
    const def = await this.definition(kind, node.name, node.nameLoc);
    if (!def) {
      // Still read the values, so that undefined variables and bad literals are reported too.
      for (const a of node.attributes) this.value(a.value, true);
      return undefined;
    }
    const errorsBefore = this.sink.list.length;
    const options = await this.options(def, node);
    const plan: PluginPlan = {
      kind,
      name: node.name,
      definition: def,
      options,
      id: typeof options.id === 'string' ? options.id : '',
      location: this.location(node.loc),
    };
    this.#plugins.push(plan);
    if (this.sink.list.slice(errorsBefore).some((d) => d.severity === 'error')) this.#rejected.add(plan);
    return plan;
  }

  async options(def: PluginDefinition, node: PluginNode): Promise<PlanOptions> {
    const specs = def.allOptions;
    const what = `${def.kind} \`${def.name}\``;
    const given = new Map<string, { value: Raw; loc: Loc; valueLoc: Loc }>();
    const invalid = new Set<string>();
    for (const attr of node.attributes) {
      const spec = Object.prototype.hasOwnProperty.call(specs, attr.name) ? specs[attr.name] : undefined;
      const failuresBefore = this.#unusableValues;
      const value = this.value(attr.value, spec?.type === 'codec');
      // A value with an undefined variable was reported already; validating it would only add noise.
      if (this.#unusableValues > failuresBefore) invalid.add(attr.name);
      if (!spec) {
        const near = nearestName(attr.name, Object.keys(specs));
        this.sink.error(CODES.UNKNOWN_OPTION, attr.loc, `unknown option \`${attr.name}\` for ${what}`, near ? `did you mean \`${near}\`?` : undefined);
        continue;
      }
      const prev = given.get(attr.name);
      given.set(attr.name, prev ? { ...prev, value: mergeAttribute(prev.value, value) as Raw } : { value, loc: attr.loc, valueLoc: attr.value.loc });
    }

    const options: PlanOptions = {};
    for (const [name, { value, loc, valueLoc }] of given) {
      const spec = specs[name]!;
      if (invalid.has(name)) continue;
      if (spec.obsolete !== undefined) {
        this.sink.error(CODES.OBSOLETE_OPTION, loc, `option \`${name}\` of ${what} is obsolete: ${spec.obsolete}`);
        continue;
      }
      if (spec.deprecated !== undefined) {
        this.sink.warn(CODES.DEPRECATED_OPTION, loc, `option \`${name}\` of ${what} is deprecated: ${spec.deprecated}`);
      }
      if (spec.type === 'codec') {
        const codec = await this.codec(value, valueLoc);
        if (codec) options[name] = codec;
        else invalid.add(name);
        continue;
      }
      if (!this.assign(options, name, spec, value, valueLoc, what)) invalid.add(name);
    }

    // Defaults are validated like given values (Logstash puts them in the params before validating).
    for (const [name, spec] of Object.entries(specs)) {
      if (given.has(name) || spec.default === undefined || spec.type === 'codec' || spec.obsolete !== undefined) continue;
      this.assign(options, name, spec, deepClone(spec.default), node.loc, what);
    }

    for (const [name, spec] of Object.entries(specs)) {
      if (!spec.required) continue;
      const v = options[name];
      if (v === undefined || (spec.list && Array.isArray(v) && v.length === 0)) {
        if (!invalid.has(name)) this.sink.error(CODES.REQUIRED_OPTION, node.nameLoc, `missing required option \`${name}\` for ${what}`, `add \`${name} => …\` (${spec.doc})`);
      }
    }
    return options;
  }

  /** Coerce and store one option; false when the value was rejected (already reported). */
  assign(options: PlanOptions, name: string, spec: OptionSpec, value: unknown, loc: Loc, what: string): boolean {
    if (value instanceof PluginRef) {
      this.sink.error(CODES.PLUGIN_VALUE, value.node.loc, `option \`${name}\` of ${what} takes a ${spec.type}, not a plugin`);
      return false;
    }
    const r = coerceOption(spec, value, { cwd: this.settings.cwd });
    if (!r.ok) {
      this.sink.error(CODES.INVALID_VALUE, loc, `invalid value for option \`${name}\` of ${what}: ${r.message}`, spec.values ? `allowed values: ${spec.values.map((v) => rubyInspect(v)).join(', ')}` : undefined);
      return false;
    }
    if (r.value !== undefined) options[name] = r.value;
    return true;
  }

  async codec(value: Raw, loc: Loc): Promise<CodecPlan | undefined> {
    // Logstash takes the first of several codecs given for one option.
    const first: Raw | undefined = Array.isArray(value) ? value[0] : value;
    if (first instanceof PluginRef) {
      const def = await this.definition('codec', first.node.name, first.node.nameLoc);
      if (!def) return undefined;
      const options = await this.options(def, first.node);
      return { name: first.node.name, definition: def, options, location: this.location(first.node.loc) };
    }
    if (typeof first === 'string') {
      const def = await this.definition('codec', first, loc);
      if (!def) return undefined;
      const options = await this.options(def, { type: 'plugin', name: first, nameLoc: loc, attributes: [], loc });
      return { name: first, definition: def, options, location: this.location(loc) };
    }
    this.sink.error(CODES.INVALID_VALUE, loc, `invalid codec: expected a codec name or \`name { … }\`, got ${rubyInspect(first)}`);
    return undefined;
  }

  /** A config value with Logstash's literal rules and `${VAR}` substitution in strings. */
  value(node: ValueNode, allowPlugin: boolean): Raw {
    switch (node.type) {
      case 'bareword': return this.substitute(node.value, node.loc);
      case 'string': return this.substitute(stringValue(node.raw, this.settings.supportEscapes), node.loc);
      case 'number': return this.number(node.text, node.loc);
      case 'array': {
        const out: ConfigValue[] = [];
        for (const item of node.items) {
          const v = this.value(item, false);
          if (!(v instanceof PluginRef)) out.push(v);
        }
        return out;
      }
      case 'hash': return this.hash(node);
      case 'plugin':
        if (allowPlugin) return new PluginRef(node);
        this.sink.error(CODES.PLUGIN_VALUE, node.loc, `a plugin (\`${node.name} { … }\`) is only allowed as the value of a codec option`);
        return node.name;
    }
  }

  hash(node: HashNode): ConfigValue {
    const out: { [key: string]: ConfigValue } = {};
    const seen = new Set<string>();
    for (const entry of node.entries) {
      // Logstash detects duplicates by the key as written (so "a" and 'a' differ).
      const written = entry.key.type === 'string' ? `${entry.key.quote}${entry.key.raw}${entry.key.quote}` : entry.key.type === 'number' ? entry.key.text : entry.key.value;
      if (seen.has(written)) {
        this.sink.error(CODES.DUPLICATE_KEY, entry.loc, `duplicate key ${written} in hash`, 'each key may appear once in a hash literal; merge the values or remove one');
      }
      seen.add(written);
      const key = entry.key.type === 'string' ? stringValue(entry.key.raw, this.settings.supportEscapes)
        : entry.key.type === 'number' ? keyOfNumber(this.number(entry.key.text, entry.key.loc)) : entry.key.value;
      const v = this.value(entry.value, false);
      if (!(v instanceof PluginRef)) out[key] = v;
    }
    return out;
  }

  number(text: string, loc: Loc): number | bigint | LsFloat {
    try {
      return numberValue(text);
    } catch (err) {
      if (!(err instanceof NumberLiteralError)) throw err;
      this.#unusableValues += 1; // the value is unusable: skip validating it
      this.sink.error(CODES.BAD_NUMBER, loc, err.message, text.endsWith('.') ? `write ${text}0` : 'a leading 0 makes an octal number (digits 0-7); remove it or quote the value');
      return 0;
    }
  }

  substitute(s: string, loc: Loc): string {
    try {
      return substituteEnv(s, this.settings.env);
    } catch (err) {
      if (err instanceof UndefinedVariableError) {
        this.#unusableValues += 1;
        this.sink.error(CODES.UNDEFINED_VARIABLE, loc, err.message, `set ${err.variable} in the environment, or give a default: \${${err.variable}:default}`);
        return s;
      }
      throw err;
    }
  }
}

function keyOfNumber(n: number | bigint | LsFloat): string {
  return n instanceof LsFloat ? formatFloat(n.value) : String(n);
}

