import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action, addCommonOptions, openCollection, parseIntStrict, printJson, type CommonOptions } from '../shared.js';

interface ImagineCliOptions extends CommonOptions {
  out: string;
  image?: string;
  weight: number;
  imageWeight?: number;
  bestOf?: number;
  samples?: number;
  seed?: number;
  size?: number;
  allSamples?: boolean;
  generator?: string;
}

/** `out.png` → `out-<k>.png`. */
const numbered = (out: string, k: number) => (/\.png$/i.test(out) ? out.replace(/\.png$/i, `-${k}.png`) : `${out}-${k}.png`);

export function registerImagine(program: Command): void {
  addCommonOptions(
    program
      .command('imagine')
      .description(
        "text (+ reference image) → image: Janus, or rosetta-mini's own generator with --model mini (offline); candidates ranked in the space",
      ),
  )
    .argument('<prompt>', 'what to draw')
    .requiredOption('-o, --out <file.png>', 'where to write the PNG (the best candidate)')
    .option(
      '--image <ref>',
      'reference image: with rosetta-mini its image vector is mixed into the condition (it steers the pixels); with Janus it only picks among the candidates',
    )
    .option(
      '--image-weight <w>',
      'weight of the reference, 0–1 (rosetta-mini: c = normalise((1−w)·text + w·image); Janus: the ranking query)',
      (v) => Number(v),
    )
    .option('--weight <w>', 'same as --image-weight (older name)', (v) => Number(v), 0.5)
    .option('--samples <n>', 'candidates to generate and rank, best first (rosetta-mini default 4; Janus 1, 4 with --image)', (v) =>
      parseIntStrict('--samples', v),
    )
    .option('--best-of <n>', 'same as --samples (older name)', (v) => parseIntStrict('--best-of', v))
    .option('--seed <n>', 'rosetta-mini: seed of the noise (one seed → identical pixels; default random, printed)', (v) => Number(v))
    .option('--size <px>', 'rosetta-mini: side of the PNG, enlarged from 32 px with nearest-neighbour (default 256)', (v) =>
      parseIntStrict('--size', v),
    )
    .option('--all-samples', 'also write every candidate as <out>-<k>.png (k = rank, 1 = best)')
    .option(
      '--generator <model>',
      'image generation model: `mini` or a rosetta-mini directory, a Janus hub id or directory ' +
        "(default: the --model space's own generator when it is rosetta-mini, else Janus)",
    )
    .action(
      action(async (prompt: string, o: ImagineCliOptions) => {
        const rosetta = await openCollection(o, { create: false });
        try {
          const r = await rosetta.imagine(prompt, {
            image: o.image,
            weight: o.imageWeight ?? o.weight,
            bestOf: o.samples ?? o.bestOf,
            model: o.generator,
            seed: o.seed,
            size: o.size,
          });
          writeFileSync(o.out, r.png);
          const extra: string[] = [];
          if (o.allSamples) {
            const pngs = r.samples?.map((s) => s.png) ?? [];
            pngs.forEach((png, k) => {
              const file = numbered(o.out, k + 1);
              writeFileSync(file, png);
              extra.push(file);
            });
          }
          const info = {
            out: o.out,
            prompt,
            model: r.model,
            seed: r.seed,
            score: r.score,
            consistency: r.consistency,
            candidates: r.candidates.map((c, k) => ({ score: c.score, ...(extra[k] ? { file: extra[k] } : {}) })),
          };
          if (o.json) printJson(info);
          else {
            const notes = [
              r.consistency !== undefined ? `consistency ${r.consistency.toFixed(3)}` : '',
              r.seed !== undefined ? `seed ${r.seed}` : '',
              r.candidates.length > 1 ? `best of ${r.candidates.length}` : '',
            ].filter(Boolean);
            process.stdout.write(
              `wrote ${o.out}${notes.length ? ` (${notes.join(', ')})` : ''}` +
                `${extra.length ? `, and ${extra.length} samples as ${numbered(o.out, 1)} …` : ''}\n`,
            );
          }
        } finally {
          await rosetta.close();
        }
      }),
    );
}
