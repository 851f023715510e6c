/**
 * The plugins' own judgement of their options (PluginDefinition.check), run after the declarations'
 * validation so `sluice run -t` reports an undefined grok pattern or a bad mutate conversion together with
 * every other config problem, at the plugin's location.
 */
import type { Diagnostic } from './diagnostics-types.js';
import { CODES } from './codes.js';
import { isCodecPlan, type CodecPlan, type PipelinePlan, type PlanOptions, type PluginPlan, type Step } from './plan.js';
import { PluginConfigError, type PluginContext, type PluginDefinition } from '../plugins/api.js';
import type { EcsMode } from '../plugins/options.js';
import { contextFor } from '../plugins/context.js';

type Checked = Pick<PluginPlan, 'kind' | 'name' | 'definition' | 'options' | 'location'> & { id: string };

/** Run every plugin's check, skipping plugins in `rejected` (their options already failed validation). */
export async function checkPlugins(plan: PipelinePlan, settings: { ecs: EcsMode; cwd: string; dataDir?: string }, rejected: ReadonlySet<PluginPlan> = new Set()): Promise<Diagnostic[]> {
  const targets: Checked[] = [];
  const addCodec = (owner: PluginPlan): void => {
    const codec = owner.options.codec as CodecPlan | undefined;
    if (!isCodecPlan(codec)) return;
    const options: PlanOptions = { ...codec.options };
    // A codec inherits its plugin's ECS mode unless it sets its own (as at run time).
    options.ecs_compatibility ??= owner.options.ecs_compatibility;
    targets.push({ kind: 'codec', name: codec.name, definition: codec.definition, options, location: codec.location, id: codec.name });
  };
  // A plugin whose options already failed validation is skipped, with its codec: one mistake, one report.
  const add = (p: PluginPlan): void => {
    if (rejected.has(p)) return;
    targets.push(p);
    addCodec(p);
  };
  const walk = (steps: Step[]): void => {
    for (const s of steps) {
      if (s.type === 'plugin') add(s.plugin); else for (const b of s.branches) walk(b.steps);
    }
  };
  for (const p of plan.inputs) add(p);
  walk(plan.filters);
  walk(plan.outputs);

  const diagnostics: Diagnostic[] = [];
  for (const t of targets) {
    const check = t.definition.check;
    if (!check) continue;
    const ctx = contextFor(t.kind, t.name, t.id, t.options, settings);
    let problems: Error[] = [];
    try {
      if (check === 'create') await createAndClose(t.definition, t.options, ctx);
      else problems = (await check(t.options, { ecs: ctx.ecs, cwd: ctx.cwd })) ?? [];
    } catch (err) {
      problems = [err instanceof Error ? err : new Error(String(err))];
    }
    for (const e of problems) {
      const specific = e instanceof PluginConfigError ? e : undefined;
      const option = specific?.option ? ` (option \`${specific.option}\`)` : '';
      const d: Diagnostic = {
        code: specific?.code ?? CODES.PLUGIN_CONFIG, severity: 'error',
        file: t.location.file, line: t.location.line, column: t.location.column,
        message: `${t.kind} \`${t.name}\` rejects its configuration${option}: ${e.message}`,
      };
      if (specific?.hint) d.hint = specific.hint;
      diagnostics.push(d);
    }
  }
  return diagnostics;
}

async function createAndClose(def: PluginDefinition, options: PlanOptions, ctx: PluginContext): Promise<void> {
  // Only filters and codecs declare 'create' (their create has no side effects and takes no codec).
  const instance = await def.create(options, ctx);
  if ('close' in instance && typeof instance.close === 'function') await instance.close();
}
