/**
 * OCR over HTTP is bounded: a client that leaves stops its OCR (48 abandoned 100 MP OCRs once kept a server busy
 * 98 s at 2.9 GB), the line of waiting OCRs is bounded (a full one answers 503 ROSETTA_ERR_SERVER_BUSY with
 * Retry-After), and cheap routes answer while OCRs run. Counts come from the server's own /api/info.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { join } from 'node:path';
import sharp from 'sharp';
import type { RosettaServer } from '../../src/server/index.js';
import { WorkSlots } from '../../src/server/work-slots.js';
import { renderText } from '../helpers/text-images.js';
import { buildFixture, startServer, type Fixture } from '../server/fixture.js';

interface OcrInfo {
  running: number;
  waiting: number;
  completed: number;
}

let fx: Fixture;
let server: RosettaServer;
let url: string;
let big: string;

before(async () => {
  fx = await buildFixture();
  // 100 MP of white with a few lines of text: seconds of decoding, detection and recognition per request.
  const line = await renderText(['Main Street 12 Bakery open daily'], { size: 160, width: 3400, height: 320 });
  const lines = [0, 3000, 6000, 9000].map((top) => ({ input: line, left: 400, top }));
  big = join(fx.photos, 'poster.jpg');
  await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#ffffff' } })
    .composite(lines)
    .jpeg({ quality: 90 })
    .toFile(big);
  ({ server, url } = await startServer(fx, { rateLimit: false, ocrQueue: { running: 1, waiting: 2 } }));
});
after(async () => {
  await server?.close();
  await fx?.cleanup();
});

const info = async () => (await (await fetch(`${url}/api/info`)).json()) as { ocr: OcrInfo; items: number };
const until = async (what: string, ok: (o: OcrInfo) => boolean, ms = 120_000) => {
  const end = Date.now() + ms;
  for (;;) {
    const { ocr } = await info();
    if (ok(ocr)) return ocr;
    if (Date.now() > end) throw new Error(`${what}: still ${JSON.stringify(ocr)} after ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** A POST /api/ocr of a server path that the client can walk away from. */
function ocrRequest(path: string): {
  response: Promise<{ status: number; headers: Record<string, unknown>; body: string }>;
  leave(): void;
} {
  const { hostname, port } = new URL(url);
  const body = JSON.stringify({ image: path });
  const req = request({
    host: hostname,
    port,
    method: 'POST',
    path: '/api/ocr',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  const response = new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
  });
  req.end(body);
  return { response, leave: () => req.destroy() };
}

test('OCRs whose clients left stop: the running one at its next stage, the waiting ones without starting', async () => {
  const before = (await info()).ocr.completed;
  const clients = [ocrRequest(big), ocrRequest(big), ocrRequest(big)];
  for (const c of clients) c.response.catch(() => undefined);
  await until('one OCR running, two waiting', (o) => o.running === 1 && o.waiting === 2);
  for (const c of clients) c.leave();
  const after = await until('abandoned OCRs stopped', (o) => o.running === 0 && o.waiting === 0);
  // The running one could only finish if it ended in the moment between the poll above and the clients leaving.
  assert.ok(after.completed - before <= 1, `${after.completed - before} of 3 abandoned OCRs ran to their end`);
  // And the server still reads pictures for clients that stay.
  const stayed = await ocrRequest(big).response;
  assert.equal(stayed.status, 200, stayed.body);
  assert.match(JSON.parse(stayed.body).text, /Bakery/);
});

test('a full OCR line answers 503 ROSETTA_ERR_SERVER_BUSY with Retry-After; /api/info answers meanwhile', async () => {
  const clients = Array.from({ length: 6 }, () => ocrRequest(big));
  const answers = await Promise.all(
    clients
      .map(async (c, i) => {
        const r = await c.response;
        // Whoever was turned away tells everyone else's clients to leave: the test need not wait for their OCRs.
        if (r.status === 503) for (const other of clients.slice(0, i)) other.leave();
        return r;
      })
      .map((p) => p.catch(() => undefined)),
  );
  const busy = answers.filter((a) => a?.status === 503);
  assert.ok(busy.length >= 1, `statuses ${answers.map((a) => a?.status).join(', ')}`);
  const body = JSON.parse(busy[0]!.body) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'ROSETTA_ERR_SERVER_BUSY');
  assert.ok(Number(busy[0]!.headers['retry-after']) >= 1, JSON.stringify(busy[0]!.headers));
  for (const c of clients) c.leave();
  await until('line drained', (o) => o.running === 0 && o.waiting === 0);
});

test('cheap routes answer while OCRs of large pictures run', async () => {
  const clients = [ocrRequest(big), ocrRequest(big)];
  for (const c of clients) c.response.catch(() => undefined);
  await until('an OCR running', (o) => o.running === 1);
  for (let i = 0; i < 5; i += 1) {
    const res = await fetch(`${url}/api/info`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { items: number }).items, 7);
  }
  for (const c of clients) c.leave();
  await until('line drained', (o) => o.running === 0 && o.waiting === 0);
});

test('WorkSlots: at most `running` at once, `waiting` in line, the next refused with a retry time; a waiter that leaves never runs', async () => {
  const slots = new WorkSlots({ running: 1, waiting: 1 }, 'test', 'testQueue');
  const gates: (() => void)[] = [];
  const work = () => new Promise<string>((resolve) => gates.push(() => resolve('ran')));
  const first = slots.run(new AbortController().signal, work);
  const leaving = new AbortController();
  const second = slots.run(leaving.signal, work);
  await assert.rejects(
    slots.run(new AbortController().signal, work),
    (e: { code: string; retryAfterSeconds: number; statusCode: number }) =>
      e.code === 'ROSETTA_ERR_SERVER_BUSY' && e.statusCode === 503 && e.retryAfterSeconds >= 1,
  );
  leaving.abort();
  await assert.rejects(second, { code: 'ROSETTA_ERR_ABORTED' });
  const third = slots.run(new AbortController().signal, work);
  assert.equal(gates.length, 1, 'only the first is running');
  gates[0]();
  assert.equal(await first, 'ran');
  await new Promise((r) => setImmediate(r));
  assert.equal(gates.length, 2, 'the third took the freed turn');
  gates[1]();
  assert.equal(await third, 'ran');
  assert.deepEqual([slots.running, slots.waiting, slots.completed], [0, 0, 2]);
});
