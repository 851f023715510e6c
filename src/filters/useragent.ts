/**
 * useragent: parses a user agent string into browser, version, OS and device fields with uap-core's
 * regexes, as logstash-filter-useragent 3.3 does (its Java parser's rules: src/formats/useragent.ts).
 *
 * ECS mode (default target `[user_agent]`): `name`, `version` (major.minor.patch[.patchMinor], completed
 * from the string when the patterns stop at the patch), `device.name`, `os.name`, `os.version`, `os.full`;
 * the separate version parts go to `[@metadata][filter][user_agent][version|os][version][major|minor|patch]`.
 * Without ECS (default: the event's root): `name`, `version`, `major`, `minor`, `patch`, `device`, `os`,
 * `os_name`, `os_full`, `os_version`, `os_major`, `os_minor`, `os_patch`, each with `prefix` in front.
 * Parses are kept in an LRU cache of `lru_cache_size` user agents.
 */
import { LRUCache } from 'lru-cache';
import { isAbsolute, resolve } from 'node:path';
import { parseFieldRef, formatFieldRef } from '../event/fieldref.js';
import type { Event } from '../event/event.js';
import { inspectString } from '../event/ruby.js';
import { UserAgentParser, UserAgentRegexesError, type Client, type OsInfo, type UserAgentInfo } from '../formats/useragent.js';
import { defineFilter, PluginConfigError } from '../plugins/api.js';

let defaultParser: UserAgentParser | undefined;
const fileParsers = new Map<string, UserAgentParser>();

function parserFor(regexes: string | undefined): UserAgentParser {
  if (regexes === undefined) return (defaultParser ??= UserAgentParser.fromDefault());
  let p = fileParsers.get(regexes);
  if (!p) { p = UserAgentParser.fromFile(regexes); fileParsers.set(regexes, p); }
  return p;
}

/** The UA version string, as the plugin rebuilds it (set_version / check_and_adjust_version). */
export function uaVersion(source: string, ua: UserAgentInfo): string | undefined {
  if (ua.major === null) return undefined;
  let version = ua.major;
  if (ua.minor !== null) {
    version += `.${ua.minor}`;
    if (ua.patch !== null) {
      version += `.${ua.patch}`;
      if (ua.patchMinor !== null) version += `.${ua.patchMinor}`;
      else {
        // Complete the version with a fourth number the patterns did not capture but the string has.
        const at = source.indexOf(version);
        if (at >= 0) {
          const i = at + version.length;
          if (source[i] === '.') {
            const space = source.indexOf(' ', i + 1);
            if (space >= 0) {
              const patchMinor = source.slice(i + 1, space);
              if (patchMinor === String(rubyToI(patchMinor))) version += `.${patchMinor}`;
            }
          }
        }
      }
    }
  }
  return version;
}

/** The OS version string (build_os_version): a non-numeric major ("Vista") is followed by a space. */
export function osVersion(os: OsInfo): string | undefined {
  if (os.major === null) return undefined;
  let version = os.major;
  const sep = String(rubyToI(os.major)) === os.major ? '.' : ' ';
  if (os.minor !== null) {
    version += sep + os.minor;
    if (os.patch !== null) {
      version += `.${os.patch}`;
      if (os.patchMinor !== null) version += `.${os.patchMinor}`;
    }
  }
  return version;
}

function rubyToI(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m ? Number(m[0]) : 0;
}

