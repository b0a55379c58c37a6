import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { RosettaServer } from '../../src/server/index.js';
import { registryModelDir } from '../../src/models/local-models.js';
import { defaultPiperVoice } from '../../src/generate/speak/piper-engine.js';
import sharp from 'sharp';
import { colourImage, transparentPicture } from '../helpers/images.js';
import { buildFixture, colourVideo, postJson, startServer, waitForJob, type Fixture } from './fixture.js';
import { resetFfmpegCache } from '../../src/media/ffmpeg/locate.js';

let fx: Fixture;
let server: RosettaServer;
let url: string;

before(async () => {
  fx = await buildFixture();
  ({ server, url } = await startServer(fx));
});
after(async () => {
  await server?.close();
  await fx?.cleanup();
});

interface Hit {
  path: string;
  modality: string;
  space: string;
  score: number;
  itemHash: string;
  media: string;
  thumb?: string;
  kind: string;
}
const search = async (body: unknown) => {
  const res = await postJson(`${url}/api/search`, body);
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { results: Hit[] }).results;
};

test('a text query finds the matching image first, with its space and links', async () => {
  const results = await search({ text: 'a photo of a red square', k: 3, in: ['image'] });
  assert.match(results[0].path, /red\.png$/);
  assert.equal(results[0].space, 'clip');
  assert.ok(results[0].score > results[1].score);
  assert.equal(results[0].media, `/api/media/${results[0].itemHash}`);
  // Filters pass through: only text.
  const texts = await search({ text: 'blue', in: ['text'] });
  assert.ok(texts.length > 0 && texts.every((r) => r.modality === 'text'));
});

test('an uploaded image (multipart) finds the image of its colour; weights move a composed query', async () => {
  const form = new FormData();
  form.append('image', new Blob([new Uint8Array(await colourImage('green', { seed: 77 }))]), 'query.png');
  form.append('k', '2');
  form.append('in', 'image');
  const res = await fetch(`${url}/api/search`, { method: 'POST', body: form });
  assert.equal(res.status, 200, await res.clone().text());
  const { results } = (await res.json()) as { results: Hit[] };
  assert.match(results[0].path, /green\.png$/);

  const composed = async (text: number, image: number) => {
    const f = new FormData();
    f.append('image', new Blob([new Uint8Array(await colourImage('green', { seed: 78 }))]), 'q.png');
    f.append('text', 'blue');
    f.append('weights', JSON.stringify({ text, image }));
    f.append('in', 'image');
    return ((await (await fetch(`${url}/api/search`, { method: 'POST', body: f })).json()) as { results: Hit[] }).results[0].path;
  };
  assert.match(await composed(0.1, 0.9), /green\.png$/);
  assert.match(await composed(0.9, 0.1), /blue\.png$/);
});

test('an image query by server path inside the roots works', async () => {
  const results = await search({ image: join(fx.photos, 'yellow.png'), k: 1, in: ['image'] });
  assert.match(results[0].path, /yellow\.png$/);
});

test('media is served with range requests; thumbnails of opaque pictures are small JPEGs; unknown items are 404', async () => {
  const [red] = await search({ text: 'red', k: 1, in: ['image'] });
  const file = readFileSync(join(fx.photos, 'red.png'));
  const whole = await fetch(`${url}${red.media}`);
  assert.equal(whole.status, 200);
  assert.equal(whole.headers.get('accept-ranges'), 'bytes');
  assert.equal(whole.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await whole.arrayBuffer()), file);

  const part = await fetch(`${url}${red.media}`, { headers: { range: 'bytes=10-19' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers.get('content-range'), `bytes 10-19/${file.length}`);
  assert.deepEqual(Buffer.from(await part.arrayBuffer()), file.subarray(10, 20));
  const tail = await fetch(`${url}${red.media}`, { headers: { range: 'bytes=-5' } });
  assert.deepEqual(Buffer.from(await tail.arrayBuffer()), file.subarray(file.length - 5));
  const beyond = await fetch(`${url}${red.media}`, { headers: { range: `bytes=${file.length + 10}-` } });
  assert.equal(beyond.status, 416);

  const thumb = await fetch(`${url}${red.thumb}`);
  assert.equal(thumb.status, 200);
  assert.equal(thumb.headers.get('content-type'), 'image/jpeg');
  const bytes = Buffer.from(await thumb.arrayBuffer());
  assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff]);

  const missing = await fetch(`${url}/api/media/${'0'.repeat(64)}`);
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'ROSETTA_ERR_SERVER_NOT_FOUND');
  const badHash = await fetch(`${url}/api/media/..%2F..%2Fetc%2Fpasswd`);
  assert.equal(badHash.status, 400);
});

