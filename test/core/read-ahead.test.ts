import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAhead } from '../../src/util/read-ahead.js';

async function* numbers(count: number, started: number[], failAt = -1): AsyncGenerator<number> {
  for (let i = 0; i < count; i++) {
    started.push(i);
    await new Promise((r) => setImmediate(r));
    if (i === failAt) throw new Error(`value ${i} failed`);
    yield i;
  }
}

test('readAhead yields every value in order and works at most `ahead` values ahead of its consumer', async () => {
  const started: number[] = [];
  const seen: number[] = [];
  for await (const value of readAhead(numbers(10, started), 2)) {
    // Let the source run as far as it may while this value is "being worked on".
    for (let k = 0; k < 20; k++) await new Promise((r) => setImmediate(r));
    assert.ok(started.length <= value + 3, `at value ${value} the source had started ${started.length} values`);
    assert.ok(started.length >= Math.min(10, value + 3), `at value ${value} the source had only started ${started.length} values`);
    seen.push(value);
  }
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('a failing source gives the values before the failure, then the failure', async () => {
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const v of readAhead(numbers(10, [], 4), 2)) seen.push(v);
  }, /value 4 failed/);
  assert.deepEqual(seen, [0, 1, 2, 3]);
});

test('a consumer that stops early closes the source after what was in flight', async () => {
  let closed = false;
  async function* source(): AsyncGenerator<number> {
    try {
      for (let i = 0; ; i++) {
        await new Promise((r) => setImmediate(r));
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  for await (const v of readAhead(source(), 3)) if (v === 2) break;
  assert.equal(closed, true);
});
