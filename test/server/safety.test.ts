import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { createServer } from '../../src/server/index.js';
import { isPrivateAddress } from '../../src/media/remote/safe-fetch.js';
import { buildFixture, postJson, startServer, type Fixture } from './fixture.js';

let fx: Fixture;
before(async () => {
  fx = await buildFixture();
  symlinkSync(join(fx.outside, 'secret.png'), join(fx.photos, 'escape.png'));
  symlinkSync(fx.outside, join(fx.photos, 'escape-dir'));
});
after(async () => {
  await fx?.cleanup();
});

const codeOf = async (res: Response) => ((await res.json()) as { error: { code: string } }).error.code;

test('binding beyond loopback without a token refuses to start', async () => {
  await assert.rejects(createServer(fx.rosetta, { host: '0.0.0.0', port: 0 }), { code: 'ROSETTA_ERR_SERVER_UNSAFE_BIND' });
  const ok = await createServer(fx.rosetta, { host: '0.0.0.0', port: 0, token: 'a-long-enough-token' });
  await ok.close();
});

test('a token server answers 401 without the token or with a wrong one, and serves with it', async () => {
  const token = 's3cret-token-value';
  const { server, url } = await startServer(fx, { token });
  try {
    const none = await postJson(`${url}/api/search`, { text: 'red' });
    assert.equal(none.status, 401);
    assert.equal(await codeOf(none), 'ROSETTA_ERR_SERVER_AUTH');
    const wrong = await postJson(`${url}/api/search`, { text: 'red' }, { authorization: 'Bearer s3cret-token-valuX' });
    assert.equal(wrong.status, 401);
    const shorter = await postJson(`${url}/api/search`, { text: 'red' }, { authorization: 'Bearer s3cret' });
    assert.equal(shorter.status, 401);
    const right = await postJson(`${url}/api/search`, { text: 'red', k: 1 }, { authorization: `Bearer ${token}` });
    assert.equal(right.status, 200);
    // Media URLs in <img>/<video> carry the token in the query.
    const { results } = (await right.json()) as { results: { media: string }[] };
    assert.equal((await fetch(`${url}${results[0].media}`)).status, 401);
    assert.equal((await fetch(`${url}${results[0].media}?access_token=${token}`)).status, 200);
    // The page itself loads without a token (it asks for one).
    assert.equal((await fetch(`${url}/`)).status, 200);
  } finally {
    await server.close();
  }
});

test('uploads over the byte or pixel limit get 413; content is checked by its bytes (415)', async () => {
  const { server, url } = await startServer(fx, { uploadLimitBytes: 50_000, maxPixels: 1_000_000 });
  try {
    const big = new FormData();
    big.append('image', new Blob([new Uint8Array(80_000).fill(1)]), 'big.png');
    const tooBig = await fetch(`${url}/api/search`, { method: 'POST', body: big });
    assert.equal(tooBig.status, 413);
    assert.equal(await codeOf(tooBig), 'ROSETTA_ERR_MEDIA_TOO_LARGE');

    const bigIndex = new FormData();
    bigIndex.append('file', new Blob([new Uint8Array(80_000).fill(1)]), 'big.png');
    assert.equal((await fetch(`${url}/api/index`, { method: 'POST', body: bigIndex })).status, 413);

    // A small file with many pixels (a decompression bomb in miniature).
    const wide = await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#f00' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    assert.ok(wide.length < 50_000);
    const bomb = new FormData();
    bomb.append('image', new Blob([new Uint8Array(wide)]), 'wide.png');
    assert.equal((await fetch(`${url}/api/search`, { method: 'POST', body: bomb })).status, 413);

    // Text named .png is refused as an image whatever the client claims.
    const fake = new FormData();
    fake.append('image', new Blob(['just some words'], { type: 'image/png' }), 'fake.png');
    const refused = await fetch(`${url}/api/search`, { method: 'POST', body: fake });
    assert.equal(refused.status, 415);
    assert.equal(await codeOf(refused), 'ROSETTA_ERR_MEDIA_UNSUPPORTED');
  } finally {
    await server.close();
  }
});

