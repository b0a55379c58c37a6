import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MilvusStore, openMilvusStore, milvusExpr } from '../../src/store/milvus/milvus-store.js';
import { runConformance } from './conformance.js';

const address = process.env.ROSETTA_MILVUS_ADDRESS;

describe('MilvusStore filter expressions (no server needed)', () => {
  it('translates every pushed-down filter field and quotes strings safely', () => {
    assert.equal(milvusExpr({ modality: ['image', 'video'], kinds: ['scene'], minSize: 5, maxSize: 9, after: 1, before: 2, tags: ['a"b'] }, true),
      'modality in ["image", "video"] and kind in ["scene"] and size >= 5 and size <= 9 and mtime_ms >= 1 and mtime_ms < 2 and array_contains_all(tags, ["a\\"b"])');
    assert.equal(milvusExpr({ kinds: ['scene'], pathGlob: '**/x/**' }, false), undefined, 'items have no kind column; globs are post-filtered');
    assert.equal(milvusExpr({ modality: [] }, true), 'false');
  });

  it('refuses keyword search with ROSETTA_ERR_UNSUPPORTED instead of answering nothing', async () => {
    const store = new MilvusStore({ address: '127.0.0.1:9' });
    await assert.rejects(store.searchText('red car', { k: 5 }), { code: 'ROSETTA_ERR_UNSUPPORTED', message: /full-text/ });
    await store.close();
  });
});

if (address) {
  let n = 0;
  const run = `${Date.now().toString(36)}`;
  runConformance('milvus', () => openMilvusStore({ address, token: process.env.ROSETTA_MILVUS_TOKEN, prefix: `rosetta_test_${run}_${n++}_` }), { fullText: false });
} else {
  describe('VectorStore conformance: milvus', () => {
    it('runs against a Milvus server when ROSETTA_MILVUS_ADDRESS is set', (t) => {
      t.skip('ROSETTA_MILVUS_ADDRESS is not set: no Milvus server to test against (set it to host:19530 to run the suite)');
    });
  });
}

describe('MilvusStore paging and errors (pure logic; the server path runs only with ROSETTA_MILVUS_ADDRESS)', () => {
  it('reads every row past the 16,384-row query window, page by primary key, with no row lost or repeated', async () => {
    const { readAllByKey, pageExpr } = await import('../../src/store/milvus/page-by-key.js');
    const keys = Array.from({ length: 40_000 }, (_, i) => `k${String(i).padStart(6, '0')}`);
    const asked: string[] = [];
    const rows = await readAllByKey(async (after, limit) => {
      asked.push(pageExpr('modality == "image"', 'hash', after));
      // Like Milvus: rows above the key, at most `limit`, in no promised order within the page.
      return keys.filter((k) => after === undefined || k > after).slice(0, limit).reverse().map((hash) => ({ hash }));
    }, (r) => r.hash, 4096);
    assert.equal(rows.length, 40_000);
    assert.equal(new Set(rows.map((r) => r.hash)).size, 40_000);
    assert.equal(asked.length, 10);
    assert.equal(asked[1], '(modality == "image") and hash > "k004095"');
  });

  it('describes SDK failures that are not Error objects instead of printing [object Object]', async () => {
    const { describeMilvusError } = await import('../../src/store/milvus/page-by-key.js');
    assert.equal(describeMilvusError({ code: 14, details: 'No connection established' }), 'No connection established (code 14)');
    assert.equal(describeMilvusError({ error_code: 'CollectionNotExists', reason: 'collection not found[rosetta_items]' }), 'collection not found[rosetta_items]');
    assert.equal(describeMilvusError({ error_code: 'UnexpectedError' }), '{"error_code":"UnexpectedError"}');
  });
});

describe('--store milvus:// URLs', () => {
  it('parse into address, database and prefix, and refuse other schemes naming the option', async () => {
    const { parseMilvusUrl } = await import('../../src/store/milvus/milvus-url.js');
    assert.deepEqual(parseMilvusUrl('milvus://db.example:19531/photos?prefix=team_', 'tok'), { address: 'db.example:19531', database: 'photos', prefix: 'team_', token: 'tok' });
    assert.deepEqual(parseMilvusUrl('milvus://10.0.0.5'), { address: '10.0.0.5:19530', database: undefined, prefix: undefined, token: undefined });
    assert.throws(() => parseMilvusUrl('http://x:19530'), /milvus:\/\/ URL.*for store/);
  });
});
