import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { attachText } from '../../src/collection/attach-text.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { buildTinyClap } from '../helpers/media-fixtures.js';
import { colourImage } from '../helpers/images.js';
import { buildTinyCaptioner } from '../helpers/tiny-generators.js';

test('captions and transcript lines stored with an indexed item are found by keyword and as timed moments', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rosetta-attach-'));
  const files = join(root, 'files');
  mkdirSync(files);
  writeFileSync(join(files, 'red.png'), await colourImage('red'));
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=f=300:d=8:r=16000', join(files, 'talk.wav')]);
  const rosetta = await Rosetta.open(join(root, '.rosetta'), {
    spaces: [buildTinyClip(), await buildTinyClap(mkdtempSync(join(tmpdir(), 'clap-')))],
    offline: true,
    cacheDir: join(root, 'cache'),
  });
  await rosetta.index([files]);

  // Zero-shot tags are not a caption: storing them is refused, and nothing is attached.
  await assert.rejects(rosetta.caption(join(files, 'red.png'), { labels: ['red', 'green', 'blue'], store: true }), {
    code: 'ROSETTA_ERR_MODEL_NOT_FOUND',
    message: /tags are not a caption/,
  });
  const [picture] = await rosetta.store.listItems({ modality: ['image'] });
  assert.equal((await rosetta.store.getItemSegments(picture.hash)).length, 1, 'only the image segment');
  // A real captioner's caption is stored (a tiny random-weight ViT-GPT2: the words mean nothing, the plumbing is real).
  const captioned = await rosetta.caption(join(files, 'red.png'), { model: buildTinyCaptioner().dir, maxNewTokens: 4, store: true });
  assert.equal(captioned.kind, 'caption');
  assert.equal(captioned.stored, captioned.text.trim() ? 1 : 0);
  assert.deepEqual(
    (await rosetta.store.getItemSegments(picture.hash)).filter((s) => s.kind === 'caption').map((s) => s.text),
    captioned.text.trim() ? [captioned.text.trim()] : [],
  );
  await attachText(rosetta.store, rosetta.spaces, join(files, 'talk.wav'), [
    { kind: 'transcript', text: 'welcome everyone', t0: 0, t1: 2.5 },
    { kind: 'transcript', text: 'the quarterly results are strong', t0: 4, t1: 6.5 },
  ]);
  await rosetta.store.optimize(); // refreshes the keyword index

  const hits = await rosetta.search('quarterly results', { k: 3, hybrid: true, in: ['audio'] });
  assert.match(hits[0].path, /talk\.wav$/);
  assert.equal(hits[0].kind, 'transcript');
  assert.deepEqual([hits[0].t0, hits[0].t1], [4, 6.5]);
  assert.match(hits[0].ref, /talk\.wav#t=4\.0,6\.5$/);
  const segments = await rosetta.store.getItemSegments(hits[0].itemHash);
  assert.equal(segments.filter((s) => s.kind === 'transcript').length, 2);

  // Storing again replaces the earlier text of that kind instead of piling up.
  await attachText(rosetta.store, rosetta.spaces, join(files, 'talk.wav'), [{ kind: 'transcript', text: 'one line only', t0: 0, t1: 8 }]);
  const after = (await rosetta.store.getItemSegments(hits[0].itemHash)).filter((s) => s.kind === 'transcript' && s.text);
  assert.deepEqual(
    after.map((s) => s.text),
    ['one line only'],
  );

  writeFileSync(join(root, 'unindexed.png'), await colourImage('blue'));
  await assert.rejects(
    attachText(rosetta.store, rosetta.spaces, join(root, 'unindexed.png'), [{ kind: 'caption', text: 'x' }]),
    /not in this collection.*rosetta index/s,
  );
  await rosetta.close();
  rmSync(root, { recursive: true, force: true });
});
