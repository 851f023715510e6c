/** Where sluice is installed, and its version: the package root holds patterns/ and package.json. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: this module is src/services/package.ts or dist/services/package.js. */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

let version: string | undefined;

/** The version in package.json. */
export function sluiceVersion(): string {
  version ??= (JSON.parse(readFileSync(resolve(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  return version;
}
