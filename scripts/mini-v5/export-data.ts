/**
 * rosetta-mini v5, stage 0: the training data, exported through Rosetta's own door so training and search cannot
 * drift. Pictures come from the v4 pipeline (rasterised, composited on white, bicubic to 32 px: `loadModelPixels`),
 * texts are the CLDR labels and keywords in five languages tokenised by a WordPiece vocabulary learned from
 * training text only, spoken labels are espeak-ng/sox clips turned into log-mel frames by the same extractor the
 * exported CLAP layout declares. Optionally, English texts are embedded by a frozen all-MiniLM-L6-v2 (the teacher).
 *
 *   node --import tsx scripts/mini-v5/export-data.ts --out DIR [--concepts N] [--clips N] [--one-voice-per-label] [--teacher DIR]
 *
 * Writes DIR/dataset.json, pixels.u8 [P,32,32,3], mels.f16 [C,frames,64] (IEEE half), teacher.f32 [T,384]
 * and DIR/hub/ (config, preprocessor and tokenizer files of the hub layout; the recipe adds the graphs).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LANGUAGES, loadEmojiPairs, loadGroupNames } from '../../src/datasets/emoji-pairs.js';
import { loadStylePictures } from '../../src/train/data/style-pictures.js';
import { loadModelPixels } from '../../src/train/data/raster-cache.js';
import { HELD_OUT_STYLE, PICTURE_SOURCES } from '../../src/train/data/picture-sources.js';
import { sourceVersion } from '../../src/train/data/style-pictures.js';
import { buildStyleTokenizer } from '../../src/train/mini/train-mini.js';
import { pictureTexts } from '../../src/train/mini/style-data.js';
import { clipMel, planClips, speakClips } from '../../src/train/mini/room-audio.js';
import { HELD_OUT_VARIANTS } from '../../src/train/features/voices.js';
import { writeHubLayout } from '../../src/train/export/hub-layout.js';
import { toHalf } from '../../src/train/export/mini-graphs.js';
import { MINI } from '../../src/train/model/mini-architecture.js';

const { values: args } = parseArgs({
  options: {
    out: { type: 'string' },
    concepts: { type: 'string' },
    clips: { type: 'string' },
    'one-voice-per-label': { type: 'boolean' },
    teacher: { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
});
if (!args.out) throw new Error('--out DIR is required');
const out = resolve(args.out);
mkdirSync(out, { recursive: true });
const seed = Number(args.seed);
const languages = [...DEFAULT_LANGUAGES];
const rank = (s: string) => createHash('sha256').update(`v5:${s}`).digest().readUInt32BE(0);
const t0 = Date.now();
const log = (m: string) => console.log(`[export ${((Date.now() - t0) / 1000).toFixed(0)} s] ${m}`);

// Pictures: the emoji styles (v4 weights icons 0, so v5 starts from the same set). A smoke subset keeps the
// first N concepts by a fixed hash (held-out and training concepts alike, so every split has members).
const emojiStyles = PICTURE_SOURCES.filter((s) => s.kind !== 'icon').map((s) => s.style);
let pictures = loadStylePictures({ languages, styles: emojiStyles }).filter((p) => p.emoji);
if (args.concepts) {
  const keep = new Set([...new Set(pictures.map((p) => p.concept))].sort((a, b) => rank(a) - rank(b)).slice(0, Number(args.concepts)));
  pictures = pictures.filter((p) => keep.has(p.concept));
}
log(`${pictures.length} pictures; rasterising through the image door (cached)`);
const pixels = await loadModelPixels(pictures, (d, n) => {
  if (d % 2000 === 0) log(`pixels ${d}/${n}`);
});
const S = MINI.imageSize;
const pix = new Uint8Array(pictures.length * S * S * 3);
pixels.forEach((p, i) => pix.set(p, i * S * S * 3));
writeFileSync(join(out, 'pixels.u8'), pix);

// Concepts and their texts (label, label + keywords) in every language.
const pairs = loadEmojiPairs({ languages });
const byId = new Map(pairs.map((p) => [p.id, p]));
const conceptIds = [...new Set(pictures.map((p) => p.concept))].sort();
const conceptIndex = new Map(conceptIds.map((c, i) => [c, i]));
const groups = loadGroupNames(languages);
const trainTexts = pictures.filter((p) => !p.heldOutConcept && !p.heldOutStyle).map((p) => pictureTexts(p, languages));
const tokenizer = buildStyleTokenizer(trainTexts, groups);
const texts: { concept: number; lang: string; kind: 'label' | 'keywords'; text: string; ids: number[] }[] = [];
for (const c of conceptIds) {
  const e = byId.get(c)!;
  for (const lang of languages) {
    texts.push({ concept: conceptIndex.get(c)!, lang, kind: 'label', text: e.labels[lang], ids: tokenizer.encode(e.labels[lang]) });
    const kw = `${e.labels[lang]} ${e.tags[lang].join(' ')}`;
    texts.push({ concept: conceptIndex.get(c)!, lang, kind: 'keywords', text: kw, ids: tokenizer.encode(kw) });
  }
}
log(`${conceptIds.length} concepts, ${texts.length} texts, vocabulary ${tokenizer.vocab.length}`);

// Teacher: all-MiniLM-L6-v2 (set-up's registry folder), mean-pooled and normalised, on every English text.
let teacherDim = 0;
const teacherDir = args.teacher ? resolve(args.teacher) : undefined;
if (teacherDir && existsSync(join(teacherDir, 'onnx', 'model.onnx'))) {
  const { env, pipeline } = await import('@huggingface/transformers');
  env.allowLocalModels = true;
  env.allowRemoteModels = false;
  const extract = await pipeline('feature-extraction', teacherDir, { dtype: 'fp32' });
  const en = texts.filter((t) => t.lang === 'en');
  const vecs: Float32Array[] = [];
  for (let s = 0; s < en.length; s += 64) {
    const r = await extract(
      en.slice(s, s + 64).map((t) => t.text),
      { pooling: 'mean', normalize: true },
    );
    teacherDim = r.dims[1];
    const d = r.data as Float32Array;
    for (let i = 0; i < r.dims[0]; i++) vecs.push(d.slice(i * teacherDim, (i + 1) * teacherDim));
  }
  const buf = new Float32Array(vecs.length * teacherDim);
  vecs.forEach((v, i) => buf.set(v, i * teacherDim));
  writeFileSync(join(out, 'teacher.f32'), Buffer.from(buf.buffer));
  log(`teacher: ${vecs.length} English texts embedded (${teacherDim}-d)`);
} else if (teacherDir) {
  log(`teacher: no onnx/model.onnx under ${teacherDir}; the text tower trains without a teacher`);
}

// Spoken labels: v4's plan (every language, two random training voices per training label, one held-out voice
// per held-out label), limited to the exported concepts (and to --clips clips for a smoke run).
const inSet = new Set(conceptIds);
let plan = planClips(pairs, languages, seed).filter((c) => inSet.has(c.pair.id));
// --one-voice-per-label: the first of v4's two training voices per label and language (half the speaking and
// half the audio epoch: the 90-minute budget), every held-out-voice clip kept so the measurement is v4's.
if (args['one-voice-per-label']) {
  const kept = new Set<string>();
  plan = plan.filter((c) => c.heldOut || (!kept.has(`${c.pair.id}/${c.language}`) && kept.add(`${c.pair.id}/${c.language}`)));
}
if (args.clips)
  plan = plan
    .sort(
      (a, b) =>
        rank(`${a.pair.id}/${a.language}/${a.voice.variant}/${a.heldOut}`) -
        rank(`${b.pair.id}/${b.language}/${b.voice.variant}/${b.heldOut}`),
    )
    .slice(0, Number(args.clips));
log(`speaking ${plan.length} clips (cached wavs)`);
const clips = await speakClips(plan, (p) => log(`speech ${p.step}/${p.total}`));
let frames = 0;
const halves: Uint16Array[] = [];
for (const c of clips) {
  const m = await clipMel(c.path);
  frames = m.length / MINI.melBins;
  const h = new Uint16Array(m.length);
  for (let i = 0; i < m.length; i++) h[i] = toHalf(m[i]);
  halves.push(h);
}
const mel = new Uint16Array(halves.reduce((a, h) => a + h.length, 0));
let o = 0;
for (const h of halves) {
  mel.set(h, o);
  o += h.length;
}
writeFileSync(join(out, 'mels.f16'), Buffer.from(mel.buffer));
log(`${clips.length} clips × ${frames} frames × ${MINI.melBins} mel`);

writeFileSync(
  join(out, 'dataset.json'),
  `${JSON.stringify({
    format: 'rosetta-mini-v5-data/1',
    seed,
    languages,
    imageSize: S,
    melBins: MINI.melBins,
    frames,
    teacherDim,
    heldOutStyle: HELD_OUT_STYLE,
    heldOutVoices: [...HELD_OUT_VARIANTS],
    vocabSize: tokenizer.vocab.length,
    padId: tokenizer.padId,
    maxTextLength: MINI.maxTextLength,
    sources: PICTURE_SOURCES.filter((s) => emojiStyles.includes(s.style)).map((s) => ({
      style: s.style,
      package: s.pkg,
      version: sourceVersion(s),
      licence: s.licence,
      attribution: s.attribution,
    })),
    concepts: conceptIds.map((c) => ({ id: c, heldOut: byId.get(c)!.heldOut, en: byId.get(c)!.labels.en })),
    pictures: pictures.map((p) => ({ concept: conceptIndex.get(p.concept)!, style: p.style, heldOutStyle: p.heldOutStyle })),
    texts: texts.map((t) => ({ concept: t.concept, lang: t.lang, kind: t.kind, ids: t.ids })),
    clips: clips.map((c) => ({
      concept: conceptIndex.get(c.pair.id)!,
      lang: c.language,
      variant: c.voice.variant,
      heldOutVoice: c.heldOut,
    })),
  })}\n`,
);

// Hub skeleton: the same config/tokenizer files v4 writes; the recipe fills onnx/ and rosetta.json.
const empty = new Uint8Array(0);
writeHubLayout(
  join(out, 'hub'),
  tokenizer,
  { textModel: empty, visionModel: empty, clipModel: empty, audioModel: empty },
  {
    name: 'rosetta-mini',
    recipeVersion: 5,
    dim: MINI.dim,
    modalities: ['text', 'image', 'audio'],
    languages,
    heldOut: [],
    logitScale: 50,
    seed,
    layouts: { clip: 'clip', clap: 'clap' },
  },
  frames,
);
log('done');
