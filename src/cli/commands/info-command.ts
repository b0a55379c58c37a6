import type { Command } from 'commander';
import { availableDevices } from '../../models/devices.js';
import { DEFAULT_MODELS, KNOWN_MODELS } from '../../models/registry.js';
import { resolveRuntime } from '../../models/runtime-options.js';
import { action, addCommonOptions, openCollection, printJson, type CommonOptions } from '../shared.js';

export function registerInfo(program: Command): void {
  addCommonOptions(program.command('info').description('what the collection holds, its spaces, and the runtime (devices, cache)'))
    .action(action(async (o: CommonOptions) => {
      const rosetta = await openCollection(o);
      try {
        const stats = await rosetta.stats();
        const runtime = resolveRuntime({ cacheDir: o.cacheDir, offline: o.offline });
        const info = { collection: rosetta.dir, ...stats, devices: availableDevices(), cacheDir: runtime.cacheDir, offline: runtime.offline };
        if (o.json) { printJson(info); return; }
        process.stdout.write(`collection ${info.collection}: ${info.items} items\n`);
        for (const s of info.spaces) process.stdout.write(`  space ${s.id}: ${s.model} (${s.modalities.join('+')}) version ${s.version}\n`);
        process.stdout.write(`devices: ${info.devices.join(', ')}; model cache: ${info.cacheDir}${info.offline ? ' (offline)' : ''}\n`);
      } finally {
        await rosetta.close();
      }
    }));
  program.command('models').description('the default and known models')
    .option('--json', 'machine-readable output')
    .action(action(async (o: { json?: boolean }) => {
      if (o.json) { printJson({ defaults: DEFAULT_MODELS, known: KNOWN_MODELS }); return; }
      for (const [task, id] of Object.entries(DEFAULT_MODELS)) process.stdout.write(`default ${task}: ${id}\n`);
      for (const [id, m] of Object.entries(KNOWN_MODELS)) process.stdout.write(`  ${id} (${m.family}: ${m.modalities.join('+')})\n`);
    }));
}
