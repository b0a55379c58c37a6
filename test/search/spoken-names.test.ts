/**
 * What is said is found by typing it: `index --speech` with the set-up's Whisper tiny.en (models/registry) stores
 * each file's transcript as timed lines, so a made-up name spoken by different espeak-ng voices is found, by a typed
 * query, at the moment it is said (the mini model's audio tower alone finds it for 1 voice in 4). Skipped, saying
 * so, where the set-up has not converted Whisper.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { registryModelDir } from '../../src/models/local-models.js';
import { buildSpeechClip } from '../helpers/speech-clips.js';

const VOICES = [{ voice: 'en-us' }, { voice: 'en-gb-x-rp' }, { voice: 'en-us+f3', pitch: 60 }, { voice: 'en+m3' }];
const NAME = 'Moonbridge';

test(
  `a made-up name spoken by ${VOICES.length} voices is found at its moment by a typed query`,
  {
    skip: registryModelDir('whisper-tiny.en') ? false : 'run the set-up (scripts/install-python-deps.sh) to convert Whisper tiny.en',
    timeout: 20 * 60_000,
  },
  async () => {
    const root = mkdtempSync(join(tmpdir(), 'rosetta-spoken-'));
    try {
      const files = join(root, 'files');
      const work = join(root, 'work');
      mkdirSync(files);
      mkdirSync(work);
      const moments = new Map<string, { t0: number; t1: number }>();
      VOICES.forEach((v, i) => {
        const clip = buildSpeechClip(
          work,
          `talk${i}`,
          [
            'Good morning and welcome to the weekly meeting.',
            `The next speaker is ${NAME}, from the planning office.`,
            'We will close with questions from the floor.',
          ],
          [1, 3 + i, 4, 1],
          { ...v, speed: 150 },
        );
        // Under the indexed folder only the finished clip (the helper's scratch files stay outside it).
        const file = join(files, `talk${i}.wav`);
        copyFileSync(clip.file, file);
        moments.set(file, clip.spans[1]);
      });
      const rosetta = await Rosetta.open(join(root, '.rosetta'), { spaces: ['mini'], offline: true, cacheDir: join(root, 'cache') });
      const summary = await rosetta.index([files], { speech: true });
      assert.equal(summary.transcripts?.items, VOICES.length, 'each file was transcribed');
      await rosetta.store.optimize();
      const hits = await rosetta.search(NAME, { k: 20, in: ['audio'], hybrid: true });
      const found: string[] = [];
      const report: string[] = [];
      for (const [file, span] of moments) {
        const hit = hits.find((h) => h.path === file && h.kind === 'transcript');
        const ok = Boolean(hit && hit.t0 !== undefined && hit.t1 !== undefined && hit.t0 <= span.t1 && hit.t1 >= span.t0);
        if (ok) found.push(file);
        const item = hits.find((h) => h.path === file);
        const text = item
          ? (await rosetta.store.getItemSegments(item.itemHash))
              .filter((s) => s.kind === 'transcript')
              .map((s) => `[${s.t0}–${s.t1}] ${s.text}`)
              .join(' | ')
          : 'no hit';
        report.push(
          `${ok ? 'found' : 'MISSED'} ${file.slice(-9)} (said at ${span.t0.toFixed(1)}–${span.t1.toFixed(1)} s; hit ${hit?.t0}–${hit?.t1}): ${text}`,
        );
      }
      console.log(`spoken name found at its moment for ${found.length}/${VOICES.length} voices\n${report.join('\n')}`);
      assert.equal(found.length, VOICES.length, report.join('\n'));
      // And the name's four lines come before every other line said in these files.
      const lineHits = hits.filter((h) => h.kind === 'transcript');
      for (const h of lineHits.slice(0, VOICES.length)) {
        const span = moments.get(h.path)!;
        assert.ok(
          h.t0! <= span.t1 && h.t1! >= span.t0,
          `${h.path} ${h.t0}–${h.t1} is not the name's line but ranks among the first ${VOICES.length}`,
        );
      }
      await rosetta.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
);
