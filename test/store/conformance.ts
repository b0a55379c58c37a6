/**
 * One behaviour suite for every VectorStore implementation. A store file calls
 * `runConformance('lancedb', () => openLanceStore(freshDir()))` and gets the same checks as every
 * other backend: durability of commits, locations, every filter, search order and scores, removal
 * and model-version changes.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ItemRecord, SearchFilter, SegmentRecord, SpaceTableInfo, VectorRecord, VectorStore } from '../../src/store/vector-store.js';
import type { Modality, SegmentKind } from '../../src/types.js';

const DIM = 8;
export const SPACE: SpaceTableInfo = { spaceId: 'mini', version: '1', dim: DIM };
export const OTHER: SpaceTableInfo = { spaceId: 'clap/audio', version: 'a1', dim: 4 };

/** A unit vector pointing mostly along axis `axis`, tilted by `tilt` toward the next axis. */
export function axisVector(axis: number, tilt = 0, dim = DIM): Float32Array {
  const v = new Float32Array(dim);
  v[axis % dim] = Math.cos(tilt);
  v[(axis + 1) % dim] = Math.sin(tilt);
  return v;
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export interface Fixture {
  item: ItemRecord;
  segments: SegmentRecord[];
  vectors: Record<string, VectorRecord[]>;
}

/** An item with `n` segments whose vectors lie near `axis` (segment i tilted by 0.1·i). */
export function makeFixture(
  hash: string,
  opts: {
    axis: number;
    n?: number;
    modality?: Modality;
    kind?: SegmentKind;
    locations?: string[];
    size?: number;
    mtimeMs?: number;
    tags?: string[];
    texts?: string[];
    meta?: Record<string, unknown>;
  },
): Fixture {
  const n = opts.n ?? 1;
  const kind = opts.kind ?? 'image';
  const item: ItemRecord = {
    hash,
    modality: opts.modality ?? 'image',
    locations: opts.locations ?? [`/data/${hash}.jpg`],
    mime: 'image/jpeg',
    size: opts.size ?? 1000,
    mtimeMs: opts.mtimeMs ?? 1_700_000_000_000,
    width: 64,
    height: 48,
    tags: opts.tags ?? [],
    meta: opts.meta ?? { source: 'test' },
    indexedAt: 1_700_000_100_000,
    spaces: [`${SPACE.spaceId}@${SPACE.version}`],
  };
  const segments: SegmentRecord[] = Array.from({ length: n }, (_, i) => ({
    id: `${hash}:${kind}:${i}`,
    itemHash: hash,
    kind,
    index: i,
    ...(kind === 'scene' ? { t0: i * 2, t1: i * 2 + 2 } : {}),
    ...(opts.texts?.[i] ? { text: opts.texts[i] } : {}),
  }));
  const vectors = {
    [SPACE.spaceId]: segments.map((s, i) => ({ segmentId: s.id, itemHash: hash, vector: axisVector(opts.axis, 0.1 * i) })),
  };
  return { item, segments, vectors };
}

async function commit(store: VectorStore, f: Fixture, spaces: SpaceTableInfo[] = [SPACE]): Promise<void> {
  await store.commitItem(f.item, f.segments, f.vectors, spaces);
}

async function hitsFor(store: VectorStore, filter?: SearchFilter, k = 50, space = SPACE): Promise<string[]> {
  const hits = await store.search(space, axisVector(0, 0.3, space.dim), { k, filter });
  return [...new Set(hits.map((h) => h.itemHash))].sort();
}

/** Every vector of a space, sorted by segment id, as plain numbers (what a reader gets back). */
async function storedVectors(store: VectorStore, space: SpaceTableInfo): Promise<[string, string, number[]][]> {
  const out: [string, string, number[]][] = [];
  for await (const batch of store.scanVectors(space)) for (const v of batch) out.push([v.segmentId, v.itemHash, Array.from(v.vector)]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

async function rankedHits(
  store: VectorStore,
  space: SpaceTableInfo,
  query: Float32Array,
  filter?: SearchFilter,
): Promise<[string, number][]> {
  return (await store.search(space, query, { k: 20, filter })).map((h) => [h.segmentId, h.score]);
}

function assertSameRanking(got: [string, number][], want: [string, number][], label: string): void {
  assert.deepEqual(
    got.map(([id]) => id),
    want.map(([id]) => id),
    `${label}: same segments in the same order`,
  );
  got.forEach(([id, score], i) => assert.ok(Math.abs(score - want[i][1]) < 1e-5, `${label}: ${id} scored ${score}, was ${want[i][1]}`));
}

/**
 * Tag, location, metadata and mtime changes (`updateItem`) in two spaces: the item's vectors come back
 * identical and nothing is added or lost, searches rank the same segments with the same scores, filters
 * follow the new values, and the segments and the other items are untouched. Exported so a backend with
 * two update paths (Milvus: partial upserts, whole-row rewrites) can run it on each.
 */
export async function checkUpdateKeepsVectors(store: VectorStore): Promise<void> {
  const f = makeFixture('moved', {
    axis: 1,
    n: 3,
    kind: 'scene',
    modality: 'video',
    locations: ['/cam/a.mp4'],
    tags: ['raw'],
    texts: ['dawn', 'noon', 'dusk'],
  });
  f.vectors[OTHER.spaceId] = f.segments.map((s, i) => ({ segmentId: s.id, itemHash: 'moved', vector: axisVector(2, 0.2 * i, OTHER.dim) }));
  await commit(store, f, [SPACE, OTHER]);
  const neighbour = makeFixture('neighbour', { axis: 2, n: 2, tags: ['raw'], locations: ['/cam/b.jpg'] });
  await commit(store, neighbour);
  const query = axisVector(1, 0.12);
  const otherQuery = axisVector(2, 0.15, OTHER.dim);
  const before = {
    vectors: await storedVectors(store, SPACE),
    other: await storedVectors(store, OTHER),
    segments: await store.getItemSegments('moved'),
    hits: await rankedHits(store, SPACE, query),
    otherHits: await rankedHits(store, OTHER, otherQuery),
  };
  assert.equal(before.vectors.length, 5);
  assert.equal(before.other.length, 3);
  // Filtered searches are compared with a filtered search (a store may answer filtered and unfiltered queries by different paths).
  const movedHits = await rankedHits(store, SPACE, query, { pathGlob: '/cam/a.mp4' });
  const movedOtherHits = await rankedHits(store, OTHER, otherQuery, { pathGlob: '/cam/a.mp4' });
  assert.deepEqual(
    movedHits.map(([id]) => id),
    before.hits.filter(([id]) => id.startsWith('moved:')).map(([id]) => id),
  );
  assert.equal(movedOtherHits.length, 3);

  await store.updateItem('moved', {
    locations: ['/cam/a.mp4', '/archive/2024/a.mp4'],
    tags: ['raw', 'kept'],
    meta: { starred: true },
    mtimeMs: 1_800_000_000_000,
  });
  assert.deepEqual(await storedVectors(store, SPACE), before.vectors, 'vectors of the first space unchanged, none added or lost');
  assert.deepEqual(await storedVectors(store, OTHER), before.other, 'vectors of the second space unchanged');
  assert.deepEqual(await store.getItemSegments('moved'), before.segments, 'segments unchanged');
  assertSameRanking(await rankedHits(store, SPACE, query), before.hits, 'unfiltered search');
  assertSameRanking(await rankedHits(store, OTHER, otherQuery), before.otherHits, 'search in the second space');
  assertSameRanking(await rankedHits(store, SPACE, query, { tags: ['kept'] }), movedHits, 'search on the new tag');
  assertSameRanking(await rankedHits(store, SPACE, query, { pathGlob: '/archive/**' }), movedHits, 'search on the new location');
  assertSameRanking(await rankedHits(store, SPACE, query, { after: 1_750_000_000_000 }), movedHits, 'search on the new mtime');
  assertSameRanking(await rankedHits(store, OTHER, otherQuery, { tags: ['kept'] }), movedOtherHits, 'second space on the new tag');
  assert.deepEqual(await store.getItem('neighbour'), neighbour.item, 'the other item untouched');
  const moved = await store.getItem('moved');
  assert.deepEqual(moved, {
    ...f.item,
    locations: ['/cam/a.mp4', '/archive/2024/a.mp4'],
    tags: ['raw', 'kept'],
    meta: { starred: true },
    mtimeMs: 1_800_000_000_000,
  });

  // Taking a location and a tag away: the filters follow again, the vectors still do not move.
  await store.updateItem('moved', { locations: ['/archive/2024/a.mp4'], tags: ['kept'] });
  assert.deepEqual(await storedVectors(store, SPACE), before.vectors, 'vectors unchanged after the second change');
  assert.deepEqual(
    (await rankedHits(store, SPACE, query, { tags: ['raw'] })).map(([id]) => id),
    ['neighbour:image:0', 'neighbour:image:1'],
    'old tag: only the neighbour',
  );
  assert.deepEqual(await rankedHits(store, SPACE, query, { pathGlob: '/cam/a.mp4' }), [], 'old location matches nothing');
  assertSameRanking(await rankedHits(store, SPACE, query), before.hits, 'unfiltered search after the second change');
  assert.equal((await store.getItemByLocation('/archive/2024/a.mp4'))?.hash, 'moved');
  assert.equal(await store.getItemByLocation('/cam/a.mp4'), undefined);
}

/** Registers the conformance tests for one store; `openFresh` must return an empty store each call. */
/** What a backend offers beyond the common core; a capability it lacks must fail with ROSETTA_ERR_UNSUPPORTED. */
export interface Capabilities {
  fullText: boolean;
}

export function runConformance(name: string, openFresh: () => Promise<VectorStore>, capabilities: Capabilities): void {
  describe(`VectorStore conformance: ${name}`, () => {
    const opened: VectorStore[] = [];
    const fresh = async () => {
      const s = await openFresh();
      opened.push(s);
      return s;
    };
    after(async () => {
      for (const s of opened) await s.close().catch(() => undefined);
    });

    it('round-trips an item, its segments and their time ranges', async () => {
      const store = await fresh();
      const f = makeFixture('h1', {
        axis: 0,
        n: 3,
        kind: 'scene',
        modality: 'video',
        texts: ['a red car', '', 'night street'],
        meta: { camera: 'x100', n: 3 },
      });
      await commit(store, f);
      assert.deepEqual(await store.getItem('h1'), f.item);
      assert.equal(await store.getItem('missing'), undefined);
      assert.equal(await store.countItems(), 1);
      const segs = await store.getItemSegments('h1');
      assert.deepEqual(segs, f.segments);
      assert.deepEqual(
        (await store.getSegments(['h1:scene:2', 'nope', 'h1:scene:0'])).map((s) => s.id),
        ['h1:scene:2', 'h1:scene:0'],
      );
      assert.deepEqual((await store.getSegments(['h1:scene:1']))[0], {
        id: 'h1:scene:1',
        itemHash: 'h1',
        kind: 'scene',
        index: 1,
        t0: 2,
        t1: 4,
      });
    });

    it('re-committing the same item twice stores one copy of everything', async () => {
      const store = await fresh();
      const f = makeFixture('dup', { axis: 1, n: 4 });
      await commit(store, f);
      await commit(store, f);
      assert.equal(await store.countItems(), 1);
      assert.equal((await store.getItemSegments('dup')).length, 4);
      const hits = await store.search(SPACE, axisVector(1), { k: 20 });
      assert.equal(hits.length, 4);
      assert.equal(new Set(hits.map((h) => h.segmentId)).size, 4);
    });

    it('re-committing with fewer segments drops the stale segments and their vectors', async () => {
      const store = await fresh();
      await commit(store, makeFixture('shrink', { axis: 2, n: 5 }));
      await commit(store, makeFixture('shrink', { axis: 2, n: 2 }));
      assert.deepEqual(
        (await store.getItemSegments('shrink')).map((s) => s.index),
        [0, 1],
      );
      const hits = await store.search(SPACE, axisVector(2), { k: 20 });
      assert.deepEqual(hits.map((h) => h.segmentId).sort(), ['shrink:image:0', 'shrink:image:1']);
    });

    it('ranks by cosine similarity and reports it as the score', async () => {
      const store = await fresh();
      for (let a = 0; a < 6; a++) await commit(store, makeFixture(`s${a}`, { axis: a, n: 2 }));
      const q = axisVector(0, 0.3);
      const hits = await store.search(SPACE, q, { k: 5 });
      assert.equal(hits.length, 5);
      assert.equal(hits[0].segmentId, 's0:image:1'); // tilt 0.1 is closest to tilt 0.3
      for (let i = 1; i < hits.length; i++) assert.ok(hits[i - 1].score >= hits[i].score, 'scores descend');
      const all = [...makeFixture('s0', { axis: 0, n: 2 }).vectors.mini, ...makeFixture('s1', { axis: 1, n: 2 }).vectors.mini];
      for (const h of hits) {
        const v = all.find((x) => x.segmentId === h.segmentId);
        // 2e-3: an ANN index holding f16 copies of the vectors (LanceDB's default) scores from those.
        if (v)
          assert.ok(
            Math.abs(h.score - dot(q, v.vector)) < 2e-3,
            `score of ${h.segmentId} is the cosine (${h.score} vs ${dot(q, v.vector)})`,
          );
      }
      assert.ok(hits.every((h) => h.score <= 1 + 1e-5 && h.score >= -1 - 1e-5));
    });

    it('finds items by location and follows location and tag updates without re-encoding', async () => {
      const store = await fresh();
      await commit(store, makeFixture('loc', { axis: 3, locations: ['/photos/2019/a.jpg'], tags: ['old'] }));
      assert.equal((await store.getItemByLocation('/photos/2019/a.jpg'))?.hash, 'loc');
      assert.equal(await store.getItemByLocation('/photos/2019/b.jpg'), undefined);
      await store.updateItem('loc', {
        locations: ['/photos/2019/a.jpg', '/backup/holidays/a.jpg'],
        tags: ['trip'],
        meta: { starred: true },
        mtimeMs: 5,
      });
      const item = await store.getItem('loc');
      assert.deepEqual(item?.locations, ['/photos/2019/a.jpg', '/backup/holidays/a.jpg']);
      assert.deepEqual(item?.tags, ['trip']);
      assert.deepEqual(item?.meta, { starred: true });
      assert.equal((await store.getItemByLocation('/backup/holidays/a.jpg'))?.hash, 'loc');
      // The search filters see the new values, so the denormalised columns followed.
      assert.deepEqual(await hitsFor(store, { pathGlob: '**/holidays/**' }), ['loc']);
      assert.deepEqual(await hitsFor(store, { tags: ['trip'] }), ['loc']);
      assert.deepEqual(await hitsFor(store, { tags: ['old'] }), []);
      assert.deepEqual(await hitsFor(store, { before: 6 }), ['loc']);
      await store.updateItem('loc', { locations: ['/backup/holidays/a.jpg'], tags: [] });
      assert.deepEqual(await hitsFor(store, { tags: ['trip'] }), [], 'tags cleared');
      await assert.rejects(store.updateItem('no-such-item', { tags: ['x'] }), /hash/);
      assert.equal(await store.getItemByLocation('/photos/2019/a.jpg'), undefined);
      assert.equal((await store.getItemSegments('loc')).length, 1, 'segments kept');
    });

    it('changes tags, locations and metadata without touching vectors: same vectors, same search results, filters follow', async () => {
      await checkUpdateKeepsVectors(await fresh());
    });

    it('applies every filter field, alone and combined, in search and listItems', async () => {
      const store = await fresh();
      await commit(
        store,
        makeFixture('img1', {
          axis: 0,
          modality: 'image',
          locations: ['/home/u/holidays/beach.jpg'],
          size: 500,
          mtimeMs: 1000,
          tags: ['sea', 'summer'],
        }),
      );
      await commit(
        store,
        makeFixture('img2', {
          axis: 0,
          modality: 'image',
          locations: ['/home/u/work/slide.png'],
          size: 5000,
          mtimeMs: 2000,
          tags: ['work'],
        }),
      );
      await commit(
        store,
        makeFixture('txt1', {
          axis: 0,
          modality: 'text',
          kind: 'text-chunk',
          locations: ['/home/u/notes/trip.md'],
          size: 50,
          mtimeMs: 3000,
          tags: ['summer'],
        }),
      );
      await commit(
        store,
        makeFixture('vid1', {
          axis: 0,
          modality: 'video',
          kind: 'scene',
          locations: ["/media/clips/it's.mp4", '/home/u/holidays/dup.mp4'],
          size: 90000,
          mtimeMs: 4000,
        }),
      );
      const cases: [SearchFilter, string[]][] = [
        [{}, ['img1', 'img2', 'txt1', 'vid1']],
        [{ modality: ['image'] }, ['img1', 'img2']],
        [{ modality: ['text', 'video'] }, ['txt1', 'vid1']],
        [{ modality: [] }, []],
        [{ kinds: ['scene'] }, ['vid1']],
        [{ kinds: ['text-chunk', 'image'] }, ['img1', 'img2', 'txt1']],
        [{ minSize: 500 }, ['img1', 'img2', 'vid1']],
        [{ maxSize: 500 }, ['img1', 'txt1']],
        [{ minSize: 100, maxSize: 6000 }, ['img1', 'img2']],
        [{ after: 2000 }, ['img2', 'txt1', 'vid1']],
        [{ before: 2000 }, ['img1']],
        [{ after: 1500, before: 3500 }, ['img2', 'txt1']],
        [{ tags: ['summer'] }, ['img1', 'txt1']],
        [{ tags: ['summer', 'sea'] }, ['img1']],
        [{ tags: ['nope'] }, []],
        [{ pathGlob: '**/holidays/**' }, ['img1', 'vid1']],
        [{ pathGlob: '/home/u/*/*.png' }, ['img2']],
        [{ pathGlob: '**/*.{md,mp4}' }, ['txt1', 'vid1']],
        [{ pathGlob: "/media/**/it's.mp4" }, ['vid1']],
        [{ pathGlob: '**/*.+(png|md)' }, ['img2', 'txt1']], // extglob: post-filtered
        [{ pathGlob: '/home/u/h?lidays/*' }, ['img1', 'vid1']],
        [{ modality: ['image', 'video'], pathGlob: '**/holidays/**', tags: ['summer'], after: 500 }, ['img1']],
      ];
      for (const [filter, expected] of cases) {
        assert.deepEqual(await hitsFor(store, filter), expected, `search ${JSON.stringify(filter)}`);
        assert.deepEqual(
          (await store.listItems(filter)).map((i) => i.hash),
          expected,
          `listItems ${JSON.stringify(filter)}`,
        );
      }
      assert.equal((await store.listItems(undefined, 2)).length, 2);
      // A glob that matches few rows still returns k hits when enough exist (over-fetch).
      const hits = await store.search(SPACE, axisVector(0), { k: 1, filter: { pathGlob: '**/dup.mp4' } });
      assert.deepEqual(
        hits.map((h) => h.itemHash),
        ['vid1'],
      );
    });

    it('removes an item with its segments and vectors', async () => {
      const store = await fresh();
      await commit(store, makeFixture('keep', { axis: 4, n: 2 }));
      await commit(store, makeFixture('gone', { axis: 4, n: 3, texts: ['doomed words', 'doomed', 'doomed'] }));
      await store.removeItem('gone');
      assert.equal(await store.getItem('gone'), undefined);
      assert.deepEqual(await store.getItemSegments('gone'), []);
      assert.equal(await store.countItems(), 1);
      assert.deepEqual(await hitsFor(store), ['keep']);
      if (capabilities.fullText) assert.deepEqual(await store.searchText!('doomed', { k: 5 }), []);
      await store.removeItem('gone'); // removing twice is harmless
    });

    it('keeps spaces apart and re-creates only the space whose version changed', async () => {
      const store = await fresh();
      const f = makeFixture('multi', { axis: 5, n: 2 });
      f.vectors[OTHER.spaceId] = f.segments.map((s, i) => ({ segmentId: s.id, itemHash: 'multi', vector: axisVector(i, 0, OTHER.dim) }));
      await commit(store, f, [SPACE, OTHER]);
      assert.equal((await store.search(OTHER, axisVector(0, 0, OTHER.dim), { k: 5 })).length, 2);
      const v2: SpaceTableInfo = { ...SPACE, version: '2' };
      const g = makeFixture('fresh', { axis: 5 });
      await store.commitItem(g.item, g.segments, g.vectors, [v2]);
      // The old version's vectors are gone; a query in the old version finds nothing comparable.
      assert.deepEqual(await store.search(SPACE, axisVector(5), { k: 5 }), []);
      assert.deepEqual(
        (await store.search(v2, axisVector(5), { k: 5 })).map((h) => h.itemHash),
        ['fresh'],
      );
      assert.equal((await store.search(OTHER, axisVector(0, 0, OTHER.dim), { k: 5 })).length, 2, 'other space untouched');
      assert.equal(await store.countItems(), 2);
      const s = store as VectorStore & { spaceVersion?: (id: string) => string | undefined };
      if (s.spaceVersion) assert.equal(s.spaceVersion(SPACE.spaceId), '2');
    });

    it(
      capabilities.fullText
        ? 'searches segment text by keyword'
        : 'refuses keyword search with ROSETTA_ERR_UNSUPPORTED (never an empty answer)',
      async () => {
        const store = await fresh();
        if (!capabilities.fullText) {
          await commit(store, makeFixture('c0', { axis: 0, texts: ['a red car'] }));
          await assert.rejects(store.searchText('red', { k: 5 }), { code: 'ROSETTA_ERR_UNSUPPORTED' });
          return;
        }
        // Before any text: nothing, and text written afterwards is still found (a textless answer is not kept past a write).
        await commit(store, makeFixture('c0', { axis: 4, n: 1 }));
        assert.deepEqual(await store.searchText('red', { k: 5 }), []);
        await commit(store, makeFixture('c1', { axis: 0, n: 2, texts: ['a red sports car at night', 'parking lot'], tags: ['cars'] }));
        await commit(store, makeFixture('c2', { axis: 1, n: 1, texts: ['a red apple on a table'] }));
        await commit(store, makeFixture('c3', { axis: 2, n: 1, texts: ['blue sky over the sea'] }));
        const hits = await store.searchText('red car', { k: 5 });
        assert.equal(hits[0].segmentId, 'c1:image:0');
        assert.ok(!hits.some((h) => h.itemHash === 'c3'));
        assert.deepEqual(
          (await store.searchText('red', { k: 5, filter: { tags: ['cars'] } })).map((h) => h.itemHash),
          ['c1'],
        );
        // Rows written after the index exists are searchable too.
        await commit(store, makeFixture('c4', { axis: 3, n: 1, texts: ['a vintage red car'] }));
        assert.ok((await store.searchText('vintage', { k: 5 })).some((h) => h.itemHash === 'c4'));
      },
    );

    it('commits a batch of items at once, each whole, and refuses the same item twice in one batch', async () => {
      const store = await fresh();
      const batch = ['b1', 'b2', 'b3'].map((h, i) => makeFixture(h, { axis: i, n: 2 }));
      await store.commitItems(batch.map((f) => ({ ...f, spaces: [SPACE] })));
      assert.equal(await store.countItems(), 3);
      assert.deepEqual(
        (await store.getItemSegments('b2')).map((s) => s.id),
        ['b2:image:0', 'b2:image:1'],
      );
      const twice = makeFixture('b4', { axis: 4 });
      await assert.rejects(
        store.commitItems([
          { ...twice, spaces: [SPACE] },
          { ...twice, spaces: [SPACE] },
        ]),
        /at most once/,
      );
      assert.equal(await store.getItem('b4'), undefined);
    });

    it('gets several items by hash in the order asked, leaving out unknown hashes', async () => {
      const store = await fresh();
      for (const [i, h] of ['g1', 'g2', 'g3'].entries()) await commit(store, makeFixture(h, { axis: i }));
      assert.deepEqual(
        (await store.getItems(['g3', 'nope', 'g1'])).map((i) => i.hash),
        ['g3', 'g1'],
      );
      assert.deepEqual(await store.getItems([]), []);
    });

    it('attaches segments to a stored item, replaces them by id, and drops the vector of a segment given none', async () => {
      const store = await fresh();
      await commit(store, makeFixture('a1', { axis: 0, tags: ['kept'] }));
      const caption = (i: number, text: string) => ({ id: `a1:caption:${i}`, itemHash: 'a1', kind: 'caption' as const, index: i, text });
      await store.addSegments(
        'a1',
        [caption(0, 'first words'), caption(1, 'second')],
        {
          mini: [
            { segmentId: 'a1:caption:0', itemHash: 'a1', vector: axisVector(6) },
            { segmentId: 'a1:caption:1', itemHash: 'a1', vector: axisVector(7) },
          ],
        },
        [SPACE],
      );
      assert.deepEqual(
        (await store.getItemSegments('a1')).map((s) => s.id),
        ['a1:caption:0', 'a1:caption:1', 'a1:image:0'],
      );
      assert.equal(
        (await store.search(SPACE, axisVector(6), { k: 1, filter: { tags: ['kept'] } }))[0].segmentId,
        'a1:caption:0',
        "attached vectors carry the item's filter columns",
      );
      // Replace caption 0, blank caption 1 (no vector): its vector is gone, the image's stays.
      await store.addSegments(
        'a1',
        [caption(0, 'new words'), caption(1, '')],
        { mini: [{ segmentId: 'a1:caption:0', itemHash: 'a1', vector: axisVector(5) }] },
        [SPACE],
      );
      const ids = (await store.search(SPACE, axisVector(7), { k: 10 })).map((h) => h.segmentId).sort();
      assert.deepEqual(ids, ['a1:caption:0', 'a1:image:0']);
      assert.equal((await store.getSegments(['a1:caption:0']))[0].text, 'new words');
      await assert.rejects(store.addSegments('missing', [], {}, [SPACE]), /stored item/);
    });

    it('rejects a query vector of the wrong dimension and a bad k, naming the parameter', async () => {
      const store = await fresh();
      await commit(store, makeFixture('x', { axis: 0 }));
      await assert.rejects(store.search(SPACE, new Float32Array(3), { k: 5 }), /vector/);
      await assert.rejects(store.search(SPACE, axisVector(0), { k: 0 }), /for k/);
      await assert.rejects(
        store.commitItem(
          makeFixture('y', { axis: 0 }).item,
          [],
          { mini: [{ segmentId: 'y:image:0', itemHash: 'y', vector: axisVector(0) }] },
          [SPACE],
        ),
        /segment/,
      );
      assert.equal(await store.getItem('y'), undefined, 'a rejected commit writes nothing');
    });

    it('optimize keeps results exact on a small collection', async () => {
      const store = await fresh();
      for (let a = 0; a < 8; a++) await commit(store, makeFixture(`o${a}`, { axis: a, n: 2 }));
      const before = await store.search(SPACE, axisVector(3, 0.05), { k: 3 });
      await store.optimize();
      assert.deepEqual(await store.search(SPACE, axisVector(3, 0.05), { k: 3 }), before);
      assert.equal(before[0].itemHash, 'o3');
    });
  });
}
