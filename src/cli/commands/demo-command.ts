import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { Rosetta, type SearchResult } from '../../core.js';
import { action, indexProgressBar, printJson } from '../shared.js';

interface DemoFlags {
  out: string;
  limit?: number;
  json?: boolean;
}

/**
 * The main job of a fresh clone: index a real sample collection with the shipped mini model, offline,
 * then search it every way (text in two languages, image, image+text) and measure how often the
 * right picture comes first.
 */
/**
 * What the demo's "skipped" were: on a first run, files with the same bytes as another (one item, several
 * locations: the flags of Norway and Bouvet Island are the same picture); on a later run, files unchanged since.
 */
async function whySkipped(rosetta: Rosetta, summary: { added: number; skipped: number }, filesDir: string): Promise<string> {
  if (summary.skipped === 0) return '';
  if (summary.added === 0) return ' (unchanged since the last run)';
  const shared = (await rosetta.store.listItems()).filter((item) => item.locations.length > 1);
  if (shared.length === 0) return '';
  const names = shared
    .map((item) =>
      item.locations
        .map((l) => relative(filesDir, l))
        .sort()
        .join(' = '),
    )
    .join('; ');
  return ` (the same bytes under another name, kept as one item with both locations: ${names})`;
}

interface DemoDrawing {
  prompt: string;
  file: string;
  seed: number;
  /** CLIPScore of the picture with its own prompt, and with the other demo prompt (the space's judgement). */
  consistency: number;
  consistencyWithOther: number;
}

/**
 * The mini model's generator draws each prompt (seed 1, best of 4) into OUT/imagined/, and the space scores each
 * picture against its own prompt and the other one. A mini model without a usable generator says so and the demo goes on.
 */
async function imagineDemo(rosetta: Rosetta, out: string, prompts: string[], log: (s: string) => void): Promise<DemoDrawing[]> {
  const { mkdir, writeFile } = await import('node:fs/promises');
  const drawn: DemoDrawing[] = [];
  await mkdir(join(out, 'imagined'), { recursive: true });
  log("\nimagine (the mini model's generator draws each prompt from noise; 32 px, shown at 256 px):");
  for (const [i, prompt] of prompts.entries()) {
    let r;
    try {
      r = await rosetta.imagine(prompt, { seed: 1, bestOf: 4 });
    } catch (e) {
      // No generator, or one left behind by a retrained model: the search part of the demo still stands.
      const code = (e as { code?: string }).code;
      if (code !== 'ROSETTA_ERR_MODEL_NO_GENERATOR' && code !== 'ROSETTA_ERR_MODEL_GENERATOR_SPACE_MISMATCH') throw e;
      log(`  skipped: ${(e as Error).message}`);
      return drawn;
    }
    const file = join(out, 'imagined', `${prompt.replace(/[^\p{L}\p{N}]+/gu, '-').replace(/^-|-$/g, '') || 'prompt'}.png`);
    await writeFile(file, r.png);
    const other = prompts[(i + 1) % prompts.length];
    const own = await rosetta.score(file, prompt);
    const vs = await rosetta.score(file, other);
    drawn.push({ prompt, file, seed: r.seed ?? 1, consistency: own.score, consistencyWithOther: vs.score });
    log(
      `  "${prompt}" → ${relative(out, file)}: consistency ${own.score.toFixed(2)} with its prompt, ${vs.score.toFixed(2)} with "${other}"`,
    );
  }
  return drawn;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'index a sample collection (emoji in a drawing style the mini model never saw, and notes) with the mini model and search it',
    )
    .option('--out <dir>', 'where the sample files and the collection go', './rosetta-demo')
    .option('--limit <n>', 'number of pictures', (v) => Number(v))
    .option('--json', 'machine-readable output')
    .action(
      action(async (o: DemoFlags) => {
        const { buildDemoCollection, recallAtK } = await import('../../index.js');
        const out = resolve(o.out);
        const demo = await buildDemoCollection(out, { limit: o.limit });
        const rosetta = await Rosetta.open(join(out, '.rosetta'), { spaces: ['mini'], offline: true });
        const log = (s: string) => {
          if (!o.json) process.stdout.write(`${s}\n`);
        };
        try {
          log(
            `Indexing ${demo.images.length} emoji pictures (${demo.style}, a style the model never saw) and ${demo.notes.length} notes ` +
              `from ${relative(process.cwd(), demo.filesDir) || '.'} with the mini model (offline)…`,
          );
          const bar = indexProgressBar(!o.json);
          const summary = await rosetta.index([demo.filesDir], { onProgress: bar.onProgress });
          bar.stop();
          log(
            `  ${summary.added} added, ${summary.updated} updated, ${summary.skipped} skipped` +
              `${await whySkipped(rosetta, summary, demo.filesDir)}, ${summary.failed} failed in ${summary.seconds.toFixed(1)} s`,
          );

          const show = (title: string, results: SearchResult[]) => {
            log(`\n${title}`);
            for (const r of results) log(`  ${r.rank}. ${r.score.toFixed(3)}  ${relative(out, r.path)}`);
          };
          const queries: Record<string, SearchResult[]> = {};
          const sample = demo.images.filter((_, i) => i % Math.max(1, Math.floor(demo.images.length / 3)) === 0).slice(0, 3);
          for (const { pair } of sample) {
            queries[pair.labels.en] = await rosetta.search(pair.labels.en, { k: 3, in: ['image'] });
            show(`search "${pair.labels.en}" (English; pictures in a style never seen in training):`, queries[pair.labels.en]);
          }
          const de = sample[0].pair.labels.de;
          queries[de] = await rosetta.search(de, { k: 3, in: ['image'] });
          show(`search "${de}" (German):`, queries[de]);
          const ref = demo.images[1].path;
          queries[`image:${relative(out, ref)}`] = await rosetta.search({ image: ref }, { k: 3, in: ['text'] });
          show(`search --image ${relative(out, ref)} --in text (image → the notes):`, queries[`image:${relative(out, ref)}`]);

          // How often the right picture is first, over every picture's English label.
          const ranks: number[] = [];
          for (const { pair, path } of demo.images) {
            const hits = await rosetta.search(pair.labels.en, { k: 5, in: ['image'] });
            const at = hits.findIndex((h) => h.locations.includes(path));
            ranks.push(at >= 0 ? at + 1 : Infinity);
          }
          const n = demo.images.length;
          const quality = { pictures: n, recallAt1: recallAtK(ranks, 1), recallAt5: recallAtK(ranks, 5), chanceAt1: 1 / n };
          log(
            `\nText → image over all ${n} pictures of the unseen style: R@1 ${(quality.recallAt1 * 100).toFixed(1)} %, ` +
              `R@5 ${(quality.recallAt5 * 100).toFixed(1)} % (chance R@1 ${(100 / n).toFixed(2)} %)`,
          );
          const imagined = await imagineDemo(rosetta, out, [sample[0].pair.labels.en, sample[1 % sample.length].pair.labels.en], log);
          log(
            `Collection: ${relative(process.cwd(), rosetta.dir)} — try: npx rosetta search "red heart" --dir ${relative(process.cwd(), rosetta.dir)}`,
          );
          if (o.json) printJson({ summary, queries, quality, imagined, collection: rosetta.dir });
        } finally {
          await rosetta.close();
        }
      }),
    );
}
