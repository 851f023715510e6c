/**
 * Grok pattern libraries: the built-in files (patterns/legacy or patterns/ecs-v1), the user's
 * `patterns_dir` files, pattern file text given directly (the grok debugger's custom patterns) and
 * inline `pattern_definitions`, in Logstash's load order. Later definitions win, so users can
 * redefine built-in patterns.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fg from 'fast-glob';
import { PACKAGE_ROOT } from '../../services/package.js';
import type { EcsMode } from '../../event/ecs.js';

/** Where a definition came from, for error messages. */
export interface PatternOrigin {
  file: string;
  line: number;
}

export interface PatternDef {
  regex: string;
  origin?: PatternOrigin;
}

export type PatternTable = Map<string, PatternDef>;

export { PACKAGE_ROOT };

/** The built-in pattern directory for an ECS mode (Logstash uses ecs-v1 for both v1 and v8). */
export function builtinPatternDir(ecs: EcsMode): string {
  return join(PACKAGE_ROOT, 'patterns', ecs === 'disabled' ? 'legacy' : 'ecs-v1');
}

/**
 * Parse one pattern file as jls-grok does: `#` lines are comments, leading blanks are dropped,
 * the name ends at the first run of whitespace and the rest of the line (minus its line ending) is
 * the regex. Lines without a regex are skipped.
 */
export function parsePatternFile(text: string, file: string, into: PatternTable = new Map()): PatternTable {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i] as string;
    if (/^\s*#/.test(line)) continue;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    line = line.replace(/^\s+/, '');
    const m = /\s+/.exec(line);
    if (m === null) continue;
    const name = line.slice(0, m.index);
    const regex = line.slice(m.index + m[0].length);
    into.set(name, { regex, origin: { file, line: i + 1 } });
  }
  return into;
}

const builtinCache = new Map<string, PatternTable>();

/** Files of a directory in Ruby's Dir.glob order (sorted), directories skipped. */
function filesOf(dir: string, glob: string): string[] {
  return fg.sync(glob, { cwd: dir, onlyFiles: true, absolute: true, dot: false, deep: 1 }).sort();
}

/** The built-in library of a mode, parsed once per process. */
export function builtinPatterns(ecs: EcsMode): PatternTable {
  const dir = builtinPatternDir(ecs);
  let table = builtinCache.get(dir);
  if (table === undefined) {
    table = new Map();
    for (const f of readdirSync(dir).sort()) {
      const full = join(dir, f);
      if (statSync(full).isFile()) parsePatternFile(readFileSync(full, 'utf8'), full, table);
    }
    builtinCache.set(dir, table);
  }
  return table;
}

export class PatternFileError extends Error {
  readonly code = 'SLC_GROK_PATTERN_FILE';
}

export interface LibraryOptions {
  ecs: EcsMode;
  /** Directories or files (a directory contributes the files matching `patternsFilesGlob`). */
  patternsDir?: readonly string[];
  patternsFilesGlob?: string;
  /** Text in the pattern file format (`NAME regex` lines), read after the patternsDir files. */
  patternText?: string;
  /** Inline definitions, applied last. */
  definitions?: Readonly<Record<string, string>>;
  /** Base for relative `patternsDir` entries. */
  cwd?: string;
}

/**
 * The table a grok filter compiles against: built-ins, then patterns_dir files in order, then
 * pattern_definitions (Logstash adds these after the files, so they override them).
 */
export function buildLibrary(opts: LibraryOptions): PatternTable {
  const table: PatternTable = new Map(builtinPatterns(opts.ecs));
  const glob = opts.patternsFilesGlob ?? '*';
  for (const entry of opts.patternsDir ?? []) {
    const path = resolve(opts.cwd ?? process.cwd(), entry);
    let files: string[];
    let isDir = false;
    try { isDir = statSync(path).isDirectory(); } catch { isDir = false; }
    if (isDir) files = filesOf(path, glob);
    // A file, or a glob as Logstash's Dir.glob accepts it.
    else files = fg.sync(path.replace(/\\/g, '/'), { onlyFiles: true, absolute: true }).sort();
    for (const f of files) {
      let text: string;
      try { text = readFileSync(f, 'utf8'); } catch (e) {
        throw new PatternFileError(`Grok pattern file could not be read: ${f} (${(e as Error).message})`);
      }
      parsePatternFile(text, f, table);
    }
  }
  if (opts.patternText !== undefined) parsePatternFile(opts.patternText, 'custom patterns', table);
  for (const [name, regex] of Object.entries(opts.definitions ?? {})) {
    if (typeof regex !== 'string') continue;
    table.set(name, { regex: regex.replace(/\r?\n$/, ''), origin: { file: 'pattern_definitions', line: 0 } });
  }
  return table;
}

/** The names of the built-in library of a mode, sorted (the grok debugger's autocompletion). */
export function builtinPatternNames(ecs: EcsMode): string[] {
  return [...builtinPatterns(ecs).keys()].sort();
}
