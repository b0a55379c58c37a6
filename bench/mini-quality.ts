/**
 * Held-out quality of rosetta-mini (v4 protocol) beside chance, the faithful classical baseline (linear CCA on
 * the Google emoji, as issue 3 defined it) and rosetta-mini v3 and v4 (read from git), all measured in this run:
 * unseen concepts (the Google pictures of the v3 held-out split), an unseen drawing style (pictures of seen
 * concepts in the held-out style), held-out voices (held-out emoji spoken by espeak-ng variants never heard
 * in training), and encode throughput.
 *   npx tsx bench/mini-quality.ts [[label=]modelDir ...]      (default models/rosetta-mini; aims read off the last)
 * v5: measure the held-out fit (concepts held out) for generalisation and the shipped fit beside it:
 *   npx tsx bench/mini-quality.ts "v5 held-out=OUT/heldout/model" "v5 ship=models/rosetta-mini"
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadEmojiPairs, loadGroupNames, DEFAULT_LANGUAGES } from '../src/datasets/emoji-pairs.js';
import { HELD_OUT_STYLE } from '../src/train/data/picture-sources.js';
import { readRgba, type Rgba } from '../src/train/features/image-input.js';
import { fitCcaBaseline } from '../src/train/baseline/cca-baseline.js';
import { MiniEncoders } from '../src/train/mini/mini-encoders.js';
import { evaluateMini, KS, type Embedder, type MiniQuality, type Retrieval } from '../src/train/mini/evaluate-mini.js';
import { inputTensor, loadStyleData } from '../src/train/mini/style-data.js';
import { planClips, speakClips } from '../src/train/mini/room-audio.js';
import { HELD_OUT_VARIANTS } from '../src/train/features/voices.js';
import { chanceRecall } from '../src/train/eval/retrieval.js';

/** The last commits whose models/rosetta-mini is recipe v3 and recipe v4 (the earlier models are read from git). */
const GIT_MODELS: [string, string][] = [
  ['v3', '270262e'],
  ['v4', 'a1c0e65'],
];

// Models to measure beside the baseline and the git ones: `label=DIR` (or DIR, labelled by its manifest).
const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const given: [string, string][] = (args.length ? args : ['shipped=models/rosetta-mini']).map((a) => {
  const [label, d] = a.includes('=') ? (a.split('=', 2) as [string, string]) : ['', a];
  const m = JSON.parse(readFileSync(join(resolve(d), 'rosetta.json'), 'utf8')) as { recipeVersion: number; fit?: string };
  return [label || `v${m.recipeVersion}${m.fit ? ` ${m.fit}` : ''}`, resolve(d)];
});
const gitRoot = mkdtempSync(join(tmpdir(), 'rosetta-mini-git-'));
const gitDirs: [string, string][] = GIT_MODELS.map(([label, commit]) => {
  const dest = join(gitRoot, label);
  execFileSync('mkdir', ['-p', dest]);
  execFileSync('sh', ['-c', `git archive ${commit} models/rosetta-mini | tar -x -C '${dest}'`]);
  return [label, join(dest, 'models', 'rosetta-mini')];
});
const cleanup = () => rmSync(gitRoot, { recursive: true, force: true });

const languages = [...DEFAULT_LANGUAGES];
const t0 = Date.now();
const data = await loadStyleData(languages, { evalOnly: true });
const groups = loadGroupNames(languages);
const pairs = loadEmojiPairs({ languages });
const clips = await speakClips(
  planClips(pairs, languages, 1).filter((c) => c.heldOut),
  () => {},
);

// Faithful baseline: fitted on the Google training emoji only, as issue 3 defined it.
const tb = Date.now();
const googleTrain = pairs.filter((p) => !p.heldOut);
const images = new Map<string, Rgba>();
for (const p of googleTrain) images.set(p.id, await readRgba(p.imagePath));
const cca = await fitCcaBaseline(googleTrain, languages, images);
const baselineSeconds = (Date.now() - tb) / 1000;
const baselineEmbedder: Embedder = { dim: cca.dim, embedTexts: async (t) => cca.embedTexts(t), embedPixels: (px) => cca.embedPixels(px) };

const models: [string, Embedder][] = [['baseline', baselineEmbedder]];
for (const [label, d] of [...gitDirs, ...given]) models.push([label, await MiniEncoders.fromDirectory(d)]);
const last = models[models.length - 1][0];
const results = new Map<string, MiniQuality>();
for (const [name, enc] of models)
  results.set(name, await evaluateMini(enc, { data, groups, clips: name === 'baseline' ? undefined : clips }));

