import type { Worker } from 'node:worker_threads';
import { RosettaError } from '../errors/rosetta-error.js';
import { ErrorCodes, type ErrorCode } from '../errors/codes.js';
import type { ModelRuntimeOptions } from '../models/runtime-options.js';
import type { OcrOptions, OcrResult } from './read-image-text.js';
import { startModuleWorker } from '../util/module-worker.js';

/** What a read asks of the worker: everything of OcrOptions that can cross threads. */
export type OcrThreadOptions = Omit<OcrOptions, 'reader' | 'signal' | keyof ModelRuntimeOptions>;

export type OcrThreadRequest =
  { type: 'read'; id: number; input: string | Uint8Array; options: OcrThreadOptions } | { type: 'cancel'; id: number };

export type OcrThreadReply =
  | { type: 'done'; id: number; result: OcrResult }
  | { type: 'failed'; id: number; error: { code?: ErrorCode; message: string; file?: string; setting?: string } };

interface Pending {
  resolve: (r: OcrResult) => void;
  reject: (e: unknown) => void;
}

/**
 * Reads the text in pictures in a worker thread. ONNX Runtime runs a model on the thread that calls it
 * (a 960-pixel detection pass holds it for a second or more on a busy machine), so a server that reads
 * pictures on its own thread stops answering meanwhile; in this thread it keeps answering. The worker
 * opens its own PaddleOCR sessions on first use and is kept; a cancelled read stops at its next stage.
 */
export class OcrThread {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly runtime: ModelRuntimeOptions = {}) {}

  read(input: string | Uint8Array, options: OcrThreadOptions & { signal?: AbortSignal } = {}): Promise<OcrResult> {
    const { signal, ...rest } = options;
    if (signal?.aborted) return Promise.reject(cancelled(signal));
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<OcrResult>((resolve, reject) => {
      const onAbort = () => worker.postMessage({ type: 'cancel', id } satisfies OcrThreadRequest);
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => signal?.removeEventListener('abort', onAbort);
      this.pending.set(id, {
        resolve: (r) => {
          settle();
          resolve(r);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      });
      worker.postMessage({ type: 'read', id, input, options: rest } satisfies OcrThreadRequest);
    });
  }

  /** Stops the worker; reads still running fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startModuleWorker(import.meta.url, 'ocr-thread-worker', this.runtime);
    // An idle reader does not keep the process alive.
    worker.unref();
    worker.on('message', (m: OcrThreadReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.type === 'done') p.resolve(m.result);
      else
        p.reject(
          m.error.code
            ? new RosettaError(m.error.code, m.error.message, { file: m.error.file, setting: m.error.setting })
            : new Error(m.error.message),
        );
    });
    const fail = (error: unknown) => {
      if (this.worker === worker) this.worker = undefined;
      const why = error instanceof Error ? error.message : String(error);
      for (const p of this.pending.values())
        p.reject(new RosettaError(ErrorCodes.INTERNAL, `The OCR worker thread stopped (${why}) while reading a picture`, { cause: error }));
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

function cancelled(signal: AbortSignal): RosettaError {
  const reason = signal.reason instanceof Error ? `: ${signal.reason.message}` : '';
  return new RosettaError(ErrorCodes.ABORTED, `Reading the text in a picture was cancelled${reason}`, { cause: signal.reason });
}
