import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { audit } from '../../eval/bias/weat.js';
import { writeReport } from '../../eval/report/html-report.js';
import { formatAudit } from '../../eval/report/text-summary.js';
import { action, addCommonOptions, printJson, spacesFor, type CommonOptions } from '../shared.js';

export function registerAudit(program: Command): void {
  addCommonOptions(program.command('audit').description('bias probe: embedding association tests (WEAT effect sizes, permutation p-values) between concepts and attributes'))
    .option('--lists <file.json>', 'word lists: [{ name, targets: [{name, words}, {name, words}], attributes: [...] }]')
    .option('--permutations <n>', 'random partitions for the p-value', (v) => Number(v), 10_000)
    .option('--seed <n>', 'random seed', (v) => Number(v), 0)
    .option('--template <t>', 'wrap each word, e.g. "a photo of a {}"')
    .option('--report <out.html>', 'an HTML report')
    .action(action(async (o: CommonOptions & { lists?: string; permutations: number; seed: number; template?: string; report?: string }) => {
      const { spaces, close } = await spacesFor(o);
      try {
        const tests = o.lists ? JSON.parse(readFileSync(o.lists, 'utf8')) : undefined;
        const result = await audit(spaces[0], { tests, permutations: o.permutations, seed: o.seed, template: o.template });
        if (o.report) await writeReport(o.report, { title: 'Bias probe', audit: result });
        if (o.json) printJson(result);
        else process.stdout.write(`${formatAudit(result)}\n${o.report ? `report: ${o.report}\n` : ''}`);
      } finally {
        await close();
      }
    }));
}
