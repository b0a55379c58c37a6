import type { Command } from 'commander';
import { action, addCommonOptions, openCollection, printJson, type CommonOptions } from '../shared.js';

export function registerDescribe(program: Command): void {
  addCommonOptions(program.command('describe').description('a timeline description of a video: scenes captioned, with what is said'))
    .argument('<video>', 'video file')
    .option('--captioner <model>', 'captioning model, or "tags"')
    .option('--no-transcript', 'do not transcribe the audio track')
    .action(action(async (video: string, o: CommonOptions & { captioner?: string; transcript: boolean }) => {
      const rosetta = await openCollection(o);
      try {
        const r = await rosetta.describe(video, { model: o.captioner, transcript: o.transcript });
        if (o.json) { printJson({ video, ...r }); return; }
        process.stdout.write(`${r.text}\n`);
        if (r.transcriptError) process.stderr.write(`note: no transcript: ${r.transcriptError}\n`);
      } finally {
        await rosetta.close();
      }
    }));
}