test('an index job reports progress over SSE and by polling, then its items are searchable', async () => {
  const more = join(fx.photos, 'more');
  mkdirSync(more);
  for (let i = 0; i < 6; i += 1) writeFileSync(join(more, `white-${i}.png`), await colourImage('white', { seed: 100 + i }));
  const res = await postJson(`${url}/api/index`, { paths: [more], tags: ['batch2'] });
  assert.equal(res.status, 202);
  const { job } = (await res.json()) as { job: { id: string; status: string } };
  assert.ok(['queued', 'running'].includes(job.status));

  const events: { status: string; progress?: { done: number; total: number } }[] = [];
  const sse = await fetch(`${url}/api/jobs/${job.id}/events`);
  assert.equal(sse.headers.get('content-type'), 'text/event-stream');
  const text = await sse.text(); // the stream ends when the job does
  for (const block of text.split('\n\n')) {
    const data = block.split('\n').find((l) => l.startsWith('data: '));
    if (data) events.push(JSON.parse(data.slice(6)));
  }
  assert.equal(events.at(-1)!.status, 'done');
  assert.ok(
    events.some((e) => e.progress && e.progress.total === 6),
    'progress events carry the file count',
  );
  const done = await waitForJob(url, job.id);
  assert.equal(done.result!.added, 6);
  const [top] = await search({ text: 'white', k: 1, filter: { tags: ['batch2'] } });
  assert.match(top.path, /white-\d\.png$/);
});

test('uploaded files are indexed and their bytes kept; an unknown job is 404', async () => {
  const form = new FormData();
  form.append('tags', 'uploaded');
  form.append('file', new Blob([new Uint8Array(await colourImage([250, 5, 250], { seed: 5 }))]), 'pink upload.png');
  const res = await fetch(`${url}/api/index`, { method: 'POST', body: form });
  assert.equal(res.status, 202, await res.clone().text());
  const { job } = (await res.json()) as { job: { id: string } };
  const done = await waitForJob(url, job.id);
  assert.equal(done.status, 'done');
  assert.equal(done.result!.added, 1);
  const [top] = await search({ text: 'magenta', k: 1, filter: { tags: ['uploaded'] } });
  assert.match(top.path, /pink upload\.png$/);
  assert.equal((await fetch(`${top.path.startsWith('/') ? url : ''}${top.media}`)).status, 200);
  assert.equal((await fetch(`${url}/api/jobs/nope`)).status, 404);
});

test('the thumbnail of a transparent picture keeps its transparency instead of showing black', async () => {
  const { png } = await transparentPicture({ size: 64, colour: [230, 20, 20] });
  const form = new FormData();
  form.append('tags', 'transparent');
  form.append('file', new Blob([new Uint8Array(png)]), 'icon.png');
  const { job } = (await (await fetch(`${url}/api/index`, { method: 'POST', body: form })).json()) as { job: { id: string } };
  assert.equal((await waitForJob(url, job.id)).status, 'done');
  const [hit] = await search({ text: 'red', k: 1, filter: { tags: ['transparent'] } });
  const thumb = await fetch(`${url}${hit.thumb}`);
  assert.equal(thumb.headers.get('content-type'), 'image/webp');
  const { data, info } = await sharp(Buffer.from(await thumb.arrayBuffer()))
    .raw()
    .toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 4);
  assert.equal(data[3], 0, 'a transparent corner is transparent, not black');
});

