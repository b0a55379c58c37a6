/**
 * rosetta-mini recipe, generator on an existing space: every picture and text of an export-data.ts dataset embedded
 * by a model Rosetta opens (`--model DIR`, e.g. the shipped v4), so `train.py --condition-space OUT` can train a
 * generator conditioned on that model's space — the way unCLIP decodes a CLIP it did not train.
 *
 *   node --import tsx scripts/mini-v5/embed-dataset.ts --data DIR --model DIR --out DIR
 *
 * Pictures go in as the 32 px pixels the export already passed through Rosetta's door (a 32 px picture is unchanged
 * by the model's own resize and crop), texts as their strings, rebuilt from the same CLDR data in the export's
 * order and checked against it. Writes OUT/images.f32 [P,D], OUT/texts.f32 [T,D] and OUT/space.json (the model, its
 * recipe version, the SHA-256 of its graphs) so a generator records the space it belongs to.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadEmojiPairs } from '../../src/datasets/emoji-pairs.js';
import { loadSpace } from '../../src/spaces/load-space.js';
import { resolveRuntime } from '../../src/models/runtime-options.js';
import type { RgbImage } from '../../src/types.js';

interface Dataset {
  imageSize: number;
  languages: string[];
  concepts: { id: string; en: string }[];
  pictures: { concept: number }[];
  texts: { concept: number; lang: string; kind: 'label' | 'keywords' }[];
}

const { values: args } = parseArgs({ options: { data: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' } } });
if (!args.data || !args.model || !args.out) throw new Error('usage: embed-dataset.ts --data DIR --model DIR --out DIR');
const data = resolve(args.data);
const model = resolve(args.model);
const out = resolve(args.out);
const meta = JSON.parse(readFileSync(join(data, 'dataset.json'), 'utf8')) as Dataset;
const t0 = Date.now();
const log = (m: string) => console.log(`[embed ${((Date.now() - t0) / 1000).toFixed(0)} s] ${m}`);

// The texts' strings, in the export's order (concept × language × label, keywords), checked against dataset.json.
const byId = new Map(loadEmojiPairs({ languages: meta.languages }).map((p) => [p.id, p]));
const strings = meta.texts.map((t, i) => {
  const e = byId.get(meta.concepts[t.concept].id);
  if (!e) throw new Error(`text ${i}: concept ${meta.concepts[t.concept].id} is not in the CLDR data any more`);
  return t.kind === 'label' ? e.labels[t.lang] : `${e.labels[t.lang]} ${e.tags[t.lang].join(' ')}`;
});
meta.texts.forEach((t, i) => {
  if (t.lang === 'en' && t.kind === 'label' && strings[i] !== meta.concepts[t.concept].en) {
    throw new Error(`text ${i} is "${strings[i]}", the export says "${meta.concepts[t.concept].en}": the CLDR data changed; re-export`);
  }
});

const space = await loadSpace({ model }, resolveRuntime({ offline: true }));
const S = meta.imageSize;
const pixels = readFileSync(join(data, 'pixels.u8'));
const P = meta.pictures.length;
if (pixels.length !== P * S * S * 3) throw new Error(`${join(data, 'pixels.u8')} holds ${pixels.length} bytes, not ${P} × ${S}² × 3`);

async function embedAll<T>(items: T[], embed: (b: T[]) => Promise<Float32Array[]>, what: string): Promise<Float32Array> {
  let dim = 0;
  const parts: Float32Array[] = [];
  for (let s = 0; s < items.length; s += 256) {
    const vs = await embed(items.slice(s, s + 256));
    dim = vs[0].length;
    parts.push(...vs);
    if ((s / 256) % 10 === 0) log(`${what} ${Math.min(s + 256, items.length)}/${items.length}`);
  }
  const all = new Float32Array(items.length * dim);
  parts.forEach((v, i) => all.set(v, i * dim));
  return all;
}

const images: RgbImage[] = meta.pictures.map((_, i) => ({
  data: new Uint8Array(pixels.buffer, pixels.byteOffset + i * S * S * 3, S * S * 3),
  width: S,
  height: S,
  channels: 3,
}));
const imageVecs = await embedAll(images, (b) => space.embedImages(b), 'pictures');
const textVecs = await embedAll(strings, (b) => space.embedTexts(b), 'texts');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'images.f32'), imageVecs);
writeFileSync(join(out, 'texts.f32'), textVecs);

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
const graphs: Record<string, string> = {};
for (const sub of ['clip', 'clap']) {
  const dir = join(model, sub, 'onnx');
  try {
    for (const f of readdirSync(dir).sort()) graphs[`${sub}/onnx/${f}`] = sha(join(dir, f));
  } catch {
    /* a layout without this folder */
  }
}
const manifest = JSON.parse(readFileSync(join(model, 'rosetta.json'), 'utf8')) as { name?: string; recipeVersion?: number };
const dim = imageVecs.length / P;
writeFileSync(
  join(out, 'space.json'),
  JSON.stringify(
    { model, name: manifest.name, recipeVersion: manifest.recipeVersion, dim, pictures: P, texts: strings.length, graphs },
    null,
    2,
  ),
);
log(`${P} pictures and ${strings.length} texts embedded (${dim}-d) by ${model} → ${out}`);
