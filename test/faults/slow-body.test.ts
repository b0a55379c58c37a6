/**
 * Attack: hold connections open with bodies (or headers) that arrive a byte at a time, until the server runs
 * out of file descriptors. Each connection must be cut off by a timeout, a client may hold only a few at once,
 * and an early error answer (401, 429, 413) closes its connection instead of waiting for the rest.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildFixture, startServer, type Fixture } from '../server/fixture.js';
import { trickle } from './raw-http.js';

let fx: Fixture;
before(async () => {
  fx = await buildFixture();
});
after(async () => {
  await fx?.cleanup();
});

const post = (path: string, length: number, extra = '') =>
  `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n${extra}\r\n`;
const timeouts = { headersMs: 1000, bodyIdleMs: 600, requestMs: 2500, keepAliveMs: 1000, checkIntervalMs: 250 };

test('bodies and headers that trickle in are cut off by the idle, whole-request and header timeouts', async () => {
  const { server, url } = await startServer(fx, { timeouts, rateLimit: false });
  const clients = [];
  try {
    // Idle: one byte, then silence.
    const idle = trickle(url, post('/api/search', 200), '{', 60_000);
    // Whole request: a byte every 300 ms is never idle long enough, but the request takes forever.
    const slow = trickle(url, post('/api/search', 200), '{"text":"' + 'a'.repeat(150), 300);
    // Headers: a byte every 200 ms, never the blank line.
    const headers = trickle(url, '', `GET /api/health HTTP/1.1\r\nhost: x\r\nx-slow: ${'h'.repeat(200)}`, 200);
    // Keep-alive: one complete request, then nothing.
    const kept = trickle(url, 'GET /api/health HTTP/1.1\r\nhost: x\r\n\r\n', '', 60_000);
    clients.push(idle, slow, headers, kept);
    const [idleMs, slowMs, headersMs, keptMs] = await Promise.all([
      idle.closed(6000),
      slow.closed(6000),
      headers.closed(6000),
      kept.closed(6000),
    ]);
    assert.match(kept.received(), /^HTTP\/1\.1 200/);
    assert.ok(keptMs !== null && keptMs < 2500, `idle kept-alive connection closed after ${keptMs} ms`);
    assert.ok(idleMs !== null && idleMs < 2500, `idle body closed after ${idleMs} ms`);
    assert.ok(slowMs !== null && slowMs < 4500, `slow body closed after ${slowMs} ms`);
    assert.ok(headersMs !== null && headersMs < 3000, `slow headers closed after ${headersMs} ms`);
    // The server still answers everyone else.
    assert.equal((await fetch(`${url}/api/health`)).status, 200);
  } finally {
    for (const c of clients) c.stop();
    await server.close();
  }
});

test('one client holds at most its cap of connections; another client is not locked out', async () => {
  const cap = 6;
  const { server, url } = await startServer(fx, {
    timeouts: { ...timeouts, bodyIdleMs: 30_000, requestMs: 30_000 },
    maxConnectionsPerClient: cap,
    rateLimit: false,
  });
  const held = Array.from({ length: 30 }, () => trickle(url, post('/api/search', 200), '{"text":"' + 'a'.repeat(150), 500));
  try {
    await new Promise((r) => setTimeout(r, 800));
    const open = held.filter((c) => !c.socket.destroyed).length;
    assert.equal(open, cap, `${open} of 30 slow connections of one client are still open`);
    // A second client (another loopback address) is served while the first holds its cap.
    const other = trickle(url, 'GET /api/health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n', '', 1000, '127.0.0.2');
    assert.notEqual(await other.closed(3000), null);
    assert.match(other.received(), /^HTTP\/1\.1 200/);
  } finally {
    for (const c of held) c.stop();
    await server.close();
  }
});

test('an early 401, 429 or 413 answer closes the connection instead of waiting for the body', async () => {
  const { server, url } = await startServer(fx, {
    token: 'early-close-token',
    timeouts: { ...timeouts, bodyIdleMs: 30_000, requestMs: 30_000 },
    rateLimit: { max: 2, windowMs: 60_000 },
  });
  const clients = [];
  try {
    const unauthorised = trickle(url, post('/api/search', 100), '{"text":', 200);
    clients.push(unauthorised);
    assert.notEqual(await unauthorised.closed(3000), null, 'the 401 connection stays open');
    assert.match(unauthorised.received(), /^HTTP\/1\.1 401/);

    const auth = 'authorization: Bearer early-close-token\r\n';
    const tooLarge = trickle(url, post('/api/search', 50 * 1024 * 1024, auth), '{"text":', 200);
    clients.push(tooLarge);
    assert.notEqual(await tooLarge.closed(3000), null, 'the 413 connection stays open');
    assert.match(tooLarge.received(), /^HTTP\/1\.1 413/);

    for (let i = 0; i < 3; i += 1) await fetch(`${url}/api/health`, { headers: { authorization: 'Bearer early-close-token' } });
    const limited = trickle(url, post('/api/search', 100, auth), '{"text":', 200);
    clients.push(limited);
    assert.notEqual(await limited.closed(3000), null, 'the 429 connection stays open');
    assert.match(limited.received(), /^HTTP\/1\.1 429/);
  } finally {
    for (const c of clients) c.stop();
    await server.close();
  }
});
