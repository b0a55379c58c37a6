/**
 * The server's edges: what the router and Node's parser refuse before any route runs (a path part too long,
 * headers too large) answers in the same `{"error":{"code","message"}}` shape as every other error; and a
 * token in the URL (`?access_token=`, which ends up in logs) is taken only where a browser cannot send a
 * header (media, thumbnails, job events), refused with a clear message everywhere else.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { buildFixture, startServer, type Fixture } from '../server/fixture.js';
import type { RosettaServer } from '../../src/server/index.js';
import { rawRequest } from './raw-http.js';

const TOKEN = 'http-edges-token-0123';
let fx: Fixture;
let server: RosettaServer;
let url: string;
let hash: string;

before(async () => {
  fx = await buildFixture();
  ({ server, url } = await startServer(fx, { token: TOKEN, rateLimit: false }));
  hash = (await fx.rosetta.store.listItems())[0].hash;
});
after(async () => {
  await server?.close();
  await fx?.cleanup();
});

const auth = { authorization: `Bearer ${TOKEN}` };
const json = { 'content-type': 'application/json' };

function errorOf(body: Buffer): { code: string; message: string } {
  const parsed = JSON.parse(body.toString()) as { error?: { code?: unknown; message?: unknown } };
  assert.equal(typeof parsed.error?.code, 'string', `an error code in ${body.toString()}`);
  assert.equal(typeof parsed.error?.message, 'string', `an error message in ${body.toString()}`);
  return parsed.error as { code: string; message: string };
}

/** Sends raw bytes and resolves with everything the server answered before closing the connection (≤ 30 s). */
function rawExchange(base: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let data = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer in 30 s; got ${JSON.stringify(data)}`));
    }, 30_000);
    socket.on('data', (d) => {
      data += d;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(data);
    });
    socket.on('connect', () => socket.write(bytes));
  });
}

test('a path part longer than the router takes answers 414 in the error shape', async () => {
  const res = await rawRequest(url, 'GET', `/api/media/${'a'.repeat(300)}`, { headers: auth });
  assert.equal(res.status, 414);
  assert.match(String(res.headers['content-type']), /application\/json/);
  const error = errorOf(res.body);
  assert.equal(error.code, 'ROSETTA_ERR_SERVER_URL_TOO_LONG');
  assert.match(error.message, /longer than the server accepts/);
});

test('headers larger than Node takes answer 431 in the error shape, and the connection closes', async () => {
  const answer = await rawExchange(url, `GET /api/health HTTP/1.1\r\nhost: x\r\nx-big: ${'h'.repeat(64 * 1024)}\r\n\r\n`);
  assert.match(answer, /^HTTP\/1\.1 431 /);
  const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
  const error = errorOf(Buffer.from(body));
  assert.equal(error.code, 'ROSETTA_ERR_SERVER_HEADERS_TOO_LARGE');
  assert.match(error.message, /headers are larger than the server accepts \(\d+ KiB/);
  // The server is still there for everyone else.
  assert.equal((await rawRequest(url, 'GET', '/api/info', { headers: auth })).status, 200);
});

test('?access_token= is refused on routes a browser reaches with fetch, even beside a good header', async () => {
  const attempts: [string, string, string?][] = [
    ['POST', '/api/index', JSON.stringify({ paths: ['.'] })],
    ['POST', '/api/search', JSON.stringify({ text: 'red', k: 1 })],
    ['GET', '/api/info'],
    ['GET', '/api/jobs/1'],
    ['DELETE', '/api/jobs/1'],
  ];
  for (const [method, path, body] of attempts) {
    for (const headers of [{}, auth]) {
      const res = await rawRequest(url, method, `${path}?access_token=${TOKEN}`, { headers: { ...(body ? json : {}), ...headers }, body });
      assert.equal(
        res.status,
        401,
        `${method} ${path}?access_token= (${Object.keys(headers).length ? 'with' : 'without'} a header) → ${res.status}`,
      );
      const error = errorOf(res.body);
      assert.equal(error.code, 'ROSETTA_ERR_SERVER_AUTH');
      assert.match(error.message, /Authorization: Bearer/);
      assert.match(error.message, /access_token/);
    }
  }
  assert.equal(server.jobs.running, undefined, 'no index job was started');
});

test('?access_token= still loads what the page puts in <img>, <video> and EventSource', async () => {
  assert.equal((await rawRequest(url, 'GET', `/api/media/${hash}?access_token=${TOKEN}`)).status, 200);
  assert.equal((await rawRequest(url, 'GET', `/api/thumb/${hash}?access_token=${TOKEN}`)).status, 200);
  // A wrong token in the URL is still a 401.
  assert.equal((await rawRequest(url, 'GET', `/api/thumb/${hash}?access_token=wrong-token-0000`)).status, 401);
  // The events route takes it too (an unknown job: past the token check, a 404).
  const events = await rawRequest(url, 'GET', `/api/jobs/no-such-job/events?access_token=${TOKEN}`);
  assert.equal(events.status, 404);
  assert.equal(errorOf(events.body).code, 'ROSETTA_ERR_SERVER_NOT_FOUND');
});
