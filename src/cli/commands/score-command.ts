import type { Command } from 'commander';
import { scorePairs } from '../../eval/consistency/check.js';
import { writeReport } from '../../eval/report/html-report.js';
import { RosettaError } from '../../errors/rosetta-error.js';
import { ErrorCodes } from '../../errors/codes.js';
import { action, addCommonOptions, openCollection, printJson, spacesFor, type CommonOptions } from '../shared.js';

export function registerScore(program: Command): void {
  addCommonOptions(program.command('score').description('cross-modal consistency: CLIPScore = 2.5·max(cos, 0) of an image or sound with a text'))
    .argument('[media]', 'image or audio file')
    .argument('[text]', 'the text it should match')
    .option('--pairs <file>', 'score every (image|audio, text) row of a JSONL or CSV file')
    .option('--report <out.html>', 'with --pairs: an HTML report with the lowest-scoring pairs')
    .option('--space <id>', 'space to score in')
    .action(action(async (media: string | undefined, text: string | undefined, o: CommonOptions & { pairs?: string; report?: string; space?: string }) => {
      if (o.pairs) {
        const { spaces, close } = await spacesFor(o);
        try {
          const space = o.space ? spaces.find((s) => s.id === o.space) ?? spaces[0] : spaces[0];
          const result = await scorePairs(space, o.pairs);
          if (o.report) await writeReport(o.report, { title: `Scores: ${o.pairs}`, scores: result });
          if (o.json) { printJson(result); return; }
          for (const p of result.pairs) process.stdout.write(`${p.score.toFixed(3)}  ${p.path}  “${p.text}”\n`);
          const s = result.pairs.map((p) => p.score);
          if (s.length) process.stdout.write(`${s.length} pairs, mean ${(s.reduce((a, b) => a + b, 0) / s.length).toFixed(3)}${o.report ? `; report: ${o.report}` : ''}\n`);
        } finally {
          await close();
        }
        return;
      }
      if (!media || text === undefined) {
        throw new RosettaError(ErrorCodes.INVALID_ARGUMENT, 'rosetta score needs a media file and a text, or --pairs <file>', { hint: 'e.g. rosetta score photo.jpg "a red car"' });
      }
      const rosetta = await openCollection(o);
      try {
        const r = await rosetta.score(media, text, { space: o.space });
        if (o.json) printJson({ media, text, ...r });
        else process.stdout.write(`${r.score.toFixed(4)}  (cosine ${r.cosine.toFixed(4)} in ${r.space})\n`);
      } finally {
        await rosetta.close();
      }
    }));
}
