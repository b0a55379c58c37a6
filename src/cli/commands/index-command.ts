import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { showPath } from '../../util/show-path.js';
import { ErrorCodes, RosettaError } from '../../core.js';
import { action, addCommonOptions, indexProgressBar, openCollection, parseIntStrict, printJson, type CommonOptions } from '../shared.js';

interface IndexFlags extends CommonOptions {
  batchFiles?: number;
  prune?: boolean;
  tag?: string[];
  queue?: string;
  lockMs?: number;
  allowPrivateUrls?: boolean;
  queueKeyFile?: string;
}

/** Exit status of a run in which some files failed and the rest were indexed (as rsync's "partial transfer"). */
export const PARTIAL_FAILURE_EXIT = 23;

/**
 * When no path named on the command line exists (and none is a URL), there is nothing to index: one error
 * (exit 1) before anything is opened or created. Some missing beside others that exist are failures of a
 * partial run (exit 23), listed with the rest.
 */
async function refuseIfNoneExists(paths: string[]): Promise<void> {
  if (paths.some((p) => /^[a-z][a-z0-9+.-]*:\/\//i.test(p))) return;
  const missing: string[] = [];
  for (const p of paths) {
    try {
      await stat(p);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return; // unreadable, not missing: the run reports it
      missing.push(p);
    }
  }
  throw new RosettaError(ErrorCodes.MEDIA_UNREADABLE, `No such file or folder: ${missing.map(showPath).join(', ')}; nothing was indexed`);
}

export function registerIndex(program: Command): void {
  addCommonOptions(
    program
      .command('index')
      .description(
        `index files, folders and LAION-style shards (.tar webdataset, .parquet) into the collection; exits ${PARTIAL_FAILURE_EXIT} when some files failed`,
      ),
  )
    .argument('<paths...>', 'files, folders or shards')
    .option('--prune', 'remove items whose files under these paths were deleted')
    .option('--tag <tag...>', 'tags to attach to every indexed item')
    .option('--speech', 'also find where people speak in audio and video (Silero VAD, offline), for search --in speech')
    .option(
      '--transcripts',
      'also transcribe audio and video (Whisper; with --speech this is on when the set-up converted Whisper tiny.en) ' +
        'and store the timed lines, so search finds spoken words',
    )
    .option('--no-transcripts', 'with --speech: find speech without transcribing it')
    .option('--ocr', 'also read the text in pictures and video keyframes (PaddleOCR, offline), so search finds them by their words')
    .option(
      '--queue <redis-url>',
      'spread the work over `rosetta worker` processes through this Redis (redis://host:6379); follows the run, resumes it when run again',
    )
    .option(
      '--queue-key-file <path>',
      'with --queue: the key the run is signed with, shared with the workers ' +
        '(default $ROSETTA_QUEUE_KEY, $ROSETTA_QUEUE_KEY_FILE, else ~/.config/rosetta/queue.key)',
    )
    .option('--lock-ms <n>', 'with --queue: how long a silent committer keeps a job before it is retried', (v) =>
      parseIntStrict('--lock-ms', v),
    )
    .option('--batch-files <n>', 'files per batch (in-process) or per job (--queue, at most 1024), default 16', (v) =>
      parseIntStrict('--batch-files', v),
    )
    .option('--allow-private-urls', 'let shard URLs reach private and loopback addresses (trusted networks only)')
    .action(
      action(async (paths: string[], o: IndexFlags & { ocr?: boolean; speech?: boolean; transcripts?: boolean }) => {
        await refuseIfNoneExists(paths);
        const rosetta = await openCollection(o, { create: true });
        const bar = indexProgressBar(!o.json);
        const controller = new AbortController();
        const onSignal = () => controller.abort();
        process.once('SIGINT', onSignal);
        try {
          const onOcrProgress =
            !o.json && process.stderr.isTTY
              ? (done: number, total: number) => process.stderr.write(`\rreading text: ${done}/${total}`)
              : undefined;
          const summary = await rosetta.index(paths, {
            prune: o.prune,
            tags: o.tag,
            onProgress: bar.onProgress,
            signal: controller.signal,
            ocr: o.ocr,
            speech: o.speech,
            transcripts: o.transcripts,
            onOcrProgress,
            queue: o.queue,
            queueKeyFile: o.queueKeyFile,
            lockMs: o.lockMs,
            batchFiles: o.batchFiles,
            // With --queue: a lost Redis or a failure of the committer, each once while it repeats (off the bar's line).
            onError: (e) => process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}rosetta index: ${e.code}: ${e.message}\n`),
            fetch: o.allowPrivateUrls ? { allowPrivate: true } : undefined,
          });
          bar.stop();
          if (summary.failed > 0 || (summary.ocr?.failures.length ?? 0) > 0 || (summary.transcripts?.failures.length ?? 0) > 0)
            process.exitCode = PARTIAL_FAILURE_EXIT;
          if (o.json) {
            printJson(summary);
            return;
          }
          for (const f of summary.failures) process.stderr.write(`failed: ${showPath(f.path)}: ${f.reason} [${f.code}]\n`);
          process.stdout.write(
            `indexed in ${summary.seconds.toFixed(1)} s (${summary.filesPerSecond.toFixed(1)} files/s): ` +
              `${summary.added} added, ${summary.updated} updated, ${summary.skipped} skipped, ${summary.failed} failed` +
              `${o.prune ? `, ${summary.pruned} pruned` : ''}\n`,
          );
          if (summary.speech) {
            for (const f of summary.speech.failures) process.stderr.write(`speech not found: ${f.path}: ${f.reason} [${f.code}]\n`);
            process.stdout.write(
              `speech found in ${summary.speech.items} audio/video files (${summary.speech.speechSeconds.toFixed(0)} s), ` +
                `${summary.speech.skipped} already read, ${summary.speech.failures.length} failed\n`,
            );
          }
          if (summary.transcripts) {
            for (const f of summary.transcripts.failures) process.stderr.write(`not transcribed: ${f.path}: ${f.reason} [${f.code}]\n`);
            process.stdout.write(
              `transcribed ${summary.transcripts.items} audio/video files with ${summary.transcripts.model} (${summary.transcripts.lines} lines), ` +
                `${summary.transcripts.skipped} already read, ${summary.transcripts.failures.length} failed\n`,
            );
          }
          if (summary.ocr) {
            if (onOcrProgress) process.stderr.write('\n');
            for (const f of summary.ocr.failures) process.stderr.write(`text not read: ${f.path}: ${f.reason} [${f.code}]\n`);
            process.stdout.write(
              `text read in ${summary.ocr.items} pictures/videos (${summary.ocr.lines} lines), ` +
                `${summary.ocr.skipped} already read, ${summary.ocr.failures.length} failed\n`,
            );
          }
        } finally {
          bar.stop();
          process.off('SIGINT', onSignal);
          await rosetta.close();
        }
      }),
    );
}
