/**
 * Child process for the SIGKILL test: commits items 0..n-1 into the collection at argv[2] and
 * prints "committed <i>" after each, until it is killed.
 */
import { openLanceStore } from '../../src/store/lancedb/lance-store.js';
import { crashFixture, SPACE } from './crash-fixture.js';

const [dir, count] = [process.argv[2], Number(process.argv[3])];
const store = await openLanceStore(dir);
for (let i = 0; i < count; i++) {
  const f = crashFixture(i);
  await store.commitItem(f.item, f.segments, f.vectors, [SPACE]);
  process.stdout.write(`committed ${i}\n`);
}
await store.close();
