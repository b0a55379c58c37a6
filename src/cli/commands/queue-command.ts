import type { Command } from 'commander';
import { action, parseIntStrict, printJson } from '../shared.js';

export function registerQueue(program: Command): void {
  const queue = program.command('queue').description('distributed ingest runs on Redis: status, forget');
  queue
    .command('status')
    .description("job counts, workers, and each recent run's progress, rate and failures with reasons")
    .requiredOption('--queue <redis-url>', 'the Redis the runs are queued on')
    .option('--runs <n>', 'how many recent runs', (v) => parseIntStrict('--runs', v), 5)
    .option('--json', 'machine-readable output on stdout')
    .action(
      action(async (o: { queue: string; runs: number; json?: boolean }) => {
        const { queueStatus } = await import('../../index.js');
        const s = await queueStatus(o.queue, { runs: o.runs });
        if (o.json) {
          printJson(s);
          return;
        }
        const c = s.counts;
        process.stdout.write(
          `queue ${s.queue}: ${s.workers} worker connection(s); ` +
            `encode jobs ${c.waiting} waiting, ${c.active} active, ${c.delayed} retrying, ${c.completed} completed, ${c.failed} failed\n`,
        );
        for (const r of s.runs) {
          const state = r.finishedAt ? 'finished' : r.finished ? 'committed, finishing' : 'running';
          process.stdout.write(
            `\nrun ${r.runId} (${state}) → ${r.store}\n  paths: ${r.paths.join(', ')}\n` +
              `  jobs ${r.jobsDone}/${r.jobs} done, ${r.jobsFailed} failed` +
              `${r.commitCounts ? `; commits ${r.commitsApplied}/${r.commitsExpected} applied` : ''}\n` +
              `  items: ${r.added} added, ${r.updated} updated, ${r.skipped} skipped, ${r.failed} failed — ${r.rate.toFixed(1)} items/s\n`,
          );
          for (const f of r.failures) process.stdout.write(`  failed: ${f.path}: ${f.reason} [${f.code}]\n`);
        }
        if (!s.runs.length) process.stdout.write('no runs recorded\n');
        for (const j of s.unreadableJobs) process.stdout.write(`failed job ${j.id} (no run): ${j.reason} [${j.code}]\n`);
      }),
    );
  queue
    .command('forget')
    .description('drop a run: its record, its queued jobs and commit queue (items already committed stay)')
    .argument('<run-id>', 'as shown by `rosetta queue status`')
    .requiredOption('--queue <redis-url>', 'the Redis the run is queued on')
    .option('--json', 'machine-readable output on stdout')
    .action(
      action(async (runId: string, o: { queue: string; json?: boolean }) => {
        const { forgetRun } = await import('../../index.js');
        const r = await forgetRun(o.queue, runId);
        if (o.json) printJson({ runId, ...r });
        else process.stdout.write(`forgot run ${runId} (${r.removedJobs} queued jobs removed)\n`);
      }),
    );
}
