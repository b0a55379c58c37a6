import type { Command } from 'commander';
import { action, addCommonOptions, printJson, withCollection, type CommonOptions } from '../shared.js';

export function registerCheck(program: Command): void {
  addCommonOptions(
    program
      .command('check')
      .description('flag (image|audio, text) pairs that do not match, with a threshold calibrated on matched vs shuffled pairs'),
  )
    .argument('<pairs>', 'JSONL or CSV with image|audio and text columns')
    .option('--threshold <score>', 'a fixed CLIPScore threshold instead of calibrating', (v) => Number(v))
    .option('--seed <n>', 'seed of the shuffle used for calibration', (v) => Number(v), 0)
    .option('--report <out.html>', 'an HTML report with the distributions and the flagged pairs')
    .action(
      action(async (pairs: string, o: CommonOptions & { threshold?: number; seed: number; report?: string }) => {
        const { evaluation } = await import('../../index.js');
        await withCollection(o, async (rosetta) => {
          const result = await rosetta.check(pairs, { threshold: o.threshold, seed: o.seed });
          if (o.report) await evaluation.writeReport(o.report, { title: `Consistency check: ${pairs}`, check: result });
          if (o.json) printJson(result);
          else process.stdout.write(`${evaluation.formatCheck(result)}\n${o.report ? `report: ${o.report}\n` : ''}`);
        });
      }),
    );
}
