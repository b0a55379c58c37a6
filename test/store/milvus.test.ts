import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusStore, openMilvusStore, milvusExpr } from '../../src/store/milvus/milvus-store.js';
import { DataType } from '@zilliz/milvus2-sdk-node';
import { columnPatchRows, itemRowPatch, itemsSchema, segmentsSchema, vectorsSchema } from '../../src/store/milvus/schema.js';
import { parseMilvusVersion, supportsPartialUpdate } from '../../src/store/milvus/server-version.js';
import { axisVector, checkUpdateKeepsVectors, makeFixture, runConformance, SPACE } from './conformance.js';
import { hasMilvus, milvusSkipReason, MilvusHarness, type MilvusKind } from '../helpers/milvus-server.js';
import { before, after } from 'node:test';

describe('MilvusStore filter expressions (no server needed)', () => {
  it('translates every pushed-down filter field and quotes strings safely', () => {
    assert.equal(
      milvusExpr({ modality: ['image', 'video'], kinds: ['scene'], minSize: 5, maxSize: 9, after: 1, before: 2, tags: ['a"b'] }, true),
      'modality in ["image", "video"] and kind in ["scene"] and size >= 5 and size <= 9 and ' +
        'mtime_ms >= 1 and mtime_ms < 2 and array_contains_all(tags, ["a\\"b"])',
    );
    assert.equal(
      milvusExpr({ kinds: ['scene'], pathGlob: '**/x/**' }, false),
      undefined,
      'items have no kind column; globs are post-filtered',
    );
    assert.equal(milvusExpr({ modality: [] }, true), 'false');
  });

  it('refuses keyword search with ROSETTA_ERR_UNSUPPORTED instead of answering nothing', async () => {
    const store = new MilvusStore({ address: '127.0.0.1:9' });
    await assert.rejects(store.searchText('red car', { k: 5 }), { code: 'ROSETTA_ERR_UNSUPPORTED', message: /full-text/ });
    await store.close();
  });
});

describe('MilvusStore tag and location changes (pure logic: the version gate and the rows a partial upsert sends)', () => {
  it('uses partial upserts from Milvus 2.6.2 on, and whole-row rewrites before or when the version is unreadable', () => {
    const cases: [string | undefined, boolean][] = [
      ['v2.6.2', true],
      ['2.6.3', true],
      ['v2.6.10', true],
      ['v2.7.0', true],
      ['v3.0.0-beta', true],
      ['v2.6.1', false],
      ['v2.6.0-rc1', false],
      ['v2.5.14', false],
      ['2.4.23', false],
      ['Zilliz Cloud Vector Database(Compatible with Milvus 2.5)', false],
      ['', false],
      [undefined, false],
      ['unknown', false],
      ['milvus_lite-3.2.2', false],
      ['v2.3.5-lite', false],
      ['v2.6.2-lite', true],
    ];
    for (const [version, expected] of cases) assert.equal(supportsPartialUpdate(version), expected, `version ${JSON.stringify(version)}`);
    assert.deepEqual(parseMilvusVersion('v2.6.2-dev'), [2, 6, 2]);
    assert.deepEqual(parseMilvusVersion('Compatible with Milvus 2.5'), [2, 5, 0]);
  });

  it('patches segment and vector rows with their key and the item columns only: never a vector, never the segment record', () => {
    const { item } = makeFixture('h9', { axis: 0, locations: ['/a/x.jpg', '/b/x.jpg'], tags: ['t1', 'say "hi"'], mtimeMs: 1234, size: 77 });
    for (const [schema, key] of [
      [segmentsSchema(), 'id'],
      [vectorsSchema(512), 'segment_id'],
    ] as const) {
      const rows = columnPatchRows(key, ['h9:image:0', 'h9:image:1'], item);
      assert.equal(rows.length, 2);
      assert.deepEqual(
        rows.map((r) => r[key]),
        ['h9:image:0', 'h9:image:1'],
      );
      for (const row of rows) {
        assert.deepEqual(row, {
          [key]: row[key],
          item_hash: 'h9',
          modality: 'image',
          size: 77,
          mtime_ms: 1234,
          tags: ['t1', 'say "hi"'],
          locations: ['/a/x.jpg', '/b/x.jpg'],
        });
        const fields = new Map(schema.map((f) => [f.name, f]));
        for (const name of Object.keys(row)) {
          // The SDK refuses a row naming a field the collection lacks; a vector field would travel again.
          assert.ok(fields.has(name), `${name} is a field of the collection`);
          assert.ok(
            ![DataType.FloatVector, DataType.BinaryVector].includes(fields.get(name)!.data_type as DataType),
            `${name} is not a vector`,
          );
        }
        assert.ok(fields.get(key)!.is_primary_key, `${key} is the primary key`);
      }
    }
  });

  it('patches the item row with the new record and its columns, leaving out the placeholder vector', () => {
    const { item } = makeFixture('h9', { axis: 0, tags: ['a'], meta: { starred: true } });
    const row = itemRowPatch(item);
    assert.deepEqual(row, {
      hash: 'h9',
      record: item,
      modality: 'image',
      size: 1000,
      mtime_ms: item.mtimeMs,
      tags: ['a'],
      locations: item.locations,
    });
    const fields = new Set(itemsSchema().map((f) => f.name));
    for (const name of Object.keys(row)) assert.ok(fields.has(name), `${name} is a field of the items collection`);
    assert.ok(fields.has('_v') && !('_v' in row));
  });
});

