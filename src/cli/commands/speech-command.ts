import type { Command } from 'commander';
import { action, parseIntStrict, printJson } from '../shared.js';

interface SpeechFlags {
  json?: boolean;
  threshold?: string;
  minSilence?: string;
  minSpeech?: string;
  threads?: number;
}

export function registerSpeech(program: Command): void {
  program
    .command('speech')
    .description('where people speak in an audio or video file (Silero VAD, offline): speech regions in seconds')
    .argument('<media>', 'audio or video file')
    .option('--threshold <p>', 'speech probability that starts a region (0–1, default 0.7)')
    .option('--min-silence <s>', 'silence that ends a region, in seconds (default 0.3)')
    .option('--min-speech <s>', 'shortest region kept, in seconds (default 0.25)')
    .option('--threads <n>', 'ONNX Runtime threads (default 1: the model is tiny)', (v) => parseIntStrict('--threads', v))
    .option('--json', 'machine-readable output')
    .action(
      action(async (media: string, o: SpeechFlags) => {
        const { detectSpeech } = await import('../../index.js');
        const num = (v?: string) => (v === undefined ? undefined : Number(v));
        const r = await detectSpeech(media, {
          threshold: num(o.threshold),
          minSilenceSeconds: num(o.minSilence),
          minSpeechSeconds: num(o.minSpeech),
          threads: o.threads,
        });
        if (o.json) {
          printJson({ media, ...r });
          return;
        }
        for (const s of r.regions) process.stdout.write(`${s.t0.toFixed(2)}\t${s.t1.toFixed(2)}\n`);
        process.stdout.write(`${r.regions.length} speech regions, ${r.speechSeconds.toFixed(1)} s of ${r.duration.toFixed(1)} s\n`);
      }),
    );
}
