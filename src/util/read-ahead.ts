/**
 * Yields what `source` yields, in order, while up to `ahead` further values are already being produced (at least one):
 * the stage that feeds a slower one works ahead of it, bounded (at most `ahead` values wait, so memory stays
 * that of `ahead + 1` values). A failure of the source reaches the consumer when it gets to that value.
 * A consumer that stops early (break, throw) waits for the values in flight before the source is closed, so
 * nothing the source started outlives the loop.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, ahead: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const inFlight: Promise<IteratorResult<T>>[] = [];
  let ended = false;
  const pull = () => {
    if (ended) return;
    const next = iterator.next();
    next.then(
      (r) => {
        if (r.done) ended = true;
      },
      () => {
        ended = true;
      },
    );
    inFlight.push(next);
  };
  try {
    for (let i = 0; i < Math.max(1, ahead); i++) pull();
    while (inFlight.length) {
      const result = await inFlight.shift()!;
      if (result.done) return;
      pull();
      yield result.value;
    }
  } finally {
    await Promise.allSettled(inFlight);
    await iterator.return?.();
  }
}