const f = (v: number | undefined) => (v === undefined ? '    — ' : v.toFixed(3).padStart(6));
console.log(
  `rosetta-mini held-out quality — ${given.map(([l, d]) => `${l}: ${d}`).join('; ')} (${GIT_MODELS.map(([l, c]) => `${l} from git ${c}`).join(', ')})`,
);
console.log(`baseline (faithful CCA on ${googleTrain.length} Google emoji) fitted in ${baselineSeconds.toFixed(1)} s\n`);
const table = (title: string, get: (q: MiniQuality) => Retrieval | undefined, dirs: [string, 'fromText' | 'toText'][]) => {
  const n = get(results.get(last)!)?.candidates ?? 0;
  console.log(`${title} — ${n} candidates per query`);
  console.log(`direction      lang  k   chance  ${models.map(([m]) => m.padStart(8)).join('  ')}`);
  for (const [label, key] of dirs)
    for (const lang of languages)
      for (const k of KS) {
        const cell = (m: string) => f(get(results.get(m)!)?.[key][lang]?.[k]);
        console.log(
          `${label.padEnd(14)} ${lang.padEnd(4)} ${String(k).padStart(2)}  ${f(chanceRecall(k, n))}  ${models.map(([m]) => `  ${cell(m)}`).join('  ')}`,
        );
      }
  console.log('');
};
table('unseen concepts (Google pictures of held-out emoji)', (q) => q.unseenConcepts, [
  ['text→image', 'fromText'],
  ['image→text', 'toText'],
]);
table(`unseen style (${HELD_OUT_STYLE} pictures of seen emoji)`, (q) => q.unseenStyle, [
  ['text→image', 'fromText'],
  ['image→text', 'toText'],
]);
table(`held-out voices (${HELD_OUT_VARIANTS.join(', ')}; held-out emoji, label in the clip's language)`, (q) => q.heldOutVoices, [
  ['text→audio', 'fromText'],
  ['audio→text', 'toText'],
]);
console.log(
  `zero-shot emoji group over unseen concepts (chance ${(1 / 9).toFixed(3)}): ` +
    `${languages.map((l) => `${l} ${models.map(([m]) => `${m} ${f(results.get(m)!.zeroShot[l]).trim()}`).join(' / ')}`).join('; ')}\n`,
);

// Aims of issues 15 and 23, read off the last model's column.
const v4 = results.get(last)!;
console.log(`aims, read off ${last}:`);
const en = (r: Retrieval, k: number, key: 'fromText' | 'toText' = 'fromText') => r[key].en[k];
const aims: [string, number, number][] = [
  ['unseen style, English text→image R@10', en(v4.unseenStyle, 10), 0.9],
  ['unseen style, English image→text top-5', en(v4.unseenStyle, 5, 'toText'), 0.85],
  ['unseen concepts, English text→image R@10', en(v4.unseenConcepts, 10), 0.65],
  ['held-out voices, English text→audio R@10', v4.heldOutVoices ? en(v4.heldOutVoices, 10) : NaN, 0.8],
];
for (const lang of languages.filter((l) => l !== 'en')) {
  aims.push([`unseen concepts, ${lang} text→image R@10 / English`, v4.unseenConcepts.fromText[lang][10] / en(v4.unseenConcepts, 10), 0.9]);
  aims.push([`unseen style, ${lang} text→image R@10 / English`, v4.unseenStyle.fromText[lang][10] / en(v4.unseenStyle, 10), 0.9]);
}
for (const [what, got, aim] of aims) console.log(`${got >= aim ? 'met    ' : 'not met'}  ${what}: ${got.toFixed(3)} (aim ≥ ${aim})`);

// Encode throughput of the towers in onnxruntime-node (2 threads), batch 256, same inputs for both models.
const px = data.unseenConcepts.concat(data.unseenStyle).map((i) => inputTensor(data.pixels[i]));
const texts = data.unseenConcepts.flatMap((i) => languages.map((l) => data.pictures[i].emoji!.labels[l]));
console.log('\nencode throughput (onnxruntime-node, 2 threads, batch 256)');
for (const [name, enc] of models.slice(1)) {
  const m = enc as MiniEncoders;
  await m.embedPixels(px.slice(0, 256));
  await m.embedTexts(texts.slice(0, 256));
  let t = performance.now();
  for (let r = 0; r < 3; r++) await m.embedPixels(px);
  const ips = (3 * px.length) / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let r = 0; r < 3; r++) await m.embedTexts(texts);
  const tps = (3 * texts.length) / ((performance.now() - t) / 1000);
  console.log(`  ${name}: ${ips.toFixed(0)} images/s, ${tps.toFixed(0)} texts/s`);
}
cleanup();
console.log(`\ntotal ${((Date.now() - t0) / 1000).toFixed(0)} s`);