test('searches keep answering while an ingest job runs', async () => {
  const bulk = join(fx.photos, 'bulk');
  mkdirSync(bulk);
  for (let i = 0; i < 64; i += 1) writeFileSync(join(bulk, `b${i}.png`), await colourImage([i * 2, 128, 255 - i * 2], { seed: 200 + i }));
  const { job } = (await (await postJson(`${url}/api/index`, { paths: [bulk] })).json()) as { job: { id: string } };
  let duringJob = 0;
  const answers: string[] = [];
  for (let round = 0; round < 20; round += 1) {
    const batch = await Promise.all(
      ['red', 'green', 'yellow'].map((c) => search({ text: c, k: 1, filter: { pathGlob: '**/photos/*.png' } })),
    );
    answers.push(...batch.map((r) => r[0].path.split('/').pop()!));
    const state = (await (await fetch(`${url}/api/jobs/${job.id}`)).json()) as { status: string };
    if (state.status === 'running') duringJob += 1;
    if (state.status === 'done') break;
  }
  assert.ok(duringJob > 0, 'some searches ran while the job was running');
  for (let i = 0; i < answers.length; i += 3) assert.deepEqual(answers.slice(i, i + 3), ['red.png', 'green.png', 'yellow.png']);
  const done = await waitForJob(url, job.id);
  assert.equal(done.result!.added, 64);
});

test('a client that disconnects mid-upload leaves no file behind', async () => {
  const uploads = `${fx.rosetta.dir}-uploads`;
  const before = existsSync(uploads) ? readdirSync(uploads) : [];
  const { port } = new URL(url);
  const boundary = 'xxBOUNDARYxx';
  let sawPartial = false;
  await new Promise<void>((resolve) => {
    const socket = connect(Number(port), '127.0.0.1', () => {
      socket.write(
        `POST /api/index HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 10000000\r\n\r\n`,
      );
      socket.write(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.png"\r\nContent-Type: image/png\r\n\r\n`);
      // PNG magic first, so the bytes look like the start of an image.
      socket.write(Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200_000, 7)]));
      setTimeout(() => {
        sawPartial = existsSync(uploads) && readdirSync(uploads).some((n) => n.startsWith('.part-'));
        socket.destroy();
        resolve();
      }, 300);
    });
  });
  await new Promise((r) => setTimeout(r, 400));
  const after = existsSync(uploads) ? readdirSync(uploads) : [];
  assert.ok(sawPartial, 'the upload was being written when the client went away');
  assert.deepEqual(after, before, 'no partial or temporary file remains');
});

