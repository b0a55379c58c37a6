import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action, addCommonOptions, openCollection, parseIntStrict, printJson, type CommonOptions } from '../shared.js';

export function registerImagine(program: Command): void {
  addCommonOptions(program.command('imagine').description('text (+ reference image) → image (Janus); candidates ranked in the collection\'s image space'))
    .argument('<prompt>', 'what to draw')
    .requiredOption('-o, --out <file.png>', 'where to write the PNG')
    .option('--image <ref>', 'reference image: picks, among the candidates, the one closest to it (and the prompt) in the collection\'s space; it does not steer the pixels')
    .option('--weight <w>', 'weight of the reference in the ranking query, 0–1', (v) => Number(v), 0.5)
    .option('--best-of <n>', 'generate n candidates and keep the most consistent (default 1; 4 with --image)', (v) => parseIntStrict('--best-of', v))
    .option('--generator <model>', 'image generation model (hub id or directory)')
    .action(action(async (prompt: string, o: CommonOptions & { out: string; image?: string; weight: number; bestOf?: number; generator?: string }) => {
      const rosetta = await openCollection(o, { create: false });
      try {
        const r = await rosetta.imagine(prompt, { image: o.image, weight: o.weight, bestOf: o.bestOf, model: o.generator });
        writeFileSync(o.out, r.png);
        const info = { out: o.out, prompt, model: r.model, score: r.score, consistency: r.consistency, candidates: r.candidates.map((c) => ({ score: c.score })) };
        if (o.json) printJson(info);
        else process.stdout.write(`wrote ${o.out}${r.consistency !== undefined ? ` (consistency ${r.consistency.toFixed(3)})` : ''}\n`);
      } finally {
        await rosetta.close();
      }
    }));
}
