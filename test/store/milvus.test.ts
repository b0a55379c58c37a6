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
