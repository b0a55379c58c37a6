import type { Command } from 'commander';
import { action, addRuntimeOptions, parseIntStrict } from '../shared.js';

interface WorkerFlags {
  queue: string;
  concurrency?: number;
  lockMs?: number;
  offline?: boolean;
  device?: string;
  dtype?: string;
  batchSize?: number;
  threads?: number;
  cacheDir?: string;
  milvusToken?: string;
  json?: boolean;
  queueKeyFile?: string;
}

export function registerWorker(program: Command): void {
  addRuntimeOptions(
    program
      .command('worker')
      .description('decode and encode the jobs of distributed `index --queue` runs (start any number, on any machine that sees the files)'),
  )
    .requiredOption('--queue <redis-url>', 'the Redis the runs are queued on (redis://host:6379)')
    .option(
      '--concurrency <n>',
      'jobs encoded at once in this process (one more is read and decoded ahead)',
      (v) => parseIntStrict('--concurrency', v),
      1,
    )
    .option('--lock-ms <n>', 'how long a job stays with a silent worker before it is retried', (v) => parseIntStrict('--lock-ms', v))
    .option(
      '--queue-key-file <path>',
      'the key runs are signed with, shared with `index --queue` ' +
        '(default $ROSETTA_QUEUE_KEY, $ROSETTA_QUEUE_KEY_FILE, else ~/.config/rosetta/queue.key, created if missing)',
    )
    .option('--milvus-token <token>', 'token for runs that write to Milvus (also ROSETTA_MILVUS_TOKEN)')
    .option('--json', 'one JSON line per finished job on stdout')
    .action(
      action(async (o: WorkerFlags) => {
        const { runWorker } = await import('../../index.js');
        const controller = new AbortController();
        const stop = (signal: NodeJS.Signals) => {
          process.stderr.write(`rosetta worker: ${signal}: finishing the current job and stopping\n`);
          controller.abort();
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        if (!o.json) process.stderr.write(`rosetta worker: waiting for jobs on ${o.queue.replace(/:[^:@/]*@/, ':***@')}\n`);
        await runWorker(o.queue, {
          concurrency: o.concurrency,
          lockMs: o.lockMs,
          milvusToken: o.milvusToken,
          queueKeyFile: o.queueKeyFile,
          offline: o.offline,
          device: o.device as never,
          dtype: o.dtype as never,
          batchSize: o.batchSize,
          threads: o.threads,
          cacheDir: o.cacheDir,
          signal: controller.signal,
          onJob: (e) => {
            if (o.json) {
              process.stdout.write(`${JSON.stringify(e)}\n`);
              return;
            }
            process.stderr.write(
              `${e.status === 'done' ? 'done' : 'FAILED'} ${e.id}${e.failed ? ` (${e.failed} files failed)` : ''}` +
                `${e.code ? ` ${e.code}` : ''}${e.reason ? `: ${e.reason}` : ''}\n`,
            );
          },
        });
        // Stopped: a Redis that went away leaves reconnect timers behind, which would keep the process alive.
        process.exit(process.exitCode ?? 0);
      }),
    );
}
