import type { Space } from '../spaces/space.js';
import type { CaptionDataset, ClassDataset } from '../datasets/types.js';
import { loadCaptionDataset, loadClassDataset } from '../datasets/load-dataset.js';
import { evaluateRetrieval, type RetrievalOptions, type RetrievalResult } from './evaluate-retrieval.js';
import { evaluateZeroShot, type ZeroShotOptions, type ZeroShotResult } from './evaluate-zeroshot.js';
import { invalidArgument } from '../util/validate.js';

export type CompareOptions = ({ task: 'retrieval' } & RetrievalOptions) | ({ task: 'zeroshot' } & ZeroShotOptions);

/** One line of the side-by-side table; retrieval fields or zero-shot fields are set depending on the task. */
export interface ComparisonRow {
  space: string;
  model: string;
  t2iR1?: number;
  t2iR5?: number;
  t2iR10?: number;
  t2iMedianRank?: number;
  t2iMrr?: number;
  i2tR1?: number;
  i2tR5?: number;
  i2tR10?: number;
  i2tMedianRank?: number;
  i2tMrr?: number;
  accuracy?: number;
  macroRecall?: number;
  seconds: number;
}

export type Comparison =
  | { task: 'retrieval'; source: string; rows: ComparisonRow[]; results: RetrievalResult[] }
  | { task: 'zeroshot'; source: string; rows: ComparisonRow[]; results: ZeroShotResult[] };

/**
 * Runs the same dataset through several spaces (e.g. a model before and after adaptation) and puts the
 * figures side by side. The dataset is read once; spaces run one after another to bound memory.
 */
export async function compareSpaces(
  spaces: Space[],
  dataset: string | CaptionDataset | ClassDataset,
  options: CompareOptions,
): Promise<Comparison> {
  if (spaces.length === 0) throw invalidArgument('spaces', 'at least one space', spaces);
  if (options.task === 'retrieval') {
    const data = typeof dataset === 'string' ? await loadCaptionDataset(dataset, options) : (dataset as CaptionDataset);
    const results: RetrievalResult[] = [];
    for (const s of spaces) results.push(await evaluateRetrieval(s, data, options));
    const rows = results.map((r) => ({
      space: r.space.id,
      model: r.space.model,
      t2iR1: r.t2i.r1,
      t2iR5: r.t2i.r5,
      t2iR10: r.t2i.r10,
      t2iMedianRank: r.t2i.medianRank,
      t2iMrr: r.t2i.mrr,
      i2tR1: r.i2t.r1,
      i2tR5: r.i2t.r5,
      i2tR10: r.i2t.r10,
      i2tMedianRank: r.i2t.medianRank,
      i2tMrr: r.i2t.mrr,
      seconds: r.seconds,
    }));
    return { task: 'retrieval', source: data.source, rows, results };
  }
  if (options.task !== 'zeroshot') throw invalidArgument('task', 'one of: retrieval, zeroshot', (options as { task: unknown }).task);
  const data = typeof dataset === 'string' ? await loadClassDataset(dataset) : (dataset as ClassDataset);
  const results: ZeroShotResult[] = [];
  for (const s of spaces) results.push(await evaluateZeroShot(s, data, options));
  const rows = results.map((r) => ({
    space: r.space.id,
    model: r.space.model,
    accuracy: r.summary.accuracy,
    macroRecall: r.summary.macroRecall,
    seconds: r.seconds,
  }));
  return { task: 'zeroshot', source: data.source, rows, results };
}
