/**
 * Child of the ANN kill test: commits items 0..n-1 into the collection at argv[2] (index saved by
 * optimize), then commits n..n+m-1 and removes some, printing "unsaved" once the table holds those
 * writes while the index file still describes the state before them; the parent kills it there.
 */
import { openLanceStore } from '../../src/store/lancedb/lance-store.js';
import { annCommit } from './ann-fixture.js';

const [dir, first, more, removed] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const store = await openLanceStore(dir, { indexThreshold: 100 });
await store.commitItems(Array.from({ length: first }, (_, i) => annCommit(i)));
await store.optimize();
process.stdout.write('saved\n');
await store.commitItems(Array.from({ length: more }, (_, i) => annCommit(first + i)));
for (let i = 0; i < removed; i++) await store.removeItem(annCommit(i * 3).item.hash);
process.stdout.write(`unsaved ${JSON.stringify(store.annStatus()[0])}\n`);
setInterval(() => undefined, 1000); // wait to be killed
