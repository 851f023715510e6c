/**
 * ua-parser over uap-core's regexes.yaml, with the rules of the Java parser inside logstash-filter-useragent
 * (org.logstash.uaparser): the first matching pattern of each list wins; the user agent's family takes
 * `family_replacement` (its `$1` replaced by group 1), its versions groups 2–5 with empty ones dropped; the
 * OS takes `os_replacement` (every `$1` replaced) and groups 2–5 or `os_vN_replacement` (`$N` back-references
 * allowed); the device takes `device_replacement` with `$N` substitutions (trimmed) or group 1, `regex_flag: 'i'`
 * making it case-insensitive. Nothing matching gives "Other".
 *
 * The default regexes are uap-core 0.12.0 (the version the plugin ships) from the `uap-core` package, with
 * the plugin's one patch (a lazy `.{1,50}?` in a Mac OS X pattern).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import YAML from 'yaml';

export interface UserAgentInfo {
  family: string;
  major: string | null;
  minor: string | null;
  patch: string | null;
  patchMinor: string | null;
}

export interface OsInfo {
  family: string;
  major: string | null;
  minor: string | null;
  patch: string | null;
  patchMinor: string | null;
}

export interface Client {
  userAgent: UserAgentInfo;
  os: OsInfo;
  device: string;
}

type Entry = Record<string, unknown>;

const MAC_OS_PATCH_FROM = "- regex: 'Mac OS X\\s.{1,50}\\s(\\d+).(\\d+).(\\d+)'";
const MAC_OS_PATCH_TO = "- regex: 'Mac OS X\\s.{1,50}?\\s(\\d+).(\\d+).(\\d+)'";

/** The path of the regexes.yaml shipped in the uap-core package. */
export function defaultRegexesPath(): string {
  return createRequire(import.meta.url).resolve('uap-core/regexes.yaml');
}

export class UserAgentRegexesError extends Error {}

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

const group = (m: RegExpExecArray, i: number): string | null => (i < m.length ? (m[i] ?? null) : null);
const nonBlank = (v: string | null): string | null => (v === null || v === '' ? null : v);

interface UaPattern { re: RegExp; family?: string; v1?: string; v2?: string }
interface OsPattern { re: RegExp; os?: string; v1?: string; v2?: string; v3?: string }
interface DevicePattern { re: RegExp; device?: string }

export class UserAgentParser {
  readonly #ua: UaPattern[];
  readonly #os: OsPattern[];
  readonly #device: DevicePattern[];

