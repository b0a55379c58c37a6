import type { Space } from '../spaces/space.js';
import { detectEvalTask } from '../datasets/load-dataset.js';
import { evaluateRetrieval, type RetrievalOptions, type RetrievalResult } from './evaluate-retrieval.js';
import { evaluateZeroShot, type ZeroShotOptions, type ZeroShotResult } from './evaluate-zeroshot.js';

export type EvaluateOptions = RetrievalOptions & ZeroShotOptions & { task?: 'retrieval' | 'zeroshot' };
export type EvaluateResult = { task: 'retrieval'; result: RetrievalResult } | { task: 'zeroshot'; result: ZeroShotResult };

/**
 * Evaluates a space on a dataset path, choosing the task from its layout unless `task` is given: a folder of
 * class folders → zero-shot classification; a caption file or a folder of captioned images → retrieval.
 * @example const { task, result } = await evaluate(space, './flickr30k/dataset_flickr30k.json', { split: 'test' });
 */
export async function evaluate(space: Space, dataset: string, options: EvaluateOptions = {}): Promise<EvaluateResult> {
  const task = options.task ?? (await detectEvalTask(dataset));
  return task === 'zeroshot'
    ? { task, result: await evaluateZeroShot(space, dataset, options) }
    : { task, result: await evaluateRetrieval(space, dataset, options) };
}
