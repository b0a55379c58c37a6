import type { Command } from 'commander';
import { action, addCommonOptions, openCollection, printJson, type CommonOptions } from '../shared.js';

export function registerDescribe(program: Command): void {
  addCommonOptions(program.command('describe').description('a timeline description of a video: scenes captioned, with what is said'))
    .argument('<video>', 'video file or http(s) URL')
    .option('--captioner <model>', 'captioning model, or "tags"')
    .option('--no-transcript', 'do not transcribe the audio track')
    .option('--no-speech', 'do not mark where people speak (Silero VAD)')
    .action(
      action(async (video: string, o: CommonOptions & { captioner?: string; transcript: boolean; speech: boolean }) => {
        const rosetta = await openCollection(o, { create: false });
        try {
          const r = await rosetta.describe(video, { model: o.captioner, transcript: o.transcript, speech: o.speech });
          if (o.json) {
            printJson({ video, ...r });
            return;
          }
          process.stdout.write(`${r.text}\n`);
          if (r.transcriptError) process.stderr.write(`note: no transcript: ${r.transcriptError}\n`);
        } finally {
          await rosetta.close();
        }
      }),
    );
}
