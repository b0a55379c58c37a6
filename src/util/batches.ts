import { expectPositiveInt } from './validate.js';

/** One slice of a list: its items and where it sits (`start` inclusive, `end` exclusive). */
export interface Batch<T> {
  items: T[];
  start: number;
  end: number;
}

/**
 * The consecutive slices of `items`, `size` at a time, in order (the last may be shorter; none for an empty
 * list). The one batching loop of the code base: model towers, evaluation and consistency checks all use it.
 * `size` must be a positive integer (a ROSETTA_ERR_ARG_INVALID naming `setting` otherwise).
 */
export function* batchesOf<T>(items: readonly T[], size: number, setting = 'batchSize'): Generator<Batch<T>> {
  expectPositiveInt(setting, size);
  for (let start = 0; start < items.length; start += size) {
    const end = Math.min(items.length, start + size);
    yield { items: items.slice(start, end), start, end };
  }
}

/**
 * Runs `fn` over `items` a batch of `size` at a time, one batch after the other, and concatenates what it
 * returns in order. `fn` gets each batch and where it ends (items done so far, for progress).
 */
export async function inBatches<T, R>(items: readonly T[], size: number, fn: (batch: T[], end: number) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (const { items: batch, end } of batchesOf(items, size)) out.push(...(await fn(batch, end)));
  return out;
}
