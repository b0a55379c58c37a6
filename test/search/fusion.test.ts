import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuse, RRF_K } from '../../src/search/fuse.js';
import { collapseHits, momentRef, type ScoredSegment } from '../../src/search/moments.js';
import { WORDS_IN_PICTURES_WEIGHT, wordCoverage, wordsOf } from '../../src/search/words-in-pictures.js';

test('reciprocal rank fusion adds 1/(60+rank) per list; max-score keeps the best cosine', () => {
  const lists = [
    {
      source: 'clip',
      hits: [
        { key: 'a', score: 0.31 },
        { key: 'b', score: 0.3 },
      ],
    },
    {
      source: 'clap',
      hits: [
        { key: 'b', score: 0.9 },
        { key: 'c', score: 0.8 },
      ],
    },
  ];
  const rrf = fuse(lists, 'rrf');
  assert.equal(rrf.get('b')!.score, 1 / (RRF_K + 2) + 1 / (RRF_K + 1));
  assert.equal(rrf.get('a')!.score, 1 / (RRF_K + 1));
  assert.ok(rrf.get('b')!.score > rrf.get('a')!.score, 'found by both spaces beats first in one');
  assert.deepEqual(rrf.get('b')!.sources, ['clip', 'clap']);
  assert.equal(rrf.get('b')!.best, 'clap');
  const max = fuse(lists, 'max-score');
  assert.equal(max.get('b')!.score, 0.9);
});

const seg = (item: string, t0: number | undefined, t1: number | undefined, score: number, similarity = score): ScoredSegment => ({
  segment: { id: `${item}:${t0}`, itemHash: item, kind: t0 === undefined ? 'image' : 'scene', index: 0, t0, t1 },
  score,
  similarity,
  space: 's',
  spaces: ['s'],
});

test("words in pictures: a line holding all the query's words outranks the top of a vector list, one holding under half does not", () => {
  assert.deepEqual(wordsOf('Straße, Café & INVOICE-2024'), ['strasse', 'cafe', 'invoice', '2024']);
  const query = wordsOf('invoice 2024 paid');
  assert.equal(wordCoverage(query, 'Invoice 2024 — PAID'), 1);
  assert.equal(wordCoverage(query, 'Paid in full'), 1 / 3);
  assert.equal(wordCoverage(wordsOf('cafe cafe'), 'Café'), 1, 'repeated query words count once');
  const vectors = {
    source: 'mini',
    hits: [
      { key: 'photo', score: 0.3 },
      { key: 'screen', score: 0.1 },
    ],
  };
  const full = { source: 'words in pictures', hits: [{ key: 'screen', score: 1, weight: WORDS_IN_PICTURES_WEIGHT }] };
  assert.ok(fuse([vectors, full], 'rrf').get('screen')!.score > fuse([vectors, full], 'rrf').get('photo')!.score);
  const third = { source: 'words in pictures', hits: [{ key: 'sign', score: 1 / 3, weight: WORDS_IN_PICTURES_WEIGHT / 3 }] };
  assert.ok(fuse([vectors, third], 'rrf').get('sign')!.score < fuse([vectors, third], 'rrf').get('photo')!.score);
});

test('adjacent similar hits in one video merge into one moment; distant or much weaker ones stay apart', () => {
  const out = collapseHits(
    [
      seg('v', 10, 15, 0.9),
      seg('v', 15, 20, 0.88),
      seg('v', 40, 45, 0.87),
      seg('v', 20, 25, 0.1),
      seg('img', undefined, undefined, 0.5),
      seg('img', undefined, undefined, 0.4),
    ],
    1,
  );
  const moments = out.filter((h) => h.segment.itemHash === 'v');
  assert.deepEqual(
    moments.map((m) => [m.segment.t0, m.segment.t1]),
    [
      [10, 20],
      [40, 45],
      [20, 25],
    ],
  );
  assert.equal(moments[0].score, 0.9);
  assert.equal(out.filter((h) => h.segment.itemHash === 'img').length, 1, 'one result per image');
  assert.equal(momentRef('/v.mp4', 12.5, 18), '/v.mp4#t=12.5,18.0');
  assert.equal(momentRef('/a.png'), '/a.png');
});
