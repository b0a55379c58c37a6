import type { Command } from 'commander';
import { action, addCommonOptions, printJson, withCollection, type CommonOptions } from '../shared.js';

export function registerTag(program: Command): void {
  addCommonOptions(program.command('tag').description('zero-shot classification of an image (or sound) over your labels'))
    .argument('<file>', 'image or audio file')
    .requiredOption('--labels <labels>', 'comma-separated labels, e.g. "cat,dog,car"')
    .option('--template <t>', 'prompt template, {} is the label', undefined)
    .option('--space <id>', 'space to use')
    .action(
      action(async (file: string, o: CommonOptions & { labels: string; template?: string; space?: string }) => {
        await withCollection(o, async (rosetta) => {
          const tags = await rosetta.tag(file, { labels: o.labels.split(','), template: o.template, space: o.space });
          if (o.json) printJson({ file, tags });
          else for (const t of tags) process.stdout.write(`${(t.probability * 100).toFixed(1).padStart(5)}%  ${t.label}\n`);
        });
      }),
    );
}
