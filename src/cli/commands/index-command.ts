import type { Command } from 'commander';
import { showPath } from '../../util/show-path.js';
import { action, addCommonOptions, indexProgressBar, openCollection, printJson, type CommonOptions } from '../shared.js';

export function registerIndex(program: Command): void {
  addCommonOptions(program.command('index').description('index files and folders (images, text, audio, video) into the collection'))
    .argument('<paths...>', 'files or folders')
    .option('--prune', 'remove items whose files under these paths were deleted')
    .option('--tag <tag...>', 'tags to attach to every indexed item')
    .option('--speech', 'also find where people speak in audio and video (Silero VAD, offline), for search --in speech')
    .option('--ocr', 'also read the text in pictures and video keyframes (PaddleOCR, offline), so search finds them by their words')
    .action(action(async (paths: string[], o: CommonOptions & { prune?: boolean; tag?: string[]; ocr?: boolean; speech?: boolean }) => {
      const rosetta = await openCollection(o);
      const bar = indexProgressBar(!o.json);
      const controller = new AbortController();
      const onSignal = () => controller.abort();
      process.once('SIGINT', onSignal);
      try {
        const onOcrProgress = !o.json && process.stderr.isTTY ? (done: number, total: number) => process.stderr.write(`\rreading text: ${done}/${total}`) : undefined;
        const summary = await rosetta.index(paths, { prune: o.prune, tags: o.tag, onProgress: bar.onProgress, signal: controller.signal, ocr: o.ocr, speech: o.speech, onOcrProgress });
        bar.stop();
        if (o.json) { printJson(summary); return; }
        for (const f of summary.failures) process.stderr.write(`failed: ${showPath(f.path)}: ${f.reason} [${f.code}]\n`);
        process.stdout.write(`indexed in ${summary.seconds.toFixed(1)} s (${summary.filesPerSecond.toFixed(1)} files/s): `
          + `${summary.added} added, ${summary.updated} updated, ${summary.skipped} skipped, ${summary.failed} failed`
          + `${o.prune ? `, ${summary.pruned} pruned` : ''}\n`);
        if (summary.speech) {
          for (const f of summary.speech.failures) process.stderr.write(`speech not found: ${f.path}: ${f.reason} [${f.code}]\n`);
          process.stdout.write(`speech found in ${summary.speech.items} audio/video files (${summary.speech.speechSeconds.toFixed(0)} s), ${summary.speech.skipped} already read, ${summary.speech.failures.length} failed\n`);
        }
        if (summary.ocr) {
          if (onOcrProgress) process.stderr.write('\n');
          for (const f of summary.ocr.failures) process.stderr.write(`text not read: ${f.path}: ${f.reason} [${f.code}]\n`);
          process.stdout.write(`text read in ${summary.ocr.items} pictures/videos (${summary.ocr.lines} lines), ${summary.ocr.skipped} already read, ${summary.ocr.failures.length} failed\n`);
        }
      } finally {
        bar.stop();
        process.off('SIGINT', onSignal);
        await rosetta.close();
      }
    }));
}
