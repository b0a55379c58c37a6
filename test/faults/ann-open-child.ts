/**
 * Child of the ANN tampering tests: opens the collection at argv[2] (items 0..argv[3]-1 of the ANN fixture),
 * searches 20 queries, and prints recall@10 against brute force with the index's state. Run in a child
 * because a forged index file once aborted the whole process (std::bad_alloc, exit 134).
 */
import { openLanceStore } from '../../src/store/lancedb/lance-store.js';
import { ANN_SPACE, exactTopK, itemNumber, queryOf } from '../store/ann-fixture.js';

const [dir, count] = [process.argv[2], Number(process.argv[3])];
const live = Array.from({ length: count }, (_, i) => i);
const store = await openLanceStore(dir, { indexThreshold: 100 });
let found = 0,
  wanted = 0;
for (let q = 0; q < 20; q++) {
  const truth = new Set(exactTopK(queryOf(q), live, 10));
  const hits = await store.search(ANN_SPACE, queryOf(q), { k: 10 });
  found += hits.filter((h) => truth.has(itemNumber(h.itemHash))).length;
  wanted += truth.size;
}
const status = store.annStatus(ANN_SPACE.spaceId)[0];
await store.close();
process.stdout.write(`${JSON.stringify({ recall: found / wanted, state: status.state, reason: status.reason, events: status.events })}\n`);
