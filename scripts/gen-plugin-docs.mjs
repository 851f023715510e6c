#!/usr/bin/env node
// Writes docs/plugins.md and the plugin table of README.md (between its plugins:start/end markers) from
// every plugin's option declarations, using the compiled modules in dist/ (run `npm run build` first).
// test/config-plugin-docs.test.ts fails when either is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderPluginReference, renderReadmePlugins, README_START, README_END } = await import(join(root, 'dist/plugins/docs.js'));
const text = await renderPluginReference();
writeFileSync(join(root, 'docs/plugins.md'), text);
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const start = readme.indexOf('<!-- plugins:start');
const end = readme.indexOf(README_END);
if (start < 0 || end < 0) throw new Error('README.md has no plugins:start / plugins:end markers');
writeFileSync(join(root, 'README.md'), readme.slice(0, start) + await renderReadmePlugins() + readme.slice(end + README_END.length));
process.stdout.write(`docs/plugins.md: ${text.split('\n').length} lines; README.md plugin table updated\n`);
