/**
 * Attack: reach token-protected routes without the token by spelling their paths differently. The router
 * decodes percent escapes, so a check on the raw URL must never decide; every variant must answer 401.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildFixture, startServer, type Fixture } from '../server/fixture.js';
import type { RosettaServer } from '../../src/server/index.js';
import { rawRequest } from './raw-http.js';

const TOKEN = 'encoded-path-token-0123';
let fx: Fixture;
let server: RosettaServer;
let url: string;
let hash: string;

before(async () => {
  fx = await buildFixture();
  ({ server, url } = await startServer(fx, { token: TOKEN }));
  hash = (await fx.rosetta.store.listItems())[0].hash;
});
after(async () => {
  await server?.close();
  await fx?.cleanup();
});

const json = { 'content-type': 'application/json' };

test('percent-encoded, doubled and re-cased API paths all answer 401 without the token', async () => {
  const attempts: [string, string, string?][] = [
    ['GET', '/%61pi/info'],
    ['GET', '/ap%69/info'],
    ['GET', '/%61%70%69/info'],
    ['GET', '/api/%69nfo'],
    ['GET', '/%61pi/%69nfo'],
    ['GET', '/%41PI/info'],
    ['GET', '/API/info'],
    ['GET', '//api/info'],
    ['GET', '/api//info'],
    ['GET', '/./api/info'],
    ['GET', '/api/./info'],
    ['GET', '/x/../api/info'],
    ['GET', '/api/info/'],
    ['GET', '/api/info?'],
    ['GET', '/api/info;x'],
    ['GET', '/%2561pi/info'],
    ['GET', '/api%2Finfo'],
    ['GET', '/%61pi/health'],
    ['GET', '/%61pi/openapi.json'],
    ['POST', '/%61%70%69/search', JSON.stringify({ text: 'red' })],
    ['POST', '/ap%69/search', JSON.stringify({ text: 'red' })],
    ['POST', '/%61pi/index', JSON.stringify({ paths: ['.'] })],
    ['POST', '/%61pi/tag', JSON.stringify({ image: 'red.png', labels: ['a', 'b'] })],
    ['GET', `/%61pi/media/${'HASH'}`],
    ['GET', `/api/m%65dia/${'HASH'}`],
    ['GET', `/%61pi/thumb/${'HASH'}`],
    ['GET', '/%61pi/jobs/1'],
    ['DELETE', '/%61pi/jobs/1'],
    ['GET', '/nowhere'],
  ];
  const leaks: string[] = [];
  for (const [method, template, body] of attempts) {
    const path = template.replace('HASH', hash);
    const res = await rawRequest(url, method, path, { headers: body ? json : {}, body });
    if (res.status !== 401) leaks.push(`${method} ${path} → ${res.status} ${res.body.toString('utf8', 0, 120)}`);
    else assert.equal((JSON.parse(res.body.toString()) as { error: { code: string } }).error.code, 'ROSETTA_ERR_SERVER_AUTH');
  }
  assert.deepEqual(leaks, [], 'answered without the token');
  // No job was started by any of them, and the collection is as it was.
  assert.equal(server.jobs.running, undefined);
});

test('the same routes still work with the token, and the web page loads without one', async () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  assert.equal((await rawRequest(url, 'GET', '/%61pi/info', { headers: auth })).status, 200);
  assert.equal((await rawRequest(url, 'GET', `/%61pi/media/${hash}`, { headers: auth })).status, 200);
  assert.equal((await rawRequest(url, 'GET', `/api/media/${hash}?access_token=${TOKEN}`)).status, 200);
  assert.equal(
    (await rawRequest(url, 'POST', '/api/search', { headers: { ...auth, ...json }, body: JSON.stringify({ text: 'red', k: 1 }) })).status,
    200,
  );
  const page = await rawRequest(url, 'GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.body.toString(), /<html/i);
});
