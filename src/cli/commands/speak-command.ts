import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action, printJson } from '../shared.js';

export function registerSpeak(program: Command): void {
  program
    .command('speak')
    .description('text → speech as a WAV file (neural model, or espeak-ng offline)')
    .argument('<text>', 'what to say')
    .requiredOption('-o, --out <file.wav>', 'where to write the WAV')
    .option(
      '--engine <engine>',
      'espeak-ng, piper (the neural voice the set-up installs), piper:<voice.onnx>, or a text-to-speech model (hub id or directory)',
    )
    .option('--voice <voice>', 'espeak-ng voice, e.g. en-us, fr, de+f3 (a neural model has one voice: asking it for another is an error)')
    .option('--language <code>', 'language for espeak-ng')
    .option('--rate <wpm>', 'words per minute (espeak-ng; piper scales its pace from 175)', (v) => Number(v))
    .option('--offline', 'never download models')
    .option('--json', 'machine-readable output')
    .action(
      action(
        async (
          text: string,
          o: { out: string; engine?: string; voice?: string; language?: string; rate?: number; offline?: boolean; json?: boolean },
        ) => {
          const { speak } = await import('../../index.js');
          const r = await speak(text, { engine: o.engine, voice: o.voice, language: o.language, rate: o.rate, offline: o.offline });
          writeFileSync(o.out, r.wav);
          const info = { out: o.out, engine: r.engine, sampleRate: r.sampleRate, duration: r.duration };
          if (o.json) printJson(info);
          else process.stdout.write(`wrote ${o.out}: ${r.duration.toFixed(2)} s at ${r.sampleRate} Hz (${r.engine})\n`);
        },
      ),
    );
}
