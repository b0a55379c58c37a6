import { Worker } from 'node:worker_threads';
import type { AnnManifest, IndexIdentity } from './index-files.js';
import type { AnnSettings } from './settings.js';

export interface BuildRequest {
  collectionDir: string;
  tableName: string;
  identity: IndexIdentity;
  settings: AnnSettings;
  outDir: string;
}

export type BuildMessage =
  | { type: 'progress'; added: number; total: number }
  | { type: 'done'; manifest: AnnManifest; duplicates: number }
  | { type: 'failed'; message: string };

export interface RunningBuild {
  done: Promise<Extract<BuildMessage, { type: 'done' }>>;
  /** Stops the worker; `done` then rejects. Files it wrote are named by no manifest and are cleaned up later. */
  cancel(): Promise<void>;
}

/**
 * Starts a build in a worker thread. From TypeScript sources (tests, benches under tsx) the worker
 * registers tsx before importing the `.ts` entry; from the compiled package it imports the `.js` file.
 */
export function startBuild(req: BuildRequest, onProgress?: (added: number, total: number) => void): RunningBuild {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(fromSource ? './build-worker.ts' : './build-worker.js', import.meta.url);
  const worker = fromSource
    ? new Worker(
        new URL(
          `data:text/javascript,${encodeURIComponent(
            `(await import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})).register(); await import(${JSON.stringify(entry.href)});`,
          )}`,
        ),
        { workerData: req },
      )
    : new Worker(entry, { workerData: req });
  let cancelled = false;
  const done = new Promise<Extract<BuildMessage, { type: 'done' }>>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: BuildMessage) => {
      if (m.type === 'progress') onProgress?.(m.added, m.total);
      else if (m.type === 'done') {
        settled = true;
        resolve(m);
      } else {
        settled = true;
        reject(new Error(m.message));
      }
    });
    worker.on('error', (e) => {
      settled = true;
      reject(e);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(cancelled ? 'build cancelled' : `build worker exited with code ${code}`));
    });
  });
  done.catch(() => undefined);
  return {
    done,
    cancel: async () => {
      cancelled = true;
      await worker.terminate();
    },
  };
}
