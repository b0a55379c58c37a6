/**
 * URL ingest and URL queries by host name (Node asks the socket's lookup for *all* addresses), and the SSRF
 * guard against every way of writing a private address: IPv4 spellings, IPv4 inside IPv6 (mapped,
 * compatible, 6to4, NAT64, Teredo), and names that resolve to them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { join } from 'node:path';
import { guardedLookup, isPrivateAddress } from '../../src/media/remote/safe-fetch.js';
import { buildFixture, postJson, startServer, waitForJob, type Fixture } from '../server/fixture.js';

let fx: Fixture;
let files: Server;
let filesPort: number;
before(async () => {
  fx = await buildFixture();
  // A plain file server on loopback, standing in for a web server holding media.
  files = createHttpServer((req, res) => {
    const name = (req.url ?? '').split('/').pop() ?? '';
    try {
      res.end(readFileSync(join(fx.photos, name)));
    } catch {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => files.listen(0, '127.0.0.1', r));
  filesPort = (files.address() as { port: number }).port;
});
after(async () => {
  await new Promise((r) => files?.close(r));
  await fx?.cleanup();
});

test('a URL by host name is fetched (query and ingest) when private addresses are allowed', async () => {
  const { server, url } = await startServer(fx, { allowPrivateUrls: true });
  try {
    const byName = `http://localhost:${filesPort}/blue.png`;
    const q = await postJson(`${url}/api/search`, { image: byName, k: 1, in: ['image'] });
    assert.equal(q.status, 200, await q.clone().text());
    assert.match(((await q.json()) as { results: { path: string }[] }).results[0].path, /blue\.png$/);
    const i = await postJson(`${url}/api/index`, { urls: [`http://localhost:${filesPort}/green.png`] });
    assert.equal(i.status, 202, await i.clone().text());
    const job = await waitForJob(url, ((await i.json()) as { job: { id: string } }).job.id);
    assert.equal(job.status, 'done');
    assert.equal(job.result!.failed, 0);
  } finally {
    await server.close();
  }
});

test('the production guard refuses a host name that resolves to loopback, even right after an allowed fetch of it', async () => {
  // A trusted server in the same process fetches first: a pooled keep-alive connection must not let the next fetch skip the lookup.
  const { server: trusted, url: trustedUrl } = await startServer(fx, { allowPrivateUrls: true });
  assert.equal((await postJson(`${trustedUrl}/api/search`, { image: `http://localhost:${filesPort}/blue.png`, k: 1 })).status, 200);
  await trusted.close();
  const { server, url } = await startServer(fx);
  try {
    for (const target of [`http://localhost:${filesPort}/blue.png`, `http://LOCALHOST:${filesPort}/red.png`]) {
      const q = await postJson(`${url}/api/search`, { image: target });
      assert.equal(q.status, 403, `${target}: ${await q.clone().text()}`);
      assert.match(((await q.json()) as { error: { message: string } }).error.message, /private address/);
    }
  } finally {
    await server.close();
  }
});

test("the guarded lookup keeps Node's contract (all: true gives every address) and refuses any private one", async () => {
  const resolver = (answers: LookupAddress[]) =>
    ((_host: string, _options: unknown, callback: (e: Error | null, a: LookupAddress[]) => void) => callback(null, answers)) as never;
  const lookup = (answers: LookupAddress[], all: boolean) =>
    new Promise<{ error?: Error; address?: unknown; family?: number }>((resolve) => {
      guardedLookup('http://media.example/x.png', { allowPrivate: false, resolve: resolver(answers) })(
        'media.example',
        { all },
        (error, address, family) => resolve({ error: error ?? undefined, address, family }),
      );
    });
  const publicOnes = [
    { address: '93.184.216.34', family: 4 },
    { address: '2606:2800:220:1::1', family: 6 },
  ];
  assert.deepEqual((await lookup(publicOnes, true)).address, publicOnes);
  const one = await lookup(publicOnes, false);
  assert.deepEqual([one.address, one.family], ['93.184.216.34', 4]);
  for (const sneaky of [
    [...publicOnes, { address: '127.0.0.1', family: 4 }],
    [{ address: '::ffff:10.0.0.1', family: 6 }],
    [{ address: '2002:7f00:1::', family: 6 }],
  ]) {
    const r = await lookup(sneaky, true);
    assert.equal((r.error as { code?: string })?.code, 'ROSETTA_ERR_SERVER_FORBIDDEN_URL', JSON.stringify(sneaky));
  }
});

/** Every spelling of a private or special address a client might try; each must be refused. */
export const PRIVATE_FORMS: Record<string, string[]> = {
  'IPv4 literal': [
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '100.64.0.1',
    '198.18.0.1',
    '224.0.0.1',
    '255.255.255.255',
  ],
  'IPv4 other spellings': ['2130706433', '0x7f000001', '0177.0.0.1', '127.1', '0x7f.1'],
  'IPv6 loopback and special': [
    '[::1]',
    '[::]',
    '[fe80::1]',
    '[fc00::1]',
    '[fd12:3456::1]',
    '[ff02::1]',
    '[fec0::1]',
    '[100::1]',
    '[2001:db8::1]',
  ],
  'IPv4-mapped and translated': ['[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '[::ffff:10.1.2.3]', '[::ffff:0:7f00:1]', '[::ffff:0:a00:1]'],
  'IPv4-compatible': ['[::127.0.0.1]', '[::7f00:1]', '[::10.0.0.1]'],
  '6to4': ['[2002:7f00:1::]', '[2002:7f00:0001:0:0:0:0:1]', '[2002:a00:1::1]', '[2002:a9fe:a9fe::]'],
  NAT64: ['[64:ff9b::7f00:1]', '[64:ff9b::127.0.0.1]', '[64:ff9b::a9fe:a9fe]', '[64:ff9b:1::a00:1]'],
  Teredo: ['[2001:0:4136:e378:8000:63bf:80ff:fffe]', '[2001::1]'],
};

test('SSRF: every private form is refused for URL queries and URL ingest', async () => {
  const { server, url } = await startServer(fx);
  const leaks: string[] = [];
  let refused = 0;
  try {
    for (const [kind, hosts] of Object.entries(PRIVATE_FORMS)) {
      for (const host of hosts) {
        const target = `http://${host}:${filesPort}/blue.png`;
        for (const [route, body] of [
          ['search', { image: target }],
          ['index', { urls: [target] }],
        ] as const) {
          const res = await postJson(`${url}/api/${route}`, body);
          if (res.status === 403) refused += 1;
          else leaks.push(`${kind} ${route} ${target} → ${res.status}`);
        }
      }
    }
  } finally {
    await server.close();
  }
  assert.deepEqual(leaks, []);
  assert.equal(refused, Object.values(PRIVATE_FORMS).flat().length * 2);
  // Public addresses, including IPv4 inside IPv6 forms that carry a public one, are not refused by the check.
  for (const a of ['8.8.8.8', '1.1.1.1', '2606:4700::1111', '64:ff9b::808:808', '2002:808:808::1', '::ffff:8.8.8.8'])
    assert.ok(!isPrivateAddress(a), a);
});
