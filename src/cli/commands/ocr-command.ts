import type { Command } from 'commander';
import { Option } from 'commander';
import { action, parseIntStrict, printJson } from '../shared.js';

interface OcrFlags {
  json?: boolean;
  threads?: number;
  device?: 'cpu' | 'webgpu' | 'cuda' | 'auto';
  angle: boolean;
  minConfidence?: string;
}

export function registerOcr(program: Command): void {
  program
    .command('ocr')
    .description('read the text in an image (PaddleOCR PP-OCRv4, offline): lines with boxes and confidences')
    .argument('<images...>', 'image files or URLs')
    .option('--no-angle', 'skip the upside-down line classifier')
    .option('--min-confidence <p>', 'drop lines read with less confidence than this (0–1, default 0.5)')
    .option('--threads <n>', 'ONNX Runtime threads', (v) => parseIntStrict('--threads', v))
    .addOption(new Option('--device <device>', 'where the models run').choices(['cpu', 'cuda', 'webgpu', 'auto']))
    .option('--json', 'machine-readable output')
    .action(
      action(async (images: string[], o: OcrFlags) => {
        const { ocr } = await import('../../index.js');
        const results = [];
        for (const image of images) {
          const r = await ocr(image, {
            threads: o.threads,
            device: o.device,
            angleClassifier: o.angle,
            minConfidence: o.minConfidence !== undefined ? Number(o.minConfidence) : undefined,
          });
          results.push({ image, ...r });
          if (o.json) continue;
          if (images.length > 1) process.stdout.write(`${image}:\n`);
          if (r.lines.length === 0) process.stdout.write('(no text found)\n');
          for (const l of r.lines) {
            const [x, y, w, h] = l.bounds;
            process.stdout.write(`${l.text}\t${l.confidence.toFixed(3)}\t${x},${y} ${w}×${h}${l.angle ? `\t${l.angle}°` : ''}\n`);
          }
        }
        if (o.json) printJson(images.length === 1 ? results[0] : { results });
      }),
    );
}
