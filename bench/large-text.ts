/**
 * Peak memory of indexing one large text file, against its size (issue 19 item 3).
 *
 *   flock /tmp/rosetta-heavy.lock node --import tsx bench/large-text.ts --sizes 2,16,40
 *   node --import tsx bench/large-text.ts --sizes 2,16 --cap 96        # V8 old space capped at 96 MB
 *   node --import tsx bench/large-text.ts --sizes 2,16,40 --cli        # the real CLI, ANN index included
 *
 * Each size is a generated text (paragraphs of the tiny test model's words, CRLF and multi-byte characters)
 * indexed with the tiny CLIP test model in a child process. Library runs (test/faults/index-child.ts, ANN
 * index off) print the peak RSS when indexing was done (before the store's end-of-run optimize) and of the
 * whole run; `--cli` runs `rosetta index <file> --model <tiny model> --offline` and prints its peak RSS.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexMeasured, runMeasured } from '../test/faults/child-cli.js';
import { textOfSize } from '../test/faults/texts.js';
import { buildTinyClip } from '../test/helpers/tiny-clip.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const SIZES = flag('sizes', '2,16,40').split(',').map(Number);
const CAP = Number(flag('cap', '0'));
const CLI = args.includes('--cli');

const root = mkdtempSync(join(tmpdir(), 'rosetta-large-text-'));
const model = buildTinyClip();
const env = CAP
  ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --max-old-space-size=${CAP} --max-semi-space-size=2`.trim() }
  : undefined;
console.log(
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${CLI ? 'CLI' : 'library, ANN off'}${CAP ? `, old space capped at ${CAP} MB` : ''}`,
);
try {
  for (const mb of SIZES) {
    const dir = join(root, `t${mb}`);
    mkdirSync(dir);
    const file = join(dir, 'big.txt');
    writeFileSync(file, textOfSize(mb * 1024 * 1024, mb));
    const collection = join(root, `c${mb}`);
    const run = CLI
      ? await runMeasured(['index', file, '--dir', collection, '--model', model, '--offline'], { timeoutMs: 1_200_000, env })
      : await indexMeasured(collection, model, [dir], { indexThreshold: 1_000_000 }, { timeoutMs: 1_200_000, env });
    if (run.code !== 0) throw new Error(`${mb} MB: exit ${run.code}\n${run.stderr}`);
    const before = CLI
      ? ''
      : `, ${(JSON.parse(run.stdout) as { peakRssBeforeOptimizeMb: number }).peakRssBeforeOptimizeMb.toFixed(0)} MB when indexing was done`;
    console.log(`${mb} MB of text: peak RSS ${run.peakRssMb.toFixed(0)} MB${before}, ${(run.ms / 1000).toFixed(0)} s`);
    rmSync(dir, { recursive: true, force: true });
    rmSync(collection, { recursive: true, force: true });
  }
} finally {
  rmSync(root, { recursive: true, force: true });
  rmSync(model, { recursive: true, force: true });
}
