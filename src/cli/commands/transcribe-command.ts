import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { Rosetta } from '../../core.js';
import { action, printJson } from '../shared.js';

interface Flags {
  allAudio?: boolean;
  speechOnly?: boolean;
  store?: boolean;
  dir: string;
  model?: string;
  language?: string;
  translate?: boolean;
  format: 'text' | 'srt' | 'vtt';
  out?: string;
  offline?: boolean;
  cacheDir?: string;
  json?: boolean;
}

export function registerTranscribe(program: Command): void {
  program
    .command('transcribe')
    .description('speech → text with timestamps (Whisper), as text, SRT or WebVTT')
    .argument('<media>', 'audio or video file')
    .option('--model <model>', 'speech model (hub id or directory)')
    .option('--language <code>', 'spoken language (default: detected)')
    .option('--translate', 'translate to English')
    .option(
      '--all-audio',
      'decode the whole file; by default only the stretches where people speak are decoded (Silero VAD): faster, and no words invented on silence',
    )
    // The default since issue 16; kept so scripts written when it was opt-in still run.
    .addOption(new Option('--speech-only').hideHelp().conflicts('allAudio'))
    .addOption(new Option('--format <f>', 'output format').choices(['text', 'srt', 'vtt']).default('text'))
    .option('-o, --out <file>', 'write the output to a file')
    .option('--offline', 'never download models')
    .option('--cache-dir <path>', 'model cache directory')
    .option('--json', 'machine-readable output')
    .option('--store', 'keep the transcript as timed text segments of the indexed item (so "where she says…" searches find it)')
    .option('--dir <path>', 'collection directory, with --store', process.env.ROSETTA_DIR ?? './.rosetta')
    .action(
      action(async (media: string, o: Flags) => {
        const { toSrt, toVtt, transcribe } = await import('../../index.js');
        const rosetta = o.store ? await Rosetta.open(o.dir, { offline: o.offline, cacheDir: o.cacheDir, create: false }) : undefined;
        const run = rosetta
          ? (m: string, opts: Parameters<typeof transcribe>[1]) =>
              rosetta.transcribe(m, { ...opts, store: true }).finally(() => rosetta.close())
          : transcribe;
        const r = await run(media, {
          model: o.model,
          language: o.language,
          task: o.translate ? 'translate' : 'transcribe',
          offline: o.offline,
          cacheDir: o.cacheDir,
          speechOnly: !o.allAudio,
          onPartial: o.json || o.out || !process.stderr.isTTY ? undefined : (t) => process.stderr.write(`\r${t.slice(-70)}`),
        });
        if (!o.json && !o.out && process.stderr.isTTY) process.stderr.write('\n');
        const body = o.format === 'srt' ? toSrt(r.segments) : o.format === 'vtt' ? toVtt(r.segments) : `${r.text}\n`;
        if (o.out) writeFileSync(o.out, body);
        if (o.json) printJson({ media, ...r, out: o.out });
        else if (!o.out) process.stdout.write(r.text || o.format !== 'text' ? body : '');
        // Not an error: the file was read, nobody speaks in it. Said on stderr, so a piped transcript stays empty.
        if (!o.json && r.speechRegions?.length === 0) {
          process.stderr.write(
            `No speech found in ${media} (${r.duration.toFixed(1)} s examined): nothing to transcribe. Use --all-audio to decode it anyway.\n`,
          );
        }
      }),
    );
}
