import type { Command } from 'commander';
import { availableDevices, DEFAULT_MODELS, KNOWN_MODELS, resolveRuntime } from '../../core.js';
import { action, addCommonOptions, openCollection, printJson, type CommonOptions } from '../shared.js';

export function registerInfo(program: Command): void {
  addCommonOptions(program.command('info').description('what the collection holds, its spaces, and the runtime (devices, cache)')).action(
    action(async (o: CommonOptions) => {
      const rosetta = await openCollection(o, { create: false });
      try {
        const stats = await rosetta.stats();
        const runtime = resolveRuntime({ cacheDir: o.cacheDir, offline: o.offline });
        const info = {
          collection: rosetta.dir,
          ...stats,
          devices: availableDevices(),
          cacheDir: runtime.cacheDir,
          offline: runtime.offline,
        };
        if (o.json) {
          printJson(info);
          return;
        }
        process.stdout.write(`collection ${info.collection}: ${info.exists ? `${info.items} items` : 'none (nothing indexed there)'}\n`);
        for (const s of info.spaces) process.stdout.write(`  space ${s.id}: ${s.model} (${s.modalities.join('+')}) version ${s.version}\n`);
        process.stdout.write(`devices: ${info.devices.join(', ')}; model cache: ${info.cacheDir}${info.offline ? ' (offline)' : ''}\n`);
      } finally {
        await rosetta.close();
      }
    }),
  );
  const models = program.command('models').description('the default and known models; download them into the cache');
  models
    .command('list', { isDefault: true })
    .description('default and known models')
    .option('--json', 'machine-readable output')
    .action(
      action(async (o: { json?: boolean }) => {
        const { GENERATION_MODELS } = await import('../../index.js');
        if (o.json) {
          printJson({ defaults: DEFAULT_MODELS, known: KNOWN_MODELS, generation: GENERATION_MODELS });
          return;
        }
        for (const [task, id] of Object.entries(DEFAULT_MODELS)) process.stdout.write(`default ${task} space: ${id}\n`);
        for (const [task, m] of Object.entries(GENERATION_MODELS))
          process.stdout.write(`default ${task}: ${m.default}${m.options.length ? ` (options: ${m.options.join(', ')})` : ''}\n`);
        for (const [id, m] of Object.entries(KNOWN_MODELS)) process.stdout.write(`  ${id} (${m.family}: ${m.modalities.join('+')})\n`);
      }),
    );
  models
    .command('pull')
    .description('download models into the cache so they work offline later')
    .argument('<ids...>', 'hub ids[@revision]')
    .option('--cache-dir <path>', 'model cache directory')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ids: string[], o: { cacheDir?: string; json?: boolean }) => {
        const { pullModel } = await import('../../index.js');
        const pulled = [];
        for (const id of ids) {
          if (!o.json) process.stderr.write(`pulling ${id}…\n`);
          pulled.push(await pullModel(id, { cacheDir: o.cacheDir }));
        }
        if (o.json) printJson({ pulled });
        else for (const p of pulled) process.stdout.write(`${p.id}: ${p.parts.join(', ')} cached in ${p.cacheDir}\n`);
      }),
    );
}
