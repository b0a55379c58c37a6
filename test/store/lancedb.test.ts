import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as lancedb from '@lancedb/lancedb';
import { openLanceStore } from '../../src/store/lancedb/lance-store.js';
import { vectorTableName } from '../../src/store/keys.js';
import { axisVector, makeFixture, runConformance, SPACE } from './conformance.js';
import { crashFixture, SEGMENTS_PER_ITEM } from './crash-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'rosetta-lance-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `c${n++}`);

runConformance('lancedb', () => openLanceStore(freshDir()), { fullText: true });
// The same behaviour when every search goes through the in-process ANN index (built from the first row).
runConformance('lancedb + ANN index', () => openLanceStore(freshDir(), { indexThreshold: 1 }), { fullText: true });

describe('LanceStore', () => {
  it('survives SIGKILL mid-ingest: a re-run leaves exact counts and no duplicates', async () => {
    const dir = freshDir();
    const total = 60;
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'crash-child.ts'), dir, String(total)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let committed = 0;
    const killedAt = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        committed += (chunk.toString().match(/committed/g) ?? []).length;
        // Kill a few commits in, while the next commit is in flight.
        if (committed >= 8 && !child.killed) {
          child.kill('SIGKILL');
          resolve(committed);
        }
      });
      child.on('exit', (code) => {
        if (!child.killed) reject(new Error(`child exited with ${code} before it was killed`));
      });
    });
    assert.ok(killedAt < total, 'the child was killed before it finished');

    const store = await openLanceStore(dir);
    const partial = await store.countItems();
    assert.ok(partial >= killedAt && partial < total, `after the kill ${partial} items are stored`);
    for (let i = 0; i < total; i++) {
      const f = crashFixture(i);
      if (await store.getItem(f.item.hash)) continue; // what ingest does: committed items are skipped
      await store.commitItem(f.item, f.segments, f.vectors, [SPACE]);
    }
    assert.equal(await store.countItems(), total);
    await store.close();

    const db = await lancedb.connect(dir);
    const segIds = (await (await db.openTable('segments')).query().select(['id']).toArray()).map((r) => String(r.id));
    const vecIds = (await (await db.openTable(vectorTableName(SPACE.spaceId))).query().select(['segment_id']).toArray()).map((r) =>
      String(r.segment_id),
    );
    assert.equal(segIds.length, total * SEGMENTS_PER_ITEM);
    assert.equal(new Set(segIds).size, segIds.length, 'no duplicate segments');
    assert.equal(vecIds.length, total * SEGMENTS_PER_ITEM);
    assert.equal(new Set(vecIds).size, vecIds.length, 'no duplicate vectors');
    db.close();
  });

  it('with the in-process index off, builds a LanceDB vector index once a space passes the threshold and still finds the nearest items', async () => {
    const store = await openLanceStore(freshDir(), { indexThreshold: 400, ann: false });
    const commits = Array.from({ length: 500 }, (_, i) => {
      const f = makeFixture(`ann${i}`, { axis: i % 8, n: 1 });
      f.vectors.mini[0].vector = axisVector(i % 8, (i / 500) * 1.2); // spread along each axis
      return { ...f, spaces: [SPACE] };
    });
    await store.commitItems(commits);
    const q = axisVector(3, 0.5);
    const exact = await store.search(SPACE, q, { k: 5 });
    await store.optimize();
    const db = await lancedb.connect(store.dir);
    const indices = await (await db.openTable(vectorTableName(SPACE.spaceId))).listIndices();
    assert.ok(
      indices.some((i) => i.columns.includes('vector')),
      'vector index built',
    );
    const ann = await store.search(SPACE, q, { k: 5 });
    assert.equal(ann[0].segmentId, exact[0].segmentId);
    const overlap = ann.filter((h) => exact.some((e) => e.segmentId === h.segmentId)).length;
    assert.ok(overlap >= 4, `recall@5 ${overlap}/5`);
    // Asking the index for more candidates than its ef (fetch × refine > ef) still answers.
    assert.equal((await store.search(SPACE, q, { k: 60 })).length, 60);
    // A selective filter under the index still returns k exact matches.
    const filtered = await store.search(SPACE, q, { k: 3, filter: { pathGlob: '/data/ann1?.jpg' } });
    assert.equal(filtered.length, 3);
    assert.ok(filtered.every((h) => /^ann1\d$/.test(h.itemHash)));
    await store.close();
    db.close();
  });

  it('on a model version change, re-creates only that space and tells ingest which version is stored', async () => {
    const store = await openLanceStore(freshDir());
    const f = makeFixture('v', { axis: 0 });
    await store.commitItem(f.item, f.segments, f.vectors, [SPACE]);
    assert.equal(store.spaceVersion(SPACE.spaceId), '1');
    const v2 = { ...SPACE, version: '2' };
    const g = makeFixture('w', { axis: 1 });
    await store.commitItem(g.item, g.segments, g.vectors, [v2]);
    assert.equal(store.spaceVersion(SPACE.spaceId), '2');
    assert.deepEqual((await store.getItem('v'))?.spaces, [], 'the old item no longer claims mini@1, so ingest re-encodes it');
    await store.close();
    const reopened = await openLanceStore(store.dir);
    assert.equal(reopened.spaceVersion(SPACE.spaceId), '2', 'the version survives a reopen');
    await reopened.close();
  });

  it('reports a broken collection directory as STORE_FAILED naming the directory', async () => {
    const file = join(root, 'not-a-dir');
    writeFileSync(file, 'x');
    await assert.rejects(
      openLanceStore(join(file, 'sub')),
      (e: Error & { code?: string }) => e.code === 'ROSETTA_ERR_STORE_FAILED' && e.message.includes(file) && /How to fix/.test(e.message),
    );
  });
});
