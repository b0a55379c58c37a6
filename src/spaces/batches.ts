/** Runs `fn` over `items` in consecutive batches of `size`, concatenating the results in order. */
export async function inBatches<T, R>(items: T[], size: number, fn: (batch: T[]) => Promise<R[]>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...await fn(items.slice(i, i + size)));
  return out;
}
