import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RosettaServer } from '../../src/server/index.js';
import { renderText } from '../helpers/text-images.js';
import { buildSpeechClip } from '../helpers/speech-clips.js';
import { buildFixture, postJson, startServer, waitForJob, type Fixture } from './fixture.js';

// Real PaddleOCR and Silero weights behind the HTTP API; ~15 s on 2 cores.
let fx: Fixture;
let server: RosettaServer;
let url: string;

before(async () => {
  fx = await buildFixture();
  writeFileSync(join(fx.photos, 'sign.png'), await renderText(['Main Street 12', 'Bakery open daily'], { width: 480, height: 160 }));
  ({ server, url } = await startServer(fx));
});
after(async () => {
  await server?.close();
  await fx?.cleanup();
});

interface OcrBody {
  text: string;
  lines: { text: string; box: number[][]; bounds: number[]; confidence: number }[];
  width: number;
  height: number;
}

test('POST /api/ocr reads an uploaded picture or one under a root: lines, boxes, confidences', async () => {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(readFileSync(join(fx.photos, 'sign.png')))]), 'sign.png');
  const upload = await fetch(`${url}/api/ocr`, { method: 'POST', body: form });
  assert.equal(upload.status, 200, await upload.clone().text());
  const body = (await upload.json()) as OcrBody;
  assert.deepEqual(
    body.lines.map((l) => l.text),
    ['Main Street 12', 'Bakery open daily'],
  );
  assert.equal(body.lines[0].box.length, 4);
  assert.deepEqual([body.width, body.height], [480, 160]);
  const byPath = await postJson(`${url}/api/ocr`, { image: join(fx.photos, 'sign.png') });
  assert.equal(byPath.status, 200);
  assert.equal(((await byPath.json()) as OcrBody).text, 'Main Street 12\nBakery open daily');
  const outside = await postJson(`${url}/api/ocr`, { image: join(fx.outside, 'secret.png') });
  assert.equal(outside.status, 403);
});

test("POST /api/index with ocr: true stores the lines; a hybrid search finds the picture by its words, with the line's box", async () => {
  const res = await postJson(`${url}/api/index`, { paths: [join(fx.photos, 'sign.png')], ocr: true });
  assert.equal(res.status, 202, await res.clone().text());
  const job = await waitForJob(url, ((await res.json()) as { job: { id: string } }).job.id);
  assert.equal(job.status, 'done', JSON.stringify(job));
  assert.equal((job.result as unknown as { ocr: { lines: number } }).ocr.lines, 2);
  const search = await postJson(`${url}/api/search`, { text: 'bakery open daily', hybrid: true, k: 3 });
  const { results } = (await search.json()) as {
    results: { path: string; kind: string; text: string; box?: { bounds: number[]; width: number } }[];
  };
  assert.match(results[0].path, /sign\.png$/);
  assert.equal(results[0].kind, 'ocr');
  assert.equal(results[0].text, 'Bakery open daily');
  assert.ok(results[0].box && results[0].box.bounds[1] > 60 && results[0].box.width === 480, JSON.stringify(results[0].box));
});

test('POST /api/speech gives the speech regions of an uploaded clip; a picture is refused with a code', async () => {
  const clip = buildSpeechClip(fx.root, 'api', ['Good morning everyone.', 'The train leaves at noon.'], [0.8, 1.5]);
  const form = new FormData();
  form.append('audio', new Blob([new Uint8Array(readFileSync(clip.file))]), 'clip.wav');
  const res = await fetch(`${url}/api/speech`, { method: 'POST', body: form });
  assert.equal(res.status, 200, await res.clone().text());
  const body = (await res.json()) as { regions: { t0: number; t1: number }[]; model: string };
  assert.equal(body.regions.length, 2);
  body.regions.forEach((r, i) =>
    assert.ok(Math.abs(r.t0 - clip.spans[i].t0) < 0.2 && Math.abs(r.t1 - clip.spans[i].t1) < 0.2, JSON.stringify(body.regions)),
  );
  const wrong = new FormData();
  wrong.append('audio', new Blob([new Uint8Array(readFileSync(join(fx.photos, 'sign.png')))]), 'sign.png');
  const refused = await fetch(`${url}/api/speech`, { method: 'POST', body: wrong });
  assert.ok(refused.status >= 400 && refused.status < 500);
  assert.match(((await refused.json()) as { error: { code: string } }).error.code, /^ROSETTA_ERR_MEDIA_/);
});