/**
 * The suites that need a server, against one `kind` of server: ROSETTA_MILVUS_ADDRESS names a running Milvus (any
 * version); else the set-up's server of that kind is started for this file on free loopback ports
 * (test/helpers/milvus-server.ts). `gaps` names what that server lacks, each with the reason, and skips exactly that.
 */
function serverSuites(label: string, kind: MilvusKind, given: string | undefined, gaps: { paging20k?: string } = {}): void {
  if (!given && !hasMilvus(kind)) {
    describe(`VectorStore conformance: ${label}`, () => {
      it('runs against a real server', (t) => {
        t.skip(`${milvusSkipReason(kind)}; or set ROSETTA_MILVUS_ADDRESS=host:19530 to use a running Milvus`);
      });
    });
    return;
  }
  let harness: MilvusHarness | undefined;
  let address = given ?? '';
  let n = 0;
  const run = `${Date.now().toString(36)}`;
  const open = (extra: { fullRewrite?: boolean } = {}) =>
    openMilvusStore({ address, token: process.env.ROSETTA_MILVUS_TOKEN, prefix: `rosetta_test_${run}_${n++}_`, ...extra });
  describe(`${label} server`, () => {
    before(async () => {
      if (!given) {
        harness = await MilvusHarness.start(kind);
        address = harness.address;
      }
    });
    after(async () => {
      await harness?.close();
    });
    runConformance(label, () => open(), { fullText: false });
    describe(`MilvusStore on ${label}: version gate, paging, tag and location changes`, () => {
      it('reads the server version and picks partial upserts exactly from Milvus 2.6.2 on', async () => {
        const store = await open();
        try {
          assert.ok(store.serverVersion, 'a version string');
          assert.equal(store.partialUpdates, supportsPartialUpdate(store.serverVersion));
          if (kind === 'milvus' && !given) assert.match(store.serverVersion!, /^v2\.3\.5/, "the set-up's Milvus 2.3.5");
          if (kind === 'lite') assert.equal(store.partialUpdates, false, "Milvus Lite's own version number is not a Milvus version");
        } finally {
          await store.close();
        }
      });
      it(
        'reads every one of 20,000 items and vectors, past the 16,384-row query window, with none lost or repeated',
        { skip: gaps.paging20k ?? false },
        async () => {
          const store = await open();
          try {
            const N = 20_000;
            const hash = (i: number) => `p${String(i).padStart(5, '0')}`;
            // Written in a scrambled key order, so a server answering pages in storage order would lose rows.
            const order = Array.from({ length: N }, (_, i) => (i * 7919) % N);
            for (let start = 0; start < N; start += 2500) {
              await store.commitItems(
                order.slice(start, start + 2500).map((i) => ({
                  ...makeFixture(hash(i), {
                    axis: i % 8,
                    tags: i % 2 ? ['odd'] : ['even'],
                    locations: [`/bulk/${i % 10}/${hash(i)}.jpg`],
                  }),
                  spaces: [SPACE],
                })),
              );
            }
            assert.equal(await store.countItems(), N);
            const listed = (await store.listItems()).map((i) => i.hash);
            assert.equal(listed.length, N, 'listItems returns every item');
            assert.deepEqual(
              listed,
              Array.from({ length: N }, (_, i) => hash(i)),
              'each once, in hash order',
            );
            const odd = await store.listItems({ tags: ['odd'] });
            assert.equal(odd.length, N / 2);
            assert.ok(odd.every((i) => i.tags[0] === 'odd'));
            assert.equal((await store.listItems({ pathGlob: '/bulk/3/**' })).length, N / 10);
            const seen = new Set<string>();
            let count = 0;
            for await (const batch of store.scanVectors(SPACE))
              for (const v of batch) {
                seen.add(v.segmentId);
                count += 1;
              }
            assert.equal(count, N, 'scanVectors yields every vector once');
            assert.equal(seen.size, N);
            assert.equal((await store.getItems(listed.slice(0, 3000))).length, 3000);
            // A second commit of a batch with fewer segments drops the stale rows by key.
            await store.commitItems([0, 1].map((i) => ({ ...makeFixture(hash(i), { axis: 0, n: 2 }), spaces: [SPACE] })));
            await store.commitItems([0, 1].map((i) => ({ ...makeFixture(hash(i), { axis: 0, n: 1 }), spaces: [SPACE] })));
            assert.deepEqual(
              (await store.getItemSegments(hash(0))).map((x) => x.id),
              [`${hash(0)}:image:0`],
            );
            assert.equal((await store.search(SPACE, axisVector(3), { k: 10, filter: { tags: ['odd'] } })).length, 10);
          } finally {
            await store.close();
          }
        },
      );
      it('the whole-row rewrite (the path of servers before 2.6.2) keeps vectors and search results too', async () => {
        const store = await open({ fullRewrite: true });
        try {
          assert.equal(store.partialUpdates, false);
          await checkUpdateKeepsVectors(store);
        } finally {
          await store.close();
        }
      });
    });
  });
}

