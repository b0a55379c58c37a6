import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rosetta } from '../../src/rosetta.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { runCli } from '../helpers/run-cli.js';

const fixtures = fileURLToPath(new URL('../fixtures/eval/', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'rosetta-eval-cli-'));
after(() => rmSync(out, { recursive: true, force: true }));

/** The same evaluation run in this process through the library: the CLI must report exactly what it computes. */
async function library<T>(models: string[], run: (r: Rosetta) => Promise<T>): Promise<T> {
  const rosetta = await Rosetta.open(join(out, 'none'), { spaces: models, offline: true, create: false });
  try {
    return await run(rosetta);
  } finally {
    await rosetta.close();
  }
}
const withoutTimes = <T>(value: T): T => JSON.parse(JSON.stringify(value, (k, v) => (k === 'seconds' ? undefined : v)));

test('rosetta eval compares two spaces side by side, exactly as the library does, and writes a self-contained report', async () => {
  const tiny = buildTinyClip();
  const report = join(out, 'zs.html');
  const r = await runCli([
    'eval',
    'zeroshot',
    '--dataset',
    join(fixtures, 'classes'),
    '--models',
    `mini,${tiny}`,
    '--offline',
    '--report',
    report,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout);
  const expected = await library(['mini', tiny], (rosetta) => rosetta.evaluate(join(fixtures, 'classes'), { task: 'zeroshot' }));
  assert.equal(body.task, 'zeroshot');
  assert.deepEqual(
    body.rows.map((row: { space: string }) => row.space),
    ['mini', 'clip'],
  );
  assert.deepEqual(withoutTimes(body.rows), withoutTimes(expected.rows));
  // Four pictures in two classes (the empty class folder is reported, not counted).
  assert.deepEqual(
    body.results.map((x: { dataset: { samples: number; classes: string[] } }) => [x.dataset.samples, x.dataset.classes]),
    [
      [4, ['animal', 'fruit']],
      [4, ['animal', 'fruit']],
    ],
  );
  const html = readFileSync(report, 'utf8');
  assert.match(html, /<svg/);
  for (const space of ['mini', 'clip']) assert.match(html, new RegExp(`>${space}<`), `the report shows ${space}`);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href="http/, 'no external assets');
});

test("rosetta eval retrieval reports the library's Recall@K, median rank and MRR, with the protocol and the bad rows", async () => {
  const dataset = join(fixtures, 'captions.jsonl');
  const r = await runCli(['eval', 'retrieval', '--dataset', dataset, '--model', 'mini', '--offline', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const [result] = JSON.parse(r.stdout).results;
  const {
    results: [expected],
  } = await library(['mini'], (rosetta) => rosetta.evaluate(dataset, { task: 'retrieval' }));
  assert.deepEqual(withoutTimes(result), withoutTimes(JSON.parse(JSON.stringify(expected))));
  // dog (1 caption), cat (2), sun (1; its second "caption" is a number): 3 images, 4 captions.
  assert.match(result.protocol, /^3 images and 4 captions/);
  assert.deepEqual(
    result.issues.map((i: { row: number }) => i.row),
    [3, 4, 5],
    'the broken JSON line, the row without an image and the non-text caption',
  );
});

test("rosetta check reports the rows it could not use and the library's verdicts; rosetta audit is the library's, and says it is a probe", async () => {
  const pairs = join(fixtures, 'pairs.csv');
  const c = await runCli(['check', pairs, '--model', 'mini', '--offline', '--json']);
  assert.equal(c.code, 0, c.stderr);
  const check = JSON.parse(c.stdout);
  assert.deepEqual(
    check.issues.map((i: { row: number; reason: string }) => [i.row, i.reason.replace(/: .*/, '')]),
    [
      [4, 'image file not found'],
      [5, 'empty text'],
    ],
  );
  assert.deepEqual(
    check.pairs.map((p: { text: string }) => p.text),
    ['a dog', 'a cat'],
  );
  assert.deepEqual(check, JSON.parse(JSON.stringify(await library(['mini'], (rosetta) => rosetta.check(pairs)))));
  const a = await runCli(['audit', '--model', 'mini', '--offline', '--permutations', '200', '--json']);
  assert.equal(a.code, 0, a.stderr);
  const audit = JSON.parse(a.stdout);
  assert.deepEqual(
    audit,
    JSON.parse(JSON.stringify(await library(['mini'], (rosetta) => rosetta.audit({ permutations: 200 })))),
    'same seed, same p-values',
  );
  assert.match(JSON.stringify(audit), /not a verdict/i);
});
