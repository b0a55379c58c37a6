import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { attachText } from '../../src/collection/attach-text.js';
import { openLanceStore } from '../../src/store/lancedb/lance-store.js';
import { kindsButOcr } from '../../src/search/words-in-pictures.js';
import type { SearchResult } from '../../src/search/query.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';

const answer = (results: SearchResult[]) => results.map((r) => [r.path, r.kind, r.segmentId, r.score]);

test('words in pictures: a collection without OCR lines answers as without the lookup; a line added later, even by another process, is found', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rosetta-search-path-'));
  const files = join(root, 'files');
  mkdirSync(files);
  writeFileSync(join(files, 'red.png'), await colourImage('red'));
  writeFileSync(join(files, 'blue.png'), await colourImage('blue', { seed: 2 }));
  writeFileSync(join(files, 'fire.txt'), 'A red glow over the hills at night.');
  writeFileSync(join(files, 'sky.txt'), 'The sky was a deep blue that evening.');
  const dir = join(root, '.rosetta');
  const writer = await Rosetta.open(dir, { spaces: [buildTinyClip()], offline: true });
  assert.equal((await writer.index([files])).added, 4);
  await writer.store.optimize(); // the keyword index over the notes' text: the collection has text, but no OCR lines
  // A reader beside the writer, as a server beside a CLI run: it sees the other's commits on its next read.
  const reader = await Rosetta.open(dir, { offline: true, store: await openLanceStore(dir, { followWritesSeconds: 0 }) });
  try {
    for (const query of ['a red glow over the hills', 'red grand opening sale', 'blue']) {
      const plain = await reader.search(query, { k: 4 });
      assert.equal(plain.length, 4, query);
      // Leaving OCR lines out by hand takes no words-in-pictures lookup at all: the answer must be the same.
      assert.deepEqual(answer(plain), answer(await reader.search(query, { k: 4, filter: { kinds: kindsButOcr() } })), query);
      assert.ok(plain.every((r) => r.kind !== 'ocr'));
    }
    assert.deepEqual(await reader.store.searchText('grand opening', { k: 5, filter: { kinds: ['ocr'] } }), []);
    // Each result carries its records: a note its text, a picture its path, each its item's locations.
    const mixed = await reader.search('a red glow over the hills', { k: 4 });
    const note = mixed.find((r) => r.path.endsWith('fire.txt'))!;
    assert.equal(note.text, 'A red glow over the hills at night.');
    assert.equal(note.kind, 'text-chunk');
    const picture = mixed.find((r) => r.path.endsWith('red.png'))!;
    assert.equal(picture.kind, 'image');
    assert.equal(picture.text, undefined);
    assert.deepEqual(picture.locations, [join(files, 'red.png')]);

    // Words read in the red picture are attached by the other process: the reader's next search finds them.
    await attachText(writer.store, writer.spaces, join(files, 'red.png'), [{ kind: 'ocr', text: 'GRAND OPENING SALE' }]);
    await writer.store.optimize();
    const found = await reader.search('red grand opening sale', { k: 3 });
    assert.match(found[0].path, /red\.png$/);
    assert.equal(found[0].kind, 'ocr');
    assert.equal(found[0].text, 'GRAND OPENING SALE');
    const lines = await reader.store.searchText('grand opening', { k: 5, filter: { kinds: ['ocr'] } });
    assert.deepEqual(
      lines.map((h) => h.text),
      ['GRAND OPENING SALE'],
    );
    // A query none of whose words is in the line still ranks by the vectors alone.
    const unrelated = await reader.search('a red glow over the hills', { k: 4 });
    assert.ok(unrelated.every((r) => r.kind !== 'ocr'));

    // Search collapses pictures and text chunks by their ids alone: the store refuses a time range on them.
    const space = writer.spaces[0];
    const id = `${note.itemHash}:text-chunk:7`;
    const [vector] = await space.embedTexts(['red red red']);
    await assert.rejects(
      writer.store.addSegments(
        note.itemHash,
        [{ id, itemHash: note.itemHash, kind: 'text-chunk', index: 7, t0: 3, t1: 4.5, text: 'red red red' }],
        { [space.id]: [{ segmentId: id, itemHash: note.itemHash, vector }] },
        [{ spaceId: space.id, version: space.version, dim: space.dim }],
      ),
      { code: 'ROSETTA_ERR_ARG_INVALID', message: /no time range on a 'text-chunk' segment/ },
    );
  } finally {
    await reader.close();
    await writer.close();
    rmSync(root, { recursive: true, force: true });
  }
});
