#!/usr/bin/env node
// Writes docs/plugins.md from every plugin's option declarations, using the compiled registry in dist/
// (run `npm run build` first). test/config-plugin-docs.test.ts fails when the file is out of date.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderPluginReference } = await import(join(root, 'dist/config/plugin-docs.js'));
const text = await renderPluginReference();
writeFileSync(join(root, 'docs/plugins.md'), text);
process.stdout.write(`docs/plugins.md: ${text.split('\n').length} lines\n`);
