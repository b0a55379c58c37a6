import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { runCli } from '../helpers/run-cli.js';

const fixtures = fileURLToPath(new URL('../fixtures/eval/', import.meta.url));
const out = mkdtempSync(join(tmpdir(), 'rosetta-eval-cli-'));

test('rosetta eval compares two spaces side by side and writes a self-contained report', async () => {
  const report = join(out, 'zs.html');
  const r = await runCli(['eval', 'zeroshot', '--dataset', join(fixtures, 'classes'), '--models', `mini,${buildTinyClip()}`, '--offline', '--report', report, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const body = JSON.parse(r.stdout);
  assert.equal(body.task, 'zeroshot');
  assert.equal(body.rows.length, 2);
  for (const row of body.rows) assert.ok(row.accuracy >= 0 && row.accuracy <= 1, JSON.stringify(row));
  assert.deepEqual(body.rows.map((r: { space: string }) => r.space), ["mini", "clip"]);
  const html = readFileSync(report, 'utf8');
  assert.match(html, /<svg/);
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href="http/, 'no external assets');
});

test('rosetta eval retrieval reports Recall@K, median rank and MRR with the protocol', async () => {
  const r = await runCli(['eval', 'retrieval', '--dataset', join(fixtures, 'captions.jsonl'), '--model', 'mini', '--offline', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const [result] = JSON.parse(r.stdout).results;
  for (const dir of ['t2i', 'i2t']) {
    const m = result[dir];
    assert.ok(m.r1 <= m.r5 && m.r5 <= m.r10 && m.r10 <= 1, JSON.stringify(m));
    assert.ok(m.medianRank >= 1 && m.mrr > 0 && m.mrr <= 1);
  }
  assert.equal(typeof result.protocol, 'string');
});

test('rosetta check flags pairs with a calibrated threshold and reports bad rows; rosetta audit states it is a probe', async () => {
  const c = await runCli(['check', join(fixtures, 'pairs.csv'), '--model', 'mini', '--offline', '--json']);
  assert.equal(c.code, 0, c.stderr);
  const check = JSON.parse(c.stdout);
  assert.ok(check.issues.length >= 2, 'the missing image and the empty caption are reported');
  const a = await runCli(['audit', '--model', 'mini', '--offline', '--permutations', '200', '--json']);
  assert.equal(a.code, 0, a.stderr);
  const audit = JSON.parse(a.stdout);
  assert.ok(audit.tests.length >= 1);
  assert.ok(audit.tests.every((t: { pValue: number }) => t.pValue >= 0 && t.pValue <= 1));
  assert.match(JSON.stringify(audit), /not a verdict/i);
});
