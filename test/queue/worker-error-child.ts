/**
 * Child of worker-errors.test.ts: runs a worker against the Redis URL in argv[2] and prints the first error
 * it reports (code, message, cause) as JSON, then exits (a worker whose Redis never came leaves reconnect timers).
 */
import { runWorker } from '../../src/queue/worker.js';

const controller = new AbortController();
void runWorker(process.argv[2], {
  queueKey: 'k'.repeat(40),
  signal: controller.signal,
  onError: (e) => {
    process.stdout.write(
      `${JSON.stringify({ code: e.code, message: e.message, cause: e.cause instanceof Error ? e.cause.message : undefined })}\n`,
    );
    process.exit(0);
  },
});
