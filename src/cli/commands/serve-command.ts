import type { Command } from 'commander';
import { DEFAULT_MAX_PIXELS, DEFAULT_PORT, DEFAULT_UPLOAD_LIMIT } from '../../core.js';
import { action, addCommonOptions, openCollection, parseIntStrict, printJson, type CommonOptions } from '../shared.js';

interface ServeFlags extends CommonOptions {
  host: string;
  port: number;
  token?: string;
  root?: string[];
  uploadLimitMb: number;
  maxPixels: number;
  allowPrivateUrls?: boolean;
  rateLimit: number;
  log?: boolean;
  queue?: string;
}

export function registerServe(program: Command): void {
  addCommonOptions(program.command('serve').description('serve the HTTP API and the web UI over the collection'))
    .option('--host <address>', 'address to bind; anything but loopback needs --token', '127.0.0.1')
    .option('--port <n>', 'port (0 picks a free one)', (v) => (v === '0' ? 0 : parseIntStrict('--port', v)), DEFAULT_PORT)
    .option('--token <token>', 'require `Authorization: Bearer <token>` on the API (also ROSETTA_TOKEN)')
    .option('--root <dir>', 'a folder clients may index or query by server path (repeatable)', (v: string, prev: string[] = []) => [
      ...prev,
      v,
    ])
    .option(
      '--upload-limit-mb <n>',
      'largest upload, MiB',
      (v) => parseIntStrict('--upload-limit-mb', v),
      DEFAULT_UPLOAD_LIMIT / 1024 / 1024,
    )
    .option('--max-pixels <n>', 'largest image, pixels', (v) => parseIntStrict('--max-pixels', v), DEFAULT_MAX_PIXELS)
    .option('--allow-private-urls', 'let URL ingest reach private and loopback addresses (trusted networks only)')
    .option(
      '--rate-limit <n>',
      'requests per client per minute (0: no limit)',
      (v) => (v === '0' ? 0 : parseIntStrict('--rate-limit', v)),
      600,
    )
    .option('--log', 'log requests (JSON lines on stdout)')
    .option('--queue <redis-url>', 'show distributed ingest runs of this Redis at GET /api/queue')
    .action(
      action(async (o: ServeFlags) => {
        const { createServer } = await import('../../index.js');
        // The server indexes on request: the collection is created by its first index job. With --store-url the
        // vectors live on that Milvus server (the server once ignored the flag and served --dir's LanceDB store).
        const rosetta = await openCollection(o, { create: true }, { maxPixels: o.maxPixels });
        const server = await createServer(rosetta, {
          host: o.host,
          port: o.port,
          token: o.token ?? process.env.ROSETTA_TOKEN,
          roots: o.root ?? [],
          uploadLimitBytes: o.uploadLimitMb * 1024 * 1024,
          maxPixels: o.maxPixels,
          allowPrivateUrls: o.allowPrivateUrls,
          rateLimit: o.rateLimit === 0 ? false : { max: o.rateLimit, windowMs: 60_000 },
          logger: o.log,
          queue: o.queue,
        }).catch(async (error) => {
          await rosetta.close();
          throw error;
        });
        const url = await server.listen();
        if (o.json) printJson({ url, dir: rosetta.dir, roots: o.root ?? [] });
        else process.stderr.write(`rosetta: serving ${rosetta.dir} at ${url} (Ctrl-C to stop)\n`);
        // SIGTERM/SIGINT: abort the running ingest at its next item boundary (committed items stay), then exit.
        // The same when the process that started the server goes away: `npx rosetta serve` sent SIGTERM exits
        // without passing it on, and a server left behind would keep its port and collection.
        const parent = process.ppid;
        await new Promise<void>((resolveStop) => {
          const orphaned = setInterval(() => {
            if (process.ppid !== parent) stop('its parent process exited');
          }, 1000);
          orphaned.unref();
          const stop = (why: string) => {
            clearInterval(orphaned);
            process.off('SIGTERM', stop);
            process.off('SIGINT', stop);
            process.stderr.write(`rosetta: ${why}: finishing the current item and stopping\n`);
            void server.close().finally(async () => {
              await rosetta.close();
              resolveStop();
            });
          };
          process.on('SIGTERM', stop);
          process.on('SIGINT', stop);
        });
      }),
    );
}
