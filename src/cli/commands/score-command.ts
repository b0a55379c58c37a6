import type { Command } from 'commander';
import { ErrorCodes, RosettaError } from '../../core.js';
import { action, addCommonOptions, printJson, withCollection, type CommonOptions } from '../shared.js';

export function registerScore(program: Command): void {
  addCommonOptions(
    program.command('score').description('cross-modal consistency: CLIPScore = 2.5·max(cos, 0) of an image or sound with a text'),
  )
    .argument('[media]', 'image or audio file')
    .argument('[text]', 'the text it should match')
    .option('--pairs <file>', 'score every (image|audio, text) row of a JSONL or CSV file')
    .option('--report <out.html>', 'with --pairs: an HTML report with the lowest-scoring pairs')
    .option('--space <id>', 'space to score in')
    .action(
      action(
        async (
          media: string | undefined,
          text: string | undefined,
          o: CommonOptions & { pairs?: string; report?: string; space?: string },
        ) => {
          const { evaluation } = await import('../../index.js');
          if (!o.pairs && (!media || text === undefined)) {
            throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, 'rosetta score needs a media file and a text, or --pairs <file>', {
              hint: 'e.g. rosetta score photo.jpg "a red car"',
            });
          }
          await withCollection(o, async (rosetta) => {
            if (o.pairs) {
              const result = await rosetta.scorePairs(o.pairs, { space: o.space });
              if (o.report) await evaluation.writeReport(o.report, { title: `Scores: ${o.pairs}`, scores: result });
              if (o.json) {
                printJson(result);
                return;
              }
              for (const p of result.pairs) process.stdout.write(`${p.score.toFixed(3)}  ${p.path}  “${p.text}”\n`);
              const s = result.pairs.map((p) => p.score);
              if (s.length)
                process.stdout.write(
                  `${s.length} pairs, mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(3)}${o.report ? `; report: ${o.report}` : ''}\n`,
                );
              return;
            }
            const r = await rosetta.score(media!, text!, { space: o.space });
            if (o.json) printJson({ media, text, ...r });
            else process.stdout.write(`${r.score.toFixed(4)}  (cosine ${r.cosine.toFixed(4)} in ${r.space})\n`);
          });
        },
      ),
    );
}