test('paths outside the roots are refused: `..`, absolute paths and symlink escapes', async () => {
  const { server, url } = await startServer(fx);
  try {
    const attempts = [
      join(fx.photos, '..', 'outside', 'secret.png'),
      '../outside/secret.png',
      join(fx.outside, 'secret.png'),
      '/etc/passwd',
      join(fx.photos, 'escape.png'),
      join(fx.photos, 'escape-dir', 'secret.png'),
    ];
    for (const path of attempts) {
      const asQuery = await postJson(`${url}/api/search`, { image: path });
      assert.equal(asQuery.status, 403, `query ${path}`);
      assert.equal(await codeOf(asQuery), 'ROSETTA_ERR_SERVER_FORBIDDEN_PATH');
      const asIndex = await postJson(`${url}/api/index`, { paths: [path] });
      assert.equal(asIndex.status, 403, `index ${path}`);
    }
    // Inside the roots still works, by absolute or root-relative path.
    assert.equal((await postJson(`${url}/api/search`, { image: 'red.png', k: 1 })).status, 200);
    // Nothing of the outside folder got into the collection.
    assert.equal((await fx.rosetta.store.listItems({ pathGlob: '**/outside/**' })).length, 0);
  } finally {
    await server.close();
  }
});

test('URL queries and URL ingest refuse loopback, private and link-local addresses (SSRF)', async () => {
  const { server, url } = await startServer(fx);
  try {
    const targets = [
      `${url}/api/health`,
      'http://127.0.0.1/x.png',
      'http://localhost:7878/x.png',
      'http://10.1.2.3/x.png',
      'http://192.168.0.1/x.png',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/x.png',
      'http://[::ffff:127.0.0.1]/x.png',
      'http://2130706433/x.png',
      'file:///etc/passwd',
    ];
    for (const target of targets) {
      const q = await postJson(`${url}/api/search`, { image: target });
      assert.equal(q.status, 403, `query ${target}: ${await q.clone().text()}`);
      assert.equal(await codeOf(q), 'ROSETTA_ERR_SERVER_FORBIDDEN_URL');
      const i = await postJson(`${url}/api/index`, { urls: [target] });
      assert.equal(i.status, 403, `index ${target}`);
    }
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '169.254.1.1', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1'])
      assert.ok(isPrivateAddress(a), a);
    for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700::1111']) assert.ok(!isPrivateAddress(a), a);
  } finally {
    await server.close();
  }
});

test('with private URLs allowed (a trusted network) a URL query is fetched and checked by content', async () => {
  const blue = join(fx.photos, 'blue.png');
  const { server: files, url: filesUrl } = await startServer(fx);
  const { server, url } = await startServer(fx, { allowPrivateUrls: true });
  try {
    const [hit] = (
      (await (await postJson(`${filesUrl}/api/search`, { image: blue, k: 1, in: ['image'] })).json()) as { results: { media: string }[] }
    ).results;
    const res = await postJson(`${url}/api/search`, { image: `${filesUrl}${hit.media}`, k: 1, in: ['image'] });
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(((await res.json()) as { results: { path: string }[] }).results[0].path, /blue\.png$/);
  } finally {
    await server.close();
    await files.close();
  }
});

test('a client over the rate limit gets 429 with the JSON error shape', async () => {
  const { server, url } = await startServer(fx, { rateLimit: { max: 5, windowMs: 60_000 } });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await fetch(`${url}/api/health`)).status);
    assert.deepEqual(statuses.slice(0, 5), [200, 200, 200, 200, 200]);
    assert.equal(statuses[6], 429);
    assert.equal(await codeOf(await fetch(`${url}/api/health`)), 'ROSETTA_ERR_SERVER_RATE_LIMIT');
  } finally {
    await server.close();
  }
});