// The real Milvus (the `milvus` wheel's 2.3.5 standalone server), or the server ROSETTA_MILVUS_ADDRESS names.
serverSuites('milvus', 'milvus', process.env.ROSETTA_MILVUS_ADDRESS);
// Milvus Lite 3.x, a Python re-implementation of the API: all of the suite passes on it (it once lost rows when a
// key-paged read got pages in storage order: the store now asks for key order). Its gaps, none exercised by the
// suite: its Connect reply names an old server, and its upserts always merge (partial_update is ignored), which is
// why the store treats it as a server without partial upserts.
serverSuites('milvus-lite', 'lite', undefined);

describe('MilvusStore paging and errors (pure logic)', () => {
  it('reads every row past the 16,384-row query window, page by primary key, with no row lost or repeated', async () => {
    const { readAllByKey, pageExpr } = await import('../../src/store/milvus/page-by-key.js');
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${String(i).padStart(6, '0')}`);
    const asked: string[] = [];
    const rows = await readAllByKey(
      async (after, limit) => {
        asked.push(pageExpr('modality == "image"', 'hash', after));
        // Like Milvus: rows above the key, at most `limit`, in no promised order within the page.
        return keys
          .filter((k) => after === undefined || k > after)
          .slice(0, limit)
          .reverse()
          .map((hash) => ({ hash }));
      },
      (r) => r.hash,
      4096,
    );
    assert.equal(rows.length, 40_000);
    assert.equal(new Set(rows.map((r) => r.hash)).size, 40_000);
    assert.equal(asked.length, 10);
    assert.equal(asked[1], '(modality == "image") and hash > "k004095"');
  });

  it('describes SDK failures that are not Error objects instead of printing [object Object]', async () => {
    const { describeMilvusError } = await import('../../src/store/milvus/page-by-key.js');
    assert.equal(describeMilvusError({ code: 14, details: 'No connection established' }), 'No connection established (code 14)');
    assert.equal(
      describeMilvusError({ error_code: 'CollectionNotExists', reason: 'collection not found[rosetta_items]' }),
      'collection not found[rosetta_items]',
    );
    assert.equal(describeMilvusError({ error_code: 'UnexpectedError' }), '{"error_code":"UnexpectedError"}');
  });
});

describe('--store milvus:// URLs', () => {
  it('parse into address, database and prefix, and refuse other schemes naming the option', async () => {
    const { parseMilvusUrl } = await import('../../src/store/milvus/milvus-url.js');
    assert.deepEqual(parseMilvusUrl('milvus://db.example:19531/photos?prefix=team_', 'tok'), {
      address: 'db.example:19531',
      database: 'photos',
      prefix: 'team_',
      token: 'tok',
    });
    assert.deepEqual(parseMilvusUrl('milvus://10.0.0.5'), {
      address: '10.0.0.5:19530',
      database: undefined,
      prefix: undefined,
      token: undefined,
    });
    assert.throws(() => parseMilvusUrl('http://x:19530'), /milvus:\/\/ URL.*for store/);
  });
});
