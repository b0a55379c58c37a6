import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ErrorCodes, MINI_MODEL_DIR, RosettaError } from '../../core.js';
import { action, addCommonOptions, openCollection, parseIntStrict, printJson, type CommonOptions } from '../shared.js';

interface TrainFlags extends CommonOptions {
  pairs?: string;
  space?: string;
  out?: string;
  epochs?: number;
  seed?: number;
}

export function registerTrain(program: Command): void {
  addCommonOptions(
    program
      .command('train')
      .description('rebuild the mini model (`rosetta train mini`), or fit an adapter to your domain (`rosetta train --pairs pairs.jsonl`)'),
  )
    .argument('[target]', "`mini` to rebuild Rosetta's own model from the emoji art, labels and speech npm and Debian packages ship")
    .option('--pairs <file>', "JSONL or CSV of (image path or URL, caption) pairs: fit an adapter for the collection's image space")
    .option('--space <id>', 'space to adapt (default: the first image space)')
    .option('--out <dir>', 'with mini: where to write the model', MINI_MODEL_DIR)
    .option('--epochs <n>', 'with --pairs: adapter training epochs (the mini model is fitted in closed form)', (v) =>
      parseIntStrict('--epochs', v),
    )
    .option('--seed <n>', 'with mini: random seed', (v) => parseIntStrict('--seed', v))
    .action(
      action(async (target: string | undefined, o: TrainFlags) => {
        const { training } = await import('../../index.js');
        if (target === 'mini') {
          if (o.epochs !== undefined) {
            throw new RosettaError(
              ErrorCodes.INVALID_ARGUMENT,
              'rosetta-mini is fitted in closed form: it has no epochs, and --epochs would be ignored',
              {
                setting: 'epochs',
                hint: 'leave out --epochs (it sets the epochs of an adapter: rosetta train --pairs pairs.jsonl --epochs 30)',
              },
            );
          }
          const started = performance.now();
          let last = '';
          const result = await training.trainMini({
            outDir: resolve(o.out ?? MINI_MODEL_DIR),
            epochs: o.epochs,
            seed: o.seed,
            onProgress: o.json
              ? undefined
              : (p) => {
                  const line = `${p.phase} ${p.step}/${p.total}${p.loss !== undefined ? ` loss ${p.loss.toFixed(3)}` : ''}`;
                  if (line !== last && process.stderr.isTTY) process.stderr.write(`\r${line.padEnd(60)}`);
                  last = line;
                },
          });
          if (process.stderr.isTTY && !o.json) process.stderr.write('\n');
          const seconds = (performance.now() - started) / 1000;
          if (o.json) printJson({ ...result, seconds });
          else
            process.stdout.write(
              `trained rosetta-mini in ${seconds.toFixed(0)} s → ${o.out ?? MINI_MODEL_DIR}\n${JSON.stringify(result.metrics, null, 2)}\n`,
            );
          return;
        }
        if (!o.pairs) {
          throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, target ? `Unknown training target '${target}'` : 'Nothing to train', {
            hint: 'use `rosetta train mini` or `rosetta train --pairs pairs.jsonl`',
          });
        }
        const rosetta = await openCollection(o, { create: true });
        try {
          const r = await rosetta.trainAdapter(o.pairs, { space: o.space, epochs: o.epochs });
          if (o.json) {
            printJson({
              path: r.path,
              space: r.saved.spaceId,
              pairs: r.saved.pairs,
              heldOut: r.saved.heldOut,
              before: r.saved.before,
              after: r.saved.after,
              skipped: r.skipped,
            });
            return;
          }
          for (const s of r.skipped) process.stderr.write(`skipped row ${s.row ?? '?'} of ${s.file}: ${s.reason}\n`);
          const fmt = (m: Record<number, number>) => [1, 5, 10].map((k) => `R@${k} ${(m[k] * 100).toFixed(1)}%`).join(', ');
          process.stdout.write(
            `adapter for space ${r.saved.spaceId} from ${r.saved.pairs} pairs (${r.skipped.length} skipped), saved to ${r.path}\n` +
              `held-out (${r.saved.heldOut} pairs) image→text before: ${fmt(r.saved.before)}\n` +
              `held-out (${r.saved.heldOut} pairs) image→text after:  ${fmt(r.saved.after)}\n` +
              'search applies it to text queries from now on (--no-adapter to compare without)\n',
          );
        } finally {
          await rosetta.close();
        }
      }),
    );
}