export default defineFilter({
  name: 'useragent',
  doc: 'Parses user agent strings into browser, version, operating system and device fields (uap-core regexes, ECS `[user_agent]` fields or legacy names).',
  options: {
    source: { type: 'string', required: true, doc: 'The field holding the user agent string (an array uses its first value).' },
    target: { type: 'string', doc: 'Where the fields go (default `[user_agent]` in ECS mode, the event root without ECS).' },
    regexes: { type: 'string', doc: 'A regexes.yaml to use instead of the bundled uap-core 0.12.0 one.' },
    prefix: { type: 'string', default: '', doc: 'Prepended to every field name (not in ECS mode).' },
    lru_cache_size: { type: 'number', default: 100_000, doc: 'How many parsed user agents are cached (must be > 0).' },
  },
  check: 'create',
  create(o, ctx) {
    const ecs = ctx.ecs !== 'disabled';
    if (!(o.lru_cache_size > 0)) throw new PluginConfigError('lru_cache_size must be greater than 0', 'lru_cache_size');
    if (ecs && o.prefix !== '') ctx.logger.warn(`Field prefix isn't supported in ECS compatibility mode, please remove \`prefix => ${inspectString(o.prefix)}\``);
    let parser: UserAgentParser;
    try {
      parser = parserFor(o.regexes === undefined ? undefined : isAbsolute(o.regexes) ? o.regexes : resolve(ctx.cwd, o.regexes));
    } catch (e) {
      throw new PluginConfigError(e instanceof UserAgentRegexesError ? e.message : `cannot read regexes ${o.regexes}: ${(e as Error).message}`, 'regexes');
    }
    const targetSpec = o.target ?? (ecs ? '[user_agent]' : '');
    const target = targetSpec === '' ? '' : formatFieldRef(parseFieldRef(targetSpec));
    const p = ecs ? '' : o.prefix;
    const f = (legacy: string, ecsName: string): string => `${target}${ecs ? ecsName : `[${p}${legacy}]`}`;
    const meta = '[@metadata][filter][user_agent]';
    const fields = {
      name: f('name', '[name]'),
      device: f('device', '[device][name]'),
      version: f('version', '[version]'),
      major: ecs ? `${meta}[version][major]` : f('major', ''),
      minor: ecs ? `${meta}[version][minor]` : f('minor', ''),
      patch: ecs ? `${meta}[version][patch]` : f('patch', ''),
      osFull: f('os_full', '[os][full]'),
      osName: f('os_name', '[os][name]'),
      legacyOs: ecs ? undefined : f('os', ''),
      osVersion: f('os_version', '[os][version]'),
      osMajor: ecs ? `${meta}[os][version][major]` : f('os_major', ''),
      osMinor: ecs ? `${meta}[os][version][minor]` : f('os_minor', ''),
      osPatch: ecs ? `${meta}[os][version][patch]` : f('os_patch', ''),
    };
    const cache = new LRUCache<string, Client>({ max: Math.floor(o.lru_cache_size) });
    const source = o.source;
    const removeSource = o.target !== undefined && o.target === o.source;
    const errors = ctx.metrics.counter('failures');

    const lookup = (ua: string): Client => {
      let c = cache.get(ua);
      if (c === undefined) { c = parser.parse(ua); cache.set(ua, c); }
      return c;
    };

    return {
      filter(event: Event) {
        let ua = event.get(source);
        if (Array.isArray(ua)) ua = ua[0];
        if (typeof ua !== 'string' || ua === '') return false;
        let data: Client;
        try {
          data = lookup(ua);
        } catch (err) {
          errors.inc();
          ctx.logger.error('Unknown error while parsing user agent data', { exception: 'RuntimeError', message: err instanceof Error ? err.message : String(err), field: source });
          return false;
        }
        if (removeSource) event.remove(source);
        const u = data.userAgent;
        event.set(fields.name, u.family);
        event.set(fields.device, data.device);
        if (u.major !== null) event.set(fields.major, u.major);
        if (u.minor !== null) event.set(fields.minor, u.minor);
        if (u.patch !== null) event.set(fields.patch, u.patch);
        const version = uaVersion(ua, u);
        if (version !== undefined) event.set(fields.version, version);
        const os = data.os;
        if (os.major !== null) event.set(fields.osMajor, os.major);
        if (os.minor !== null) event.set(fields.osMinor, os.minor);
        if (os.patch !== null) event.set(fields.osPatch, os.patch);
        const osv = osVersion(os);
        if (osv !== undefined) event.set(fields.osVersion, osv);
        event.set(fields.osName, os.family);
        if (fields.legacyOs) event.set(fields.legacyOs, os.family);
        event.set(fields.osFull, osv === undefined ? os.family : `${os.family} ${osv}`);
        return true;
      },
    };
  },
});
