import { test } from 'node:test';
import assert from 'node:assert/strict';
import { batchesOf, inBatches } from '../../src/util/batches.js';
import { RosettaError } from '../../src/errors/rosetta-error.js';

test('batchesOf gives every item once, in order, size at a time, the last batch shorter', () => {
  const items = Array.from({ length: 10 }, (_, i) => i);
  const batches = [...batchesOf(items, 4)];
  assert.deepEqual(
    batches.map((b) => b.items),
    [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ],
  );
  assert.deepEqual(
    batches.map((b) => [b.start, b.end]),
    [
      [0, 4],
      [4, 8],
      [8, 10],
    ],
  );
  assert.deepEqual([...batchesOf([], 4)], [], 'an empty list has no batches');
  assert.deepEqual(
    [...batchesOf([1, 2], 100)].map((b) => b.items),
    [[1, 2]],
  );
});

test('inBatches runs one batch at a time and concatenates the results in order, with progress', async () => {
  const seen: number[][] = [];
  const done: number[] = [];
  let running = 0;
  const out = await inBatches(['a', 'b', 'c', 'd', 'e'], 2, async (batch, end) => {
    running += 1;
    assert.equal(running, 1, 'batches do not overlap');
    await new Promise((r) => setImmediate(r));
    seen.push(batch.map((s) => s.charCodeAt(0)));
    done.push(end);
    running -= 1;
    return batch.map((s) => s.toUpperCase());
  });
  assert.deepEqual(out, ['A', 'B', 'C', 'D', 'E']);
  assert.equal(seen.length, 3);
  assert.deepEqual(done, [2, 4, 5]);
});

test('a batch size that is not a positive integer is a coded error naming the setting, not an endless loop', () => {
  for (const size of [0, -1, 1.5, Number.NaN]) {
    assert.throws(
      () => [...batchesOf([1, 2, 3], size, 'batchFiles')],
      (error: unknown) => RosettaError.is(error) && error.code === 'ROSETTA_ERR_ARG_INVALID' && /batchFiles/.test(error.message),
    );
  }
});
