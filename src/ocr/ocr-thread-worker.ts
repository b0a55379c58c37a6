import type { ErrorCode } from '../errors/codes.js';
// The worker side of OcrThread: reads pictures with the shared TextReader of this thread, one message per read.
import { parentPort, workerData } from 'node:worker_threads';
import { RosettaError } from '../errors/rosetta-error.js';
import type { ModelRuntimeOptions } from '../models/runtime-options.js';
import type { OcrThreadReply, OcrThreadRequest } from './ocr-thread.js';
import { ocr } from './read-image-text.js';

const runtime = workerData as ModelRuntimeOptions;
const running = new Map<number, AbortController>();
const port = parentPort!;

port.on('message', (m: OcrThreadRequest) => {
  if (m.type === 'cancel') {
    running.get(m.id)?.abort(new Error('its client went away'));
    return;
  }
  const controller = new AbortController();
  running.set(m.id, controller);
  ocr(m.input, { ...m.options, ...runtime, signal: controller.signal })
    .then((result) => port.postMessage({ type: 'done', id: m.id, result } satisfies OcrThreadReply))
    .catch((e: unknown) => {
      const error = RosettaError.is(e)
        ? { code: e.code as ErrorCode, message: e.message, file: e.file, setting: e.setting }
        : { message: e instanceof Error ? e.message : String(e) };
      port.postMessage({ type: 'failed', id: m.id, error } satisfies OcrThreadReply);
    })
    .finally(() => running.delete(m.id));
});
