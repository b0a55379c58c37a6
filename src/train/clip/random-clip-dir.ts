import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClipTextTower, buildClipVisionTower, CLIP_VIT_B32, type ClipArchitecture } from './random-clip.js';

/** The files of a Transformers.js CLIP directory that come from the real model (everything but the weights). */
const REFERENCE_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'preprocessor_config.json'];

export interface RandomClipDirOptions {
  /** Which towers to write. Default both. */
  towers?: ('text' | 'vision')[];
  /** Also write the int8 variants (`*_quantized.onnx`, loaded with dtype q8). Default false. */
  quantized?: boolean;
  arch?: ClipArchitecture;
  seed?: number;
}

/**
 * A model directory with a real CLIP's configuration, tokenizer and image processor (from `referenceDir`) and
 * random-weight ONNX towers of its exact architecture: loads through Rosetta's CLIP path like the real
 * model and costs what the real model costs to run (ViT-B/32: ~350 MB vision + ~250 MB text in fp32).
 * Build it in a temporary or cache folder; it is never committed.
 */
export function writeRandomClipDir(dir: string, referenceDir: string, options: RandomClipDirOptions = {}): string {
  const arch = options.arch ?? CLIP_VIT_B32;
  const towers = options.towers ?? ['text', 'vision'];
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  for (const f of REFERENCE_FILES) if (existsSync(join(referenceDir, f))) copyFileSync(join(referenceDir, f), join(dir, f));
  const variants = options.quantized ? [false, true] : [false];
  for (const quantize of variants) {
    const suffix = quantize ? '_quantized' : '';
    if (towers.includes('vision'))
      writeFileSync(join(dir, 'onnx', `vision_model${suffix}.onnx`), buildClipVisionTower(arch, { seed: options.seed, quantize }));
    if (towers.includes('text'))
      writeFileSync(join(dir, 'onnx', `text_model${suffix}.onnx`), buildClipTextTower(arch, { seed: options.seed, quantize }));
  }
  return dir;
}