  /** Build from the text of a regexes.yaml. */
  constructor(yamlText: string) {
    let doc: Record<string, Entry[] | undefined>;
    try {
      doc = YAML.parse(yamlText, { logLevel: 'silent' }) as Record<string, Entry[] | undefined>;
    } catch (e) {
      throw new UserAgentRegexesError(`invalid regexes file: ${(e as Error).message}`);
    }
    const list = (name: string): Entry[] => {
      const l = doc?.[name];
      if (!Array.isArray(l)) throw new UserAgentRegexesError(`${name} is missing from yaml`);
      return l;
    };
    const compile = (e: Entry, what: string, flags = ''): RegExp => {
      const src = str(e.regex);
      if (src === undefined) throw new UserAgentRegexesError(`${what} is missing regex`);
      try { return new RegExp(src, flags); } catch (err) { throw new UserAgentRegexesError(`${what} regex ${src}: ${(err as Error).message}`); }
    };
    this.#ua = list('user_agent_parsers').map((e) => ({
      re: compile(e, 'User agent'), family: str(e.family_replacement), v1: str(e.v1_replacement), v2: str(e.v2_replacement),
    }));
    this.#os = list('os_parsers').map((e) => ({
      re: compile(e, 'OS'), os: str(e.os_replacement), v1: str(e.os_v1_replacement), v2: str(e.os_v2_replacement), v3: str(e.os_v3_replacement),
    }));
    this.#device = list('device_parsers').map((e) => ({
      re: compile(e, 'Device', str(e.regex_flag) === 'i' ? 'i' : ''), device: str(e.device_replacement),
    }));
  }

  /** The parser over the default regexes (uap-core 0.12.0, patched as the plugin patches it). */
  static fromDefault(): UserAgentParser {
    return new UserAgentParser(readFileSync(defaultRegexesPath(), 'utf8').replace(MAC_OS_PATCH_FROM, MAC_OS_PATCH_TO));
  }

  static fromFile(path: string): UserAgentParser {
    return new UserAgentParser(readFileSync(path, 'utf8'));
  }

  parse(agent: string): Client {
    return { userAgent: this.parseUserAgent(agent), os: this.parseOs(agent), device: this.parseDevice(agent) };
  }

  parseUserAgent(agent: string): UserAgentInfo {
    for (const p of this.#ua) {
      const m = p.re.exec(agent);
      if (m === null) continue;
      const groups = m.length - 1;
      let family: string | null = null;
      if (p.family !== undefined) {
        const g1 = group(m, 1);
        family = p.family.includes('$1') && groups >= 1 && g1 !== null ? p.family.replace('$1', () => g1) : p.family;
      } else if (groups >= 1) {
        family = group(m, 1);
      }
      if (family === null) continue;
      const v1 = p.v1 ?? (groups >= 2 ? nonBlank(group(m, 2)) : null);
      let v2: string | null = null;
      let v3: string | null = null;
      let v4: string | null = null;
      if (p.v2 !== undefined) v2 = p.v2;
      else if (groups >= 3) {
        v2 = nonBlank(group(m, 3));
        if (groups >= 4) {
          v3 = nonBlank(group(m, 4));
          if (groups >= 5) v4 = nonBlank(group(m, 5));
        }
      }
      return { family, major: v1, minor: v2, patch: v3, patchMinor: v4 };
    }
    return { family: 'Other', major: null, minor: null, patch: null, patchMinor: null };
  }

  parseOs(agent: string): OsInfo {
    for (const p of this.#os) {
      const m = p.re.exec(agent);
      if (m === null) continue;
      const groups = m.length - 1;
      let family: string | null = null;
      if (p.os !== undefined) {
        if (groups >= 1) {
          const g1 = group(m, 1);
          // Java's replaceAll with a null group throws; the Ruby filter then logs the error.
          if (g1 === null && p.os.includes('$1')) throw new Error('no group 1 for os_replacement');
          family = p.os.split('$1').join(g1 ?? '');
        } else family = p.os;
      } else if (groups >= 1) {
        family = group(m, 1);
      }
      if (family === null) continue;
      const pick = (repl: string | undefined, i: number): string | null => {
        if (repl !== undefined) return repl.startsWith('$') ? group(m, Number(repl.slice(1))) : repl;
        return groups >= i ? group(m, i) : null;
      };
      return {
        family, major: pick(p.v1, 2), minor: pick(p.v2, 3), patch: pick(p.v3, 4), patchMinor: groups >= 5 ? group(m, 5) : null,
      };
    }
    return { family: 'Other', major: null, minor: null, patch: null, patchMinor: null };
  }

  parseDevice(agent: string): string {
    for (const p of this.#device) {
      const m = p.re.exec(agent);
      if (m === null) continue;
      let device: string | null = null;
      if (p.device !== undefined) {
        if (p.device.includes('$')) {
          let d = p.device;
          for (const sub of p.device.match(/\$\d/g) ?? []) {
            const i = Number(sub.slice(1));
            const g = m.length - 1 >= i ? (m[i] ?? '') : '';
            d = d.replace(sub, () => g);
          }
          device = d.trim();
        } else device = p.device;
      } else if (m.length > 1) {
        device = m[1] ?? null;
      }
      if (device !== null) return device;
    }
    return 'Other';
  }
}
