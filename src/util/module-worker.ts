import { Worker } from 'node:worker_threads';

/**
 * Starts a worker thread on a module beside the caller (`name` without extension; `base` is the caller's
 * `import.meta.url`). From TypeScript sources (tests, benches under tsx) the worker registers tsx before
 * importing the `.ts` entry; from the compiled package it imports the `.js` file.
 */
export function startModuleWorker(base: string, name: string, workerData: unknown): Worker {
  const fromSource = base.endsWith('.ts');
  const entry = new URL(`./${name}${fromSource ? '.ts' : '.js'}`, base);
  if (!fromSource) return new Worker(entry, { workerData });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const boot = `(await import(${tsx})).register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData });
}
