/** The collection the search benchmarks share (bench/http.ts, bench/search-path.ts): n items, one clustered vector each. */
import type { Rosetta } from '../src/rosetta.js';
import type { ItemCommit, LanceStore } from '../src/store/lancedb/lance-store.js';
import { benchRandom, normaliseInPlace } from './synthetic-vectors.js';

/** Text queries the search benchmarks send, in turn. */
export const BENCH_QUERIES = [
  'a red car',
  'a dog on the beach',
  'happy face',
  'blue heart',
  'pizza',
  'a cat',
  'rain cloud',
  'the sun',
  'green apple',
  'music',
  'rocket',
  'a tree in autumn',
  'flag',
  'coffee',
  'book',
  'star',
];

/**
 * Inserts n items with one clustered vector each into the collection's first space. With `textEvery` m, every m-th
 * item is a text note (a `text-chunk` segment holding words), so the collection has a keyword index but no OCR lines.
 */
export async function fill(rosetta: Rosetta, n: number, textEvery = 0): Promise<void> {
  await rosetta.embed('warm up', { modality: 'text' }); // towers load lazily; the dimension is known after
  const space = rosetta.spaces[0];
  const store = rosetta.store as LanceStore;
  const r = benchRandom(7 + n);
  const clusters = Math.max(10, Math.round(n / 100));
  const centres = Array.from({ length: clusters }, () => normaliseInPlace(Float32Array.from({ length: space.dim }, r.gauss)));
  const batch = n >= 500_000 ? 25_000 : 5000; // each commit's scoped deletes scan the growing table
  for (let start = 0; start < n; start += batch) {
    const commits: ItemCommit[] = [];
    for (let i = start; i < Math.min(n, start + batch); i++) {
      const c = centres[Math.floor(r.uniform() * clusters)];
      const vector = normaliseInPlace(Float32Array.from(c, (x) => x + 0.05 * r.gauss()));
      const hash = i.toString(16).padStart(64, '0');
      const text = textEvery > 0 && i % textEvery === 0;
      const seg = text ? `${hash}:text-chunk:0` : `${hash}:image:0`;
      commits.push({
        item: {
          hash,
          modality: text ? 'text' : 'image',
          locations: [text ? `/bench/${i}.txt` : `/bench/${i}.jpg`],
          mime: text ? 'text/plain' : 'image/jpeg',
          size: 1000 + (i % 5000),
          mtimeMs: 0,
          tags: [],
          meta: {},
          indexedAt: 0,
          spaces: [`${space.id}@${space.version}`],
        },
        segments: [
          text
            ? { id: seg, itemHash: hash, kind: 'text-chunk', index: 0, text: noteText(i) }
            : { id: seg, itemHash: hash, kind: 'image', index: 0 },
        ],
        vectors: { [space.id]: [{ segmentId: seg, itemHash: hash, vector }] },
        spaces: [{ spaceId: space.id, version: space.version, dim: space.dim }],
      });
    }
    await store.commitItems(commits);
  }
  await store.optimize();
}

const WORDS =
  'red car dog beach happy face blue heart pizza cat rain cloud sun green apple music rocket tree autumn flag coffee book star'.split(' ');
/** A few words per note, deterministic, from the words the benchmark queries use. */
function noteText(i: number): string {
  return Array.from({ length: 6 }, (_, j) => WORDS[(i * 7 + j * 13) % WORDS.length]).join(' ');
}
