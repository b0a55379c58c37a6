import type { AnnManifest, IndexIdentity } from './index-files.js';
import type { AnnSettings } from './settings.js';
import { startModuleWorker } from '../../../util/module-worker.js';

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

/** Starts a build in a worker thread (`build-worker`, from sources or the compiled package). */
export function startBuild(req: BuildRequest, onProgress?: (added: number, total: number) => void): RunningBuild {
  const worker = startModuleWorker(import.meta.url, 'build-worker', req);
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
