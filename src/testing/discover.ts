/**
 * Which case files run against which config.
 *
 * Two forms:
 * - `sluice test CASES CONFIG...` (logstash-filter-verifier's): CASES is a case file or a directory whose
 *   `.json` / `.yaml` / `.yml` files are all case files; every one runs against the config made of CONFIG
 *   (files and directories, read as `sluice run -f` reads them).
 * - `sluice test PATH...` (fixtures side by side): every `<name>.test.yaml` / `.test.yml` / `.test.json`
 *   under PATH (recursively) runs against `<name>.conf` next to it, or, for a config split over several
 *   files, the directory `<name>/` next to it. `<name>.<variant>.test.yaml` also runs against `<name>.conf`,
 *   so one config can have several case files (one per codec, say).
 */
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import fg from 'fast-glob';
import { caseFileFormat } from './cases.js';

export interface Pairing {
  casePath: string;
  config: string[];
}

/** A path that cannot run, and why. */
export interface Problem {
  path: string;
  message: string;
}

const SIDE_BY_SIDE = /\.test\.(ya?ml|json)$/i;

export function isSideBySideCaseFile(path: string): boolean { return SIDE_BY_SIDE.test(path); }

async function kind(path: string): Promise<'file' | 'dir' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : undefined;
  } catch { return undefined; }
}

/**
 * The config next to a side-by-side case file `<name>[.<variant>].test.yaml`: `<name>.<variant>.conf` or the
 * directory `<name>.<variant>/`, else the same without the variant (several case files can share a config).
 */
export async function configBeside(casePath: string): Promise<string | undefined> {
  let name = basename(casePath).replace(SIDE_BY_SIDE, '');
  for (;;) {
    const stem = join(dirname(casePath), name);
    if (await kind(`${stem}.conf`) === 'file') return `${stem}.conf`;
    if (await kind(stem) === 'dir') return stem;
    const dot = name.lastIndexOf('.');
    if (dot <= 0) return undefined;
    name = name.slice(0, dot);
  }
}

/** Side-by-side form: every case file under the given paths, each with the config beside it. */
export async function discoverSideBySide(paths: string[]): Promise<{ pairs: Pairing[]; problems: Problem[] }> {
  const pairs: Pairing[] = [];
  const problems: Problem[] = [];
  for (const p of paths) {
    const k = await kind(p);
    let files: string[];
    if (k === 'dir') {
      files = (await fg(['**/*.test.{yaml,yml,json}'], { cwd: p, onlyFiles: true, caseSensitiveMatch: false }))
        .sort().map((f) => join(p, f));
      if (files.length === 0) problems.push({ path: p, message: 'no case files (<name>.test.yaml, .test.yml or .test.json) found' });
    } else if (k === 'file') {
      if (!isSideBySideCaseFile(p)) {
        problems.push({ path: p, message: `a case file given alone must be named <name>.test.yaml (or .yml, .json) with <name>.conf beside it; otherwise give the config too: sluice test ${p} CONFIG` });
        continue;
      }
      files = [p];
    } else {
      problems.push({ path: p, message: 'no such file or directory' });
      continue;
    }
    for (const f of files) {
      const config = await configBeside(f);
      if (config === undefined) {
        const stem = basename(f).replace(SIDE_BY_SIDE, '');
        problems.push({ path: f, message: `no config beside it (looked for ${stem}.conf or the directory ${stem}/ in ${dirname(f) || '.'}, also without .<variant> suffixes)` });
      } else pairs.push({ casePath: f, config: [config] });
    }
  }
  return { pairs, problems };
}

/** LFV form: the case file, or every case file directly in the directory, against one config. */
export async function discoverWithConfig(cases: string, config: string[]): Promise<{ pairs: Pairing[]; problems: Problem[] }> {
  const problems: Problem[] = [];
  for (const c of config) if (await kind(c) === undefined) problems.push({ path: c, message: 'no such file or directory' });
  const k = await kind(cases);
  let files: string[] = [];
  if (k === 'file') files = [cases];
  else if (k === 'dir') {
    files = (await readdir(cases)).filter((f) => caseFileFormat(f) !== undefined).sort().map((f) => join(cases, f));
    if (files.length === 0) problems.push({ path: cases, message: 'no case files (.json, .yaml, .yml) found' });
  } else problems.push({ path: cases, message: 'no such file or directory' });
  // A missing config is reported once, not once per case file.
  const configMissing = problems.some((p) => config.includes(p.path));
  return { pairs: configMissing ? [] : files.map((casePath) => ({ casePath, config })), problems };
}

/** A path for messages: relative to the working directory when inside it. */
export function displayPath(p: string, cwd = process.cwd()): string {
  const r = relative(cwd, p);
  return r && !r.startsWith('..') ? r : p;
}
