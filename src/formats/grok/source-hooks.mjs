// Module hooks for a worker thread running the TypeScript sources (registered by guard-worker.mjs only
// when there is no compiled module): a relative `.js` import that names a `.ts` source resolves to it,
// and `.ts` modules are transpiled by TypeScript (a devDependency; `npm run typecheck` checks the types).
// Transpiled modules are kept in the system's temporary directory, keyed by their text: loading
// TypeScript takes most of a second, and every timeout starts a fresh worker.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = join(tmpdir(), 'sluice-guard-worker-sources');

export async function resolve(specifier, context, next) {
  if (context.parentURL?.endsWith('.ts') && /^\.\.?\//.test(specifier) && specifier.endsWith('.js')) {
    const source = new URL(`${specifier.slice(0, -3)}.ts`, context.parentURL);
    if (existsSync(source)) return { url: source.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const text = await readFile(fileName, 'utf8');
  const cached = join(CACHE, `${createHash('sha256').update(fileName).update('\0').update(text).digest('hex')}.js`);
  let source = await readFile(cached, 'utf8').catch(() => undefined);
  if (source === undefined) {
    const { default: ts } = await import('typescript');
    source = ts.transpileModule(text, { fileName, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
    // Written aside and renamed: workers starting together never read half a file.
    await mkdir(CACHE, { recursive: true });
    const part = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(part, source);
    await rename(part, cached);
  }
  return { format: 'module', source, shortCircuit: true };
}
