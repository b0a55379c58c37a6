import { Command, Option } from 'commander';
import { createRequire } from 'node:module';
import type CliProgress from 'cli-progress';
import { showPathIn } from '../util/show-path.js';
import { openMilvusStore, parseMilvusUrl, Rosetta, RosettaError, type IndexProgress, type RosettaOptions } from '../core.js';

/** Options every collection command takes. */
export interface CommonOptions {
  dir: string;
  model?: string[];
  offline?: boolean;
  device?: string;
  dtype?: string;
  batchSize?: number;
  threads?: number;
  cacheDir?: string;
  storeUrl?: string;
  storeToken?: string;
  json?: boolean;
}

/** How models load and run: every command that runs a model takes these. */
export function addRuntimeOptions(cmd: Command): Command {
  return cmd
    .option('--offline', 'never download models (also ROSETTA_OFFLINE=1)')
    .addOption(new Option('--device <device>', 'where models run').choices(['cpu', 'cuda', 'webgpu', 'auto']))
    .addOption(new Option('--dtype <dtype>', 'weights precision').choices(['fp32', 'fp16', 'q8']))
    .option('--batch-size <n>', 'inputs per forward pass', (v) => parseIntStrict('--batch-size', v))
    .option('--threads <n>', 'ONNX Runtime threads', (v) => parseIntStrict('--threads', v))
    .option('--cache-dir <path>', 'model cache directory');
}

export function addCommonOptions(cmd: Command): Command {
  return addRuntimeOptions(
    cmd
      .option('--dir <path>', 'collection directory', process.env.ROSETTA_DIR ?? './.rosetta')
      .option('-m, --model <ref...>', 'embedding model(s) of the collection: mini, a directory, or a hub id[@revision]'),
  )
    .option(
      '--store-url <url>',
      'keep vectors on a Milvus server instead of in --dir: milvus://host:19530[/database][?prefix=rosetta_] (also ROSETTA_STORE_URL)',
      process.env.ROSETTA_STORE_URL,
    )
    .option('--store-token <token>', 'Milvus token, user:password or API key (also ROSETTA_MILVUS_TOKEN)')
    .option('--json', 'machine-readable output on stdout');
}

export function parseIntStrict(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new RosettaError('ROSETTA_ERR_ARG_INVALID', `Expected a positive integer for ${name} but received '${v}'`, { setting: name });
  return n;
}

export function rosettaOptions(o: CommonOptions): RosettaOptions {
  return {
    spaces: o.model,
    offline: o.offline,
    device: o.device as RosettaOptions['device'],
    dtype: o.dtype as RosettaOptions['dtype'],
    batchSize: o.batchSize,
    threads: o.threads,
    cacheDir: o.cacheDir,
  };
}

/**
 * The collection in `--dir`, with `--model` overriding its spaces; with `--store-url milvus://…` its vectors live on
 * that Milvus server (settings stay in `--dir`). Only commands that write (index, serve, train --pairs) may create
 * it; every other command opens it read-only (`create: false`) and creates nothing: without a collection, the
 * one-shot commands use `--model` (or the default model) alone.
 */
export async function openCollection(o: CommonOptions, access: { create: boolean }, extra: { maxPixels?: number } = {}): Promise<Rosetta> {
  const options = { ...rosettaOptions(o), ...extra, create: access.create };
  if (!o.storeUrl) return Rosetta.open(o.dir, options);
  const store = await openMilvusStore(parseMilvusUrl(o.storeUrl, o.storeToken ?? process.env.ROSETTA_MILVUS_TOKEN));
  return Rosetta.open(o.dir, { ...options, store }).catch(async (error) => {
    await store.close();
    throw error;
  });
}

/** Runs `work` with a read-only collection handle and closes it. */
export async function withCollection<T>(o: CommonOptions, work: (rosetta: Rosetta) => Promise<T>, access = { create: false }): Promise<T> {
  const rosetta = await openCollection(o, access);
  try {
    return await work(rosetta);
  } finally {
    await rosetta.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, (_k, v) => (v instanceof Float32Array ? Array.from(v) : v), 2)}\n`);
}

/** A progress bar on stderr (only on a terminal and without --json): files, rate, ETA, current file. */
export function indexProgressBar(enabled: boolean): { onProgress?: (p: IndexProgress) => void; stop: () => void } {
  if (!enabled || !process.stderr.isTTY) return { stop: () => undefined };
  const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof CliProgress; // only when a bar is shown
  const bar = new cliProgress.SingleBar(
    {
      format: ' {bar} {percentage}% | {value}/{total} files | {rate} files/s | ETA {eta_formatted} | {current}',
      hideCursor: true,
      stream: process.stderr,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    onProgress: (p) => {
      if (!started) {
        bar.start(p.total, 0, { rate: '0', current: '' });
        started = true;
      }
      const media =
        p.mediaSeconds !== undefined ? ` @ ${p.mediaSeconds.toFixed(0)}s${p.mediaDuration ? `/${p.mediaDuration.toFixed(0)}s` : ''}` : '';
      bar.setTotal(p.total);
      bar.update(p.done, { rate: p.rate.toFixed(1), current: `${shorten(p.current ?? p.phase)}${media}` });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function shorten(s: string, max = 40): string {
  return s.length <= max ? s : `…${s.slice(-(max - 1))}`;
}

/** Runs a command body: errors go to stderr (code and fix), exit code 1; --json errors are JSON on stderr. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      const json = args.some((a) => typeof a === 'object' && a !== null && (a as { json?: boolean }).json);
      reportError(error, json);
      process.exitCode = 1;
    }
  };
}

export function reportError(error: unknown, json: boolean): void {
  if (json) {
    const body = RosettaError.is(error)
      ? error.toJSON()
      : { code: 'ROSETTA_ERR_INTERNAL', message: String((error as Error)?.message ?? error) };
    process.stderr.write(`${JSON.stringify({ error: body })}\n`);
    return;
  }
  if (RosettaError.is(error)) process.stderr.write(`rosetta: ${showPathIn(error.message, error.file)} [${error.code}]\n`);
  else process.stderr.write(`rosetta: ${(error as Error)?.stack ?? String(error)}\n`);
}
