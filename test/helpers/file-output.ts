/**
 * For the file output's in-process tests: file outputs created as the runtime creates them and temporary
 * directories, all closed and removed after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import fileOutput from '../../src/outputs/file.js';
import type { OutputInstance } from '../../src/plugins/api.js';
import { createPlugin, testContext } from './plugin-context.js';

/** Registers the clean-up hook of the calling test file; returns its helpers. */
export function fileOutputFixtures(prefix: string): {
  tempDir: () => string;
  output: (options: Record<string, unknown>, ctx?: ReturnType<typeof testContext>) => Promise<OutputInstance>;
} {
  const dirs: string[] = [];
  const outputs: OutputInstance[] = [];
  afterEach(async () => {
    await Promise.all(outputs.splice(0).map((o) => o.close?.()));
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    tempDir() {
      const d = mkdtempSync(join(tmpdir(), `sluice-${prefix}-`));
      dirs.push(d);
      return d;
    },
    async output(options, ctx = testContext({}, 'output', 'file')) {
      const o = await createPlugin(fileOutput, options, ctx);
      outputs.push(o);
      return o;
    },
  };
}

/** What `receive` is given besides the events. */
export const delivery = { signal: new AbortController().signal, attempt: 0 };
