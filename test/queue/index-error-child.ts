/**
 * Child of worker-errors.test.ts: follows a distributed run (`rosetta index --queue`'s library call) against the
 * Redis URL in argv[2] and prints the first error it reports through onError (code, message, cause) as JSON, then
 * exits. Nothing of the collection is touched before Redis answers, so the run needs no store or space here.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexDistributed } from '../../src/queue/distributed-index.js';

const dir = mkdtempSync(join(tmpdir(), 'rosetta-index-error-'));
indexDistributed({ store: undefined as never, spaces: [], specs: [], target: { kind: 'lancedb', dir } }, [dir], {
  queue: process.argv[2],
  onError: (e) => {
    process.stdout.write(
      `${JSON.stringify({ code: e.code, message: e.message, cause: e.cause instanceof Error ? e.cause.message : undefined })}\n`,
    );
    process.exit(0);
  },
}).then(
  () => process.exit(2),
  (e: unknown) => {
    process.stderr.write(`the run ended without reporting an error first: ${String(e)}\n`);
    process.exit(1);
  },
);
