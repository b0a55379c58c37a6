/**
 * Fault: the CLI writes into a collection that `rosetta serve` has open (another process). The server must
 * follow the store's new versions: counts, search hits and media of the new items, without a restart, and
 * keep answering while the writes happen.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Rosetta } from '../../src/rosetta.js';
import { createServer, type RosettaServer } from '../../src/server/index.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';
import { runCli } from '../helpers/run-cli.js';
import { postJson } from '../server/fixture.js';

let root: string;
let model: string;
let rosetta: Rosetta;
let server: RosettaServer;
let url: string;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-concurrent-'));
  model = buildTinyClip();
  mkdirSync(join(root, 'first'));
  mkdirSync(join(root, 'second'));
  for (const [i, c] of (['red', 'green', 'blue'] as const).entries())
    writeFileSync(join(root, 'first', `${c}.png`), await colourImage(c, { seed: 40 + i }));
  for (const [i, c] of (['yellow', 'cyan'] as const).entries())
    writeFileSync(join(root, 'second', `${c}.png`), await colourImage(c, { seed: 50 + i }));
  // The server opens the collection while it is still empty: not even the vector table exists yet.
  rosetta = await Rosetta.open(join(root, '.rosetta'), { spaces: [model], offline: true });
  server = await createServer(rosetta, { port: 0, roots: [root], rateLimit: false });
  url = await server.listen();
});
after(async () => {
  await server?.close();
  await rosetta?.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(model, { recursive: true, force: true });
});

interface Hit {
  path: string;
  itemHash: string;
  media: string;
}
const search = async (text: string): Promise<Hit[]> => {
  const res = await postJson(`${url}/api/search`, { text, k: 10, in: ['image'] });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { results: Hit[] }).results;
};
const items = async () => ((await (await fetch(`${url}/api/info`)).json()) as { items: number }).items;

/** Runs `rosetta index` in another process while the server keeps answering searches. */
async function indexWhileServing(folder: string): Promise<number[]> {
  let running = true;
  const statuses: number[] = [];
  const load = (async () => {
    while (running) {
      statuses.push((await postJson(`${url}/api/search`, { text: 'red', k: 3 })).status);
      await new Promise((r) => setTimeout(r, 30));
    }
  })();
  const run = await runCli(['index', folder, '--dir', join(root, '.rosetta'), '--offline', '--json']);
  running = false;
  await load;
  assert.equal(run.code, 0, run.stderr);
  return statuses;
}

/** The server may lag the writer by its read-consistency interval; it must catch up within a few seconds. */
async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > until) assert.fail(`the server never saw ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('items the CLI indexes into a served collection are counted, found and served without a restart', async () => {
  assert.equal(await items(), 0);
  const during = await indexWhileServing(join(root, 'first'));
  assert.ok(during.length > 0 && during.every((s) => s === 200), `answers during the write: ${during.join(',')}`);
  await eventually(async () => (await items()) === 3, '3 items');
  await eventually(async () => /red\.png$/.test((await search('red'))[0]?.path ?? ''), 'red.png in search');
  const [red] = await search('red');
  assert.equal((await fetch(`${url}${red.media}`)).status, 200);

  // A second write to tables that now exist (new versions, not new tables).
  await indexWhileServing(join(root, 'second'));
  await eventually(async () => (await items()) === 5, '5 items');
  await eventually(async () => /yellow\.png$/.test((await search('yellow'))[0]?.path ?? ''), 'yellow.png in search');
  const [yellow] = await search('yellow');
  assert.equal((await fetch(`${url}${yellow.media}`)).status, 200);
});

test('an index job of the server after the CLI created the tables keeps what the CLI wrote', async () => {
  mkdirSync(join(root, 'third'));
  writeFileSync(join(root, 'third', 'magenta.png'), await colourImage('magenta', { seed: 61 }));
  const res = await postJson(`${url}/api/index`, { paths: [join(root, 'third')] });
  const { job } = (await res.json()) as { job: { id: string } };
  for (;;) {
    const j = (await (await fetch(`${url}/api/jobs/${job.id}`)).json()) as { status: string };
    if (j.status !== 'queued' && j.status !== 'running') {
      assert.equal(j.status, 'done');
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(await items(), 6);
  for (const c of ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta'])
    assert.match((await search(c))[0].path, new RegExp(`${c}\\.png$`), c);
});
