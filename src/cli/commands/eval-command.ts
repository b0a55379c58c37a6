import { Argument, type Command } from 'commander';
import type { evaluation as Evaluation } from '../../index.js';
import { action, addCommonOptions, printJson, withCollection, type CommonOptions } from '../shared.js';

type RetrievalResult = Evaluation.RetrievalResult;
type ZeroShotResult = Evaluation.ZeroShotResult;

interface EvalFlags extends CommonOptions {
  dataset: string;
  split?: string;
  images?: string;
  templates?: string;
  models?: string;
  report?: string;
}

export function registerEval(program: Command): void {
  addCommonOptions(
    program
      .command('eval')
      .description('retrieval (Recall@K, median rank, MRR) or zero-shot classification quality of one or several spaces'),
  )
    .addArgument(
      new Argument('[task]', 'retrieval, zeroshot, or auto (from the dataset layout)')
        .choices(['retrieval', 'zeroshot', 'auto'])
        .default('auto'),
    )
    .requiredOption(
      '--dataset <path>',
      'COCO captions JSON, Karpathy JSON, Flickr-style CSV/JSONL, a folder of images with .txt captions, or a folder per class',
    )
    .option('--split <name>', 'only this split (e.g. test)')
    .option('--images <dir>', 'folder the image names are relative to')
    .option('--templates <list>', 'zero-shot prompt templates separated by |, {} is the class', 'a photo of a {}')
    .option('--models <refs>', 'compare several spaces side by side (comma-separated model references)')
    .option('--report <out.html>', 'write a self-contained HTML report')
    .action(
      action(async (task: 'retrieval' | 'zeroshot' | 'auto', o: EvalFlags) => {
        const { evaluation } = await import('../../index.js');
        const progress =
          o.json || !process.stderr.isTTY
            ? undefined
            : (p: { done: number; total: number; stage?: string }) => process.stderr.write(`\r${p.stage ?? ''} ${p.done}/${p.total}   `);
        const models = o.models ? o.models.split(',').map((s) => s.trim()) : o.model;
        await withCollection({ ...o, model: models }, async (rosetta) => {
          const comparison = await rosetta.evaluate(o.dataset, {
            task: task === 'auto' ? undefined : task,
            split: o.split,
            imageRoot: o.images,
            onProgress: progress,
            templates: o.templates?.split('|'),
          });
          if (progress) process.stderr.write('\n');
          if (o.report) {
            await evaluation.writeReport(
              o.report,
              comparison.task === 'retrieval'
                ? { title: `Retrieval: ${o.dataset}`, retrieval: comparison.results as RetrievalResult[] }
                : { title: `Zero-shot: ${o.dataset}`, zeroshot: comparison.results as ZeroShotResult[] },
            );
          }
          if (o.json) {
            printJson({ task: comparison.task, rows: comparison.rows, results: comparison.results, report: o.report });
            return;
          }
          process.stdout.write(
            comparison.task === 'retrieval'
              ? evaluation.formatRetrieval(comparison.results as RetrievalResult[])
              : evaluation.formatZeroShot(comparison.results as ZeroShotResult[]),
          );
          process.stdout.write(`\n${o.report ? `report: ${o.report}\n` : ''}`);
        });
      }),
    );
}