test('tag, caption, score, speak, transcribe and the OpenAPI document', async () => {
  const red = join(fx.photos, 'red.png');
  const tags = (await (await postJson(`${url}/api/tag`, { image: red, labels: ['red', 'green', 'blue'] })).json()) as {
    tags: { label: string }[];
  };
  assert.equal(tags.tags[0].label, 'red');

  const score = (await (await postJson(`${url}/api/score`, { image: red, text: 'red' })).json()) as { score: number; cosine: number };
  const wrong = (await (await postJson(`${url}/api/score`, { image: red, text: 'blue' })).json()) as { score: number };
  assert.ok(score.score > wrong.score && score.cosine > 0.9);

  // Offline with no captioner cached, the caption is the collection space's zero-shot tags, said to be tags, with why.
  const caption = await postJson(`${url}/api/caption`, { image: red });
  assert.equal(caption.status, 200);
  const c = (await caption.json()) as {
    kind: string;
    text: string;
    model: string;
    fallbackReason: string;
    tags: { label: string; score: number }[];
  };
  assert.equal(c.kind, 'tags');
  assert.equal(c.model, 'zero-shot tags');
  assert.match(c.fallbackReason, /vit-gpt2-image-captioning.*not in the cache/);
  assert.equal(c.tags.length, 5);
  assert.deepEqual(
    c.tags.map((t) => t.score),
    c.tags.map((t) => t.score).sort((a, b) => b - a),
    'best tag first',
  );
  assert.equal(c.text, c.tags.map((t) => t.label).join(', '));

  // Offline, the set-up's Piper voice speaks when installed (models/registry), else espeak-ng: a real WAV of about the right length.
  const speech = await postJson(`${url}/api/speak`, { text: 'hello world' });
  assert.equal(speech.status, 200, await speech.clone().text());
  assert.equal(speech.headers.get('x-rosetta-engine'), existsSync(defaultPiperVoice()) ? 'piper' : 'espeak-ng');
  const wav = Buffer.from(await speech.arrayBuffer());
  assert.equal(wav.subarray(0, 4).toString(), 'RIFF');
  const seconds = Number(speech.headers.get('x-rosetta-duration'));
  assert.ok(seconds > 0.4 && seconds < 3, `${seconds} s for two words`);
  assert.ok(Math.abs(wav.readUInt32LE(40) / 2 / wav.readUInt32LE(24) - seconds) < 0.001, 'the WAV holds the duration it reports');

  // Speech back to text: with the set-up's Whisper tiny.en (models/registry) the server hears the words offline;
  // without any Whisper model, exactly a 503 naming the model and the fix.
  const form = new FormData();
  form.append('audio', new Blob([new Uint8Array(wav)]), 'hello.wav');
  const heard = await fetch(`${url}/api/transcribe`, { method: 'POST', body: form });
  if (registryModelDir('whisper-tiny.en')) {
    assert.equal(heard.status, 200, await heard.clone().text());
    const said = (await heard.json()) as { text: string; model: string; segments: unknown[] };
    assert.match(said.text, /hello/i);
    assert.equal(said.model, 'whisper-tiny.en');
    assert.ok(said.segments.length > 0);
  } else {
    assert.equal(heard.status, 503, await heard.clone().text());
    const error = ((await heard.json()) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'ROSETTA_ERR_MODEL_OFFLINE_MISSING');
    assert.match(error.message, /whisper-tiny.*rosetta models pull/s);
  }

  const doc = (await (await fetch(`${url}/api/openapi.json`)).json()) as {
    openapi: string;
    paths: Record<string, Record<string, { requestBody?: unknown }>>;
  };
  assert.match(doc.openapi, /^3\./);
  for (const p of ['/api/search', '/api/index', '/api/jobs/{id}', '/api/jobs/{id}/events', '/api/media/{itemHash}', '/api/tag'])
    assert.ok(doc.paths[p], p);
  assert.ok(doc.paths['/api/search'].post.requestBody, 'the search body has a schema');
});

test('bad requests get JSON errors with codes, never a stack trace', async () => {
  const empty = await postJson(`${url}/api/search`, { k: 0 });
  assert.equal(empty.status, 400);
  const body = (await empty.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'ROSETTA_ERR_ARG_INVALID');
  const broken = await fetch(`${url}/api/search`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text": ' });
  assert.equal(broken.status, 400);
  const text = await broken.text();
  assert.doesNotMatch(text, /at .*\.(js|ts):\d+/);
  assert.equal((await fetch(`${url}/api/nothing`)).status, 404);
});

test('a video thumbnail is a frame of the video; without ffmpeg the answer says ffmpeg is missing and how to install it', async () => {
  const clips = join(fx.photos, 'clips');
  mkdirSync(clips);
  await colourVideo(join(clips, 'clip.mp4'), [
    ['blue', 2],
    ['magenta', 2],
  ]);
  const summary = await fx.rosetta.index([clips]);
  assert.equal(summary.failed, 0);
  const [hit] = await fx.rosetta.search({ text: 'magenta' }, { k: 1, in: ['video'] });
  const thumb = `${url}/api/thumb/${hit.itemHash}?t=3`;
  const frame = await fetch(thumb);
  assert.equal(frame.status, 200);
  assert.equal(frame.headers.get('content-type'), 'image/jpeg');
  const saved = { ffmpeg: process.env.ROSETTA_FFMPEG, ffprobe: process.env.ROSETTA_FFPROBE };
  process.env.ROSETTA_FFMPEG = join(fx.root, 'no-such-ffmpeg');
  process.env.ROSETTA_FFPROBE = join(fx.root, 'no-such-ffprobe');
  resetFfmpegCache();
  try {
    const res = await fetch(thumb);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, 501);
    assert.equal(error.code, 'ROSETTA_ERR_MEDIA_FFMPEG_MISSING');
    assert.match(error.message, /ffmpeg/);
    assert.match(error.message, /apt-get install ffmpeg/);
  } finally {
    for (const [name, value] of [
      ['ROSETTA_FFMPEG', saved.ffmpeg],
      ['ROSETTA_FFPROBE', saved.ffprobe],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetFfmpegCache();
  }
});
