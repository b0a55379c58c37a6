/**
 * OCR in a worker thread (what /api/ocr uses, so the server's own thread stays free while ONNX Runtime runs):
 * the same lines as reading in-process, cancellation and coded errors carried across the thread.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OcrThread } from '../../src/ocr/ocr-thread.js';
import { ocr } from '../../src/ocr/read-image-text.js';
import { renderText } from '../helpers/text-images.js';

let root: string;
let thread: OcrThread;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-ocr-thread-'));
  thread = new OcrThread();
});
after(async () => {
  await thread.close();
  rmSync(root, { recursive: true, force: true });
});

test('a picture read in the worker thread gives the lines, boxes and size of reading it in-process', async () => {
  const png = await renderText(['Invoice 2024 total due', 'Paid in full'], { width: 640, height: 160 });
  const path = join(root, 'invoice.png');
  writeFileSync(path, png);
  const inProcess = await ocr(png);
  const fromPath = await thread.read(path);
  const fromBytes = await thread.read(new Uint8Array(png));
  assert.deepEqual(
    fromPath.lines.map((l) => l.text),
    ['Invoice 2024 total due', 'Paid in full'],
  );
  assert.deepEqual(fromPath, inProcess);
  assert.deepEqual(fromBytes, inProcess);
});

test('a read whose signal fires stops with ROSETTA_ERR_ABORTED; errors keep their code; the thread goes on reading', async () => {
  const path = join(root, 'line.png');
  writeFileSync(path, await renderText(['Main Street 12 Bakery'], { size: 48 }));
  const gone = new AbortController();
  gone.abort();
  await assert.rejects(thread.read(path, { signal: gone.signal }), { code: 'ROSETTA_ERR_ABORTED' });
  const leaving = new AbortController();
  const read = thread.read(path, { signal: leaving.signal });
  leaving.abort();
  await assert.rejects(read, { code: 'ROSETTA_ERR_ABORTED' });
  await assert.rejects(
    thread.read(join(root, 'missing.png')),
    (e: { code: string; message: string }) => e.code === 'ROSETTA_ERR_MEDIA_UNREADABLE' && e.message.includes('missing.png'),
  );
  assert.equal((await thread.read(path)).text, 'Main Street 12 Bakery');
});

test('after close, a new read starts a new worker', async () => {
  const other = new OcrThread();
  const path = join(root, 'again.png');
  writeFileSync(path, await renderText(['Paid in full'], { size: 48 }));
  assert.equal((await other.read(path)).text, 'Paid in full');
  await other.close();
  assert.equal((await other.read(path)).text, 'Paid in full');
  await other.close();
});
