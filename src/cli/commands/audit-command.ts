import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action, addCommonOptions, printJson, withCollection, type CommonOptions } from '../shared.js';

export function registerAudit(program: Command): void {
  addCommonOptions(
    program
      .command('audit')
      .description('bias probe: embedding association tests (WEAT effect sizes, permutation p-values) between concepts and attributes'),
  )
    .option('--lists <file.json>', 'word lists: [{ name, targets: [{name, words}, {name, words}], attributes: [...] }]')
    .option('--permutations <n>', 'random partitions for the p-value', (v) => Number(v), 10_000)
    .option('--seed <n>', 'random seed', (v) => Number(v), 0)
    .option('--template <t>', 'wrap each word, e.g. "a photo of a {}"')
    .option('--report <out.html>', 'an HTML report')
    .action(
      action(async (o: CommonOptions & { lists?: string; permutations: number; seed: number; template?: string; report?: string }) => {
        const { evaluation } = await import('../../index.js');
        const tests = o.lists ? JSON.parse(readFileSync(o.lists, 'utf8')) : undefined;
        await withCollection(o, async (rosetta) => {
          const result = await rosetta.audit({ tests, permutations: o.permutations, seed: o.seed, template: o.template });
          if (o.report) await evaluation.writeReport(o.report, { title: 'Bias probe', audit: result });
          if (o.json) printJson(result);
          else process.stdout.write(`${evaluation.formatAudit(result)}\n${o.report ? `report: ${o.report}\n` : ''}`);
        });
      }),
    );
}
