import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';
import { runCli } from '../helpers/run-cli.js';

let root: string;
let common: string[];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-cli-'));
  mkdirSync(join(root, 'pics'));
  for (const c of ['red', 'green', 'blue'] as const) writeFileSync(join(root, 'pics', `${c}.png`), await colourImage(c));
  writeFileSync(join(root, 'pics', 'broken.png'), Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(64, 3)]));
  common = ['--dir', join(root, '.rosetta'), '--offline'];
});
after(() => rmSync(root, { recursive: true, force: true }));

test('index --json reports the summary, with failures and reasons; some files failing exits 23 (partial failure)', async () => {
  const r = await runCli(['index', join(root, 'pics'), ...common, '--model', buildTinyClip(), '--json']);
  assert.equal(r.code, 23, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.added, 3);
  assert.equal(summary.failed, 1);
  assert.match(summary.failures[0].path, /broken\.png$/);
  assert.equal(summary.failures[0].code, 'ROSETTA_ERR_MEDIA_CORRUPT');
});

test('search prints ranked results; --json has scores, paths and the space', async () => {
  const text = await runCli(['search', 'blue', ...common, '-k', '2']);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout.split('\n')[0], /^\s+1\. [\d.]+\s+image\s+.*blue\.png\s+\[clip\]/);
  const json = await runCli([
    'search',
    '--image',
    join(root, 'pics', 'green.png'),
    '--text',
    'red',
    '--weights',
    '0.7,0.3',
    ...common,
    '--json',
  ]);
  assert.equal(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout);
  assert.deepEqual(out.query.weights, { image: 0.7, text: 0.3 });
  assert.match(out.results[0].path, /green\.png$/);
  assert.equal(typeof out.results[0].score, 'number');
});

test('tag prints label probabilities', async () => {
  const r = await runCli(['tag', join(root, 'pics', 'red.png'), '--labels', 'red,green,blue', ...common, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).tags[0].label, 'red');
});

test('errors go to stderr with a code and a non-zero exit', async () => {
  const bad = await runCli(['search', '--image', join(root, 'nope.png'), ...common]);
  assert.notEqual(bad.code, 0);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /nope\.png.*ROSETTA_ERR_MEDIA_UNREADABLE/s);
  const badJson = await runCli(['search', 'x', '--weights', 'abc', ...common, '--json']);
  assert.notEqual(badJson.code, 0);
  assert.equal(JSON.parse(badJson.stderr).error.code, 'ROSETTA_ERR_QUERY_INVALID');
});

test('search in a folder without a collection says so and leaves the folder alone', async () => {
  const empty = join(root, 'no-collection');
  const r = await runCli(['search', 'red', '--dir', empty, '--offline']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /no-collection.*rosetta index.*ROSETTA_ERR_COLLECTION_NOT_FOUND/s);
  assert.equal(existsSync(empty), false, 'nothing was created');
});

test('read-only commands (score, tag, info) in a folder without a collection create nothing', async () => {
  const model = buildTinyClip();
  const cwd = mkdtempSync(join(tmpdir(), 'rosetta-cwd-'));
  try {
    const picture = join(root, 'pics', 'red.png');
    const score = await runCli(['score', picture, 'red', '--model', model, '--offline', '--json'], { cwd });
    assert.equal(score.code, 0, score.stderr);
    assert.ok(JSON.parse(score.stdout).score > 0);
    const tag = await runCli(['tag', picture, '--labels', 'red,blue', '--model', model, '--offline', '--json'], { cwd });
    assert.equal(JSON.parse(tag.stdout).tags[0].label, 'red');
    const info = await runCli(['info', '--offline'], { cwd });
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, /none \(nothing indexed there\)/);
    assert.deepEqual(readdirSync(cwd), [], 'no ./.rosetta (or anything else) appeared');
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

test('a model that cannot load stops index once, before any file, with the fix, a non-zero exit and nothing created', async () => {
  const dir = join(root, 'never');
  const cache = mkdtempSync(join(tmpdir(), 'rosetta-empty-cache-'));
  try {
    // The default model (a hub CLIP) offline with an empty cache: it cannot load.
    const r = await runCli(['index', join(root, 'pics'), '--dir', dir, '--offline', '--cache-dir', cache]);
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.match(/ROSETTA_ERR_MODEL_OFFLINE_MISSING/g)?.length, 1, `one error, not one per file:\n${r.stderr}`);
    assert.match(r.stderr, /rosetta models pull .*--model mini/s);
    assert.equal(existsSync(dir), false, 'no collection was created');
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('a string that is neither a file nor a URL is an error naming both readings, not text scored against text', async () => {
  const r = await runCli(['score', 'IMG_0001', 'a cat', '--model', buildTinyClip(), '--offline', '--dir', join(root, 'none')]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /IMG_0001.*no file at .*IMG_0001.*read as text/s);
  assert.match(r.stderr, /ROSETTA_ERR_ARG_INVALID/);
});
