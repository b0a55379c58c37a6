/**
 * The hostile-media set (see hostile-media.ts) indexed in a child process: each file gets its expected outcome
 * (bombs refused by their headers before any pixel is decoded, the rest indexed for what they really hold), and
 * the child's peak memory stays within a bound of a run over small files of each kind.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { openLanceStore } from '../../src/store/lancedb/lance-store.js';
import type { IndexSummary } from '../../src/ingest/progress.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { buildTinyClap, makeTone } from '../helpers/media-fixtures.js';
import { colourImage } from '../helpers/images.js';
import { indexMeasured } from './child-cli.js';
import { blackHour, writeHostileSet } from './hostile-media.js';

/** Peak RSS the hostile set may add over a run that loads the same towers on small files (a picture, a note, a tone, a clip). */
const RSS_BOUND_MB = 150;

let root: string;
let models: string;
before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-hostile-'));
  models = `${buildTinyClip()},${await buildTinyClap(join(root, 'tiny-clap'))}`;
});
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(models.split(',')[0], { recursive: true, force: true });
});

test('the hostile-media set: each file gets its expected outcome, and peak memory stays bounded', async (t) => {
  const small = join(root, 'small');
  mkdirSync(small);
  writeFileSync(join(small, 'red.png'), await colourImage('red'));
  writeFileSync(join(small, 'note.txt'), 'A red car and a low sound.');
  await makeTone({ out: join(small, 'tone.wav'), seconds: 1, sampleRate: 16_000 });
  await blackHour(join(small, 'clip.mp4'), 4);
  const baseline = await indexMeasured(join(root, 'baseline'), models, [small]);
  assert.equal(baseline.code, 0, baseline.stderr);

  const set = join(root, 'set');
  mkdirSync(set);
  const expected = await writeHostileSet(set);
  const run = await indexMeasured(join(root, 'collection'), models, [set], {}, { timeoutMs: 240_000 });
  assert.equal(run.code, 0, run.stderr);
  const summary = JSON.parse(run.stdout) as IndexSummary;
  const failures = Object.fromEntries(summary.failures.map((f) => [basename(f.path), f]));
  for (const [name, want] of Object.entries(expected)) {
    if (want.outcome === 'failed') {
      assert.equal(failures[name]?.code, want.code, `${name}: ${JSON.stringify(failures[name])}`);
      assert.match(failures[name].reason, /pixel limit/, name);
    } else assert.equal(failures[name], undefined, `${name} failed: ${JSON.stringify(failures[name])}`);
  }
  assert.equal(summary.added, Object.values(expected).filter((e) => e.outcome === 'added').length);

  // What was stored is what the files really hold, not what their headers claim.
  const store = await openLanceStore(join(root, 'collection'));
  try {
    const byName = Object.fromEntries((await store.listItems()).map((i) => [basename(i.locations[0]), i]));
    assert.ok(Math.abs(byName['claims-4gb.wav'].duration! - 1) < 0.05, `the WAV lasts ${byName['claims-4gb.wav'].duration} s`);
    assert.equal(byName['black-hour.mp4'].duration, 3600);
    assert.deepEqual([byName['frames.gif'].width, byName['frames.gif'].height], [8, 8]);
    assert.equal((await store.getItemSegments(byName['frames.gif'].hash)).length, 1, 'one picture, not 10,000');
    const scenes = await store.getItemSegments(byName['black-hour.mp4'].hash);
    assert.ok(scenes.length > 10 && scenes.at(-1)!.t1! >= 3590, `${scenes.length} scenes, the last ends at ${scenes.at(-1)?.t1}`);
  } finally {
    await store.close();
  }
  t.diagnostic(
    `peak RSS ${run.peakRssMb.toFixed(0)} MB for the hostile set, ${baseline.peakRssMb.toFixed(0)} MB for small files; ${(run.ms / 1000).toFixed(1)} s`,
  );
  assert.ok(
    run.peakRssMb - baseline.peakRssMb < RSS_BOUND_MB,
    `peak RSS ${run.peakRssMb.toFixed(0)} MB against ${baseline.peakRssMb.toFixed(0)} MB for small files`,
  );
});
