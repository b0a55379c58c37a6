/**
 * Refusals that must leave nothing behind and tell nothing: uploads refused part-way, paths that are
 * outside the roots answered without looking at them, unchecked numbers in multipart, and a `--host` that
 * only looks like loopback.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from '../../src/server/index.js';
import { colourImage } from '../helpers/images.js';
import { buildFixture, postJson, startServer, waitForJob, type Fixture } from '../server/fixture.js';

let fx: Fixture;
before(async () => {
  fx = await buildFixture();
  symlinkSync(join(fx.outside, 'secret.png'), join(fx.photos, 'escape.png'));
  symlinkSync(join(fx.outside, 'no-such-file.png'), join(fx.photos, 'dangling.png'));
  symlinkSync(fx.outside, join(fx.photos, 'escape-dir'));
});
after(async () => {
  await fx?.cleanup();
});

const uploadDir = () => `${fx.rosetta.dir}-uploads`;
const leftovers = () => (existsSync(uploadDir()) ? readdirSync(uploadDir()) : []);

test('an upload refused part-way (too many parts, a bad part) leaves no file behind', async () => {
  const { server, url } = await startServer(fx);
  try {
    const png = await colourImage('red', { width: 8, height: 8, seed: 9 });
    const many = new FormData();
    for (let i = 0; i < 300; i += 1) many.append('file', new Blob([new Uint8Array(png), String(i)]), `p${i}.png`);
    const refused = await fetch(`${url}/api/index`, { method: 'POST', body: many });
    assert.equal(refused.status, 413, await refused.clone().text());
    assert.deepEqual(leftovers(), []);

    const mixed = new FormData();
    for (let i = 0; i < 3; i += 1) mixed.append('file', new Blob([new Uint8Array(png), `ok${i}`]), `ok${i}.png`);
    mixed.append('file', new Blob([new Uint8Array(64).fill(0xfe)]), 'bad.png'); // no known type
    const bad = await fetch(`${url}/api/index`, { method: 'POST', body: mixed });
    assert.equal(bad.status, 415, await bad.clone().text());
    assert.deepEqual(leftovers(), []);

    // Accepted, but the file cannot be indexed (cut short after its header): it is not kept either.
    const cut = new FormData();
    const big = await colourImage('blue', { width: 64, height: 64, seed: 10 });
    cut.append('file', new Blob([new Uint8Array(big.subarray(0, 80))]), 'cut.png');
    const accepted = await fetch(`${url}/api/index`, { method: 'POST', body: cut });
    assert.equal(accepted.status, 202, await accepted.clone().text());
    const job = await waitForJob(url, ((await accepted.json()) as { job: { id: string } }).job.id);
    assert.equal(job.result!.failed, 1);
    assert.deepEqual(leftovers(), []);
  } finally {
    await server.close();
  }
});

test('a path outside the roots is refused the same way whether it exists or not (no existence oracle)', async () => {
  const { server, url } = await startServer(fx);
  try {
    const answer = async (path: string) => {
      const res = await postJson(`${url}/api/search`, { image: path });
      const { error } = (await res.json()) as { error: { code: string; message: string } };
      return `${res.status} ${error.code} ${error.message.replace(path, '<path>')}`;
    };
    const pairs: [string, string][] = [
      ['/etc/passwd', '/etc/no-such-file-here'],
      [join(fx.outside, 'secret.png'), join(fx.outside, 'missing.png')],
      [join(fx.photos, 'escape-dir', 'secret.png'), join(fx.photos, 'escape-dir', 'missing.png')],
      [join(fx.photos, 'escape.png'), join(fx.photos, 'dangling.png')],
    ];
    for (const [exists, missing] of pairs) {
      const a = await answer(exists);
      assert.match(a, /^403 ROSETTA_ERR_SERVER_FORBIDDEN_PATH/);
      assert.equal(await answer(missing), a, `${exists} vs ${missing}`);
    }
    // Inside a root, a missing file is simply not found.
    assert.match(await answer(join(fx.photos, 'typo.png')), /^404 /);
  } finally {
    await server.close();
  }
});

test('multipart search checks k (and weights) like the JSON form', async () => {
  const { server, url } = await startServer(fx);
  try {
    for (const [field, value] of [
      ['k', '-1'],
      ['k', '0'],
      ['k', '1.5'],
      ['k', '501'],
      ['k', '1e9'],
      ['weight_text', '-2'],
    ]) {
      const form = new FormData();
      form.append('text', 'red');
      form.append(field, value);
      const res = await fetch(`${url}/api/search`, { method: 'POST', body: form });
      assert.equal(res.status, 400, `${field}=${value}: ${await res.clone().text()}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'ROSETTA_ERR_ARG_INVALID');
    }
    const ok = new FormData();
    ok.append('text', 'red');
    ok.append('k', '2');
    const res = await fetch(`${url}/api/search`, { method: 'POST', body: ok });
    assert.equal(((await res.json()) as { results: unknown[] }).results.length, 2);
  } finally {
    await server.close();
  }
});

test('--host is checked by the address it resolves to, not by how it is spelt', async () => {
  for (const host of ['127.0.0.1.nip.io', '127.example.com', '0.0.0.0', '::', '10.0.0.1']) {
    await assert.rejects(createServer(fx.rosetta, { host, port: 0 }), { code: 'ROSETTA_ERR_SERVER_UNSAFE_BIND' }, host);
  }
  for (const host of ['localhost', '127.0.0.1', '127.0.0.2', '::1', '[::1]', '::ffff:127.0.0.1']) {
    const server = await createServer(fx.rosetta, { host, port: 0 });
    await server.close();
  }
});
