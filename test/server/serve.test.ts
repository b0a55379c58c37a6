import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Rosetta } from '../../src/rosetta.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';
import { postJson } from './fixture.js';

const CHILD = join(import.meta.dirname, 'serve-child.ts');

function serve(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'serve', '--json', '--offline', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    let text = '';
    createInterface({ input: child.stdout }).on('line', (line) => {
      text += line;
      try {
        resolve((JSON.parse(text) as { url: string }).url);
      } catch {
        /* more lines to come */
      }
    });
    void exited.then((code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
  });
  ready.catch(() => undefined); // awaited only by tests that expect the server to start
  return { child, ready, exited, stderr: () => stderr };
}

test('rosetta serve refuses a public address without a token', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rosetta-serve-'));
  const model = buildTinyClip();
  try {
    const run = serve(['--dir', join(root, '.rosetta'), '-m', model, '--host', '0.0.0.0']);
    assert.equal(await run.exited, 1);
    assert.match(run.stderr(), /ROSETTA_ERR_SERVER_UNSAFE_BIND/);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(model, { recursive: true, force: true });
  }
});

test('SIGTERM during an ingest job stops at an item boundary and loses nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rosetta-serve-'));
  const photos = join(root, 'photos');
  mkdirSync(photos);
  const total = 160; // ten ingest batches of 16, written 16, 32, 64… at a time: the abort lands between two writes
  for (let i = 0; i < total; i += 1)
    writeFileSync(join(photos, `p${i}.png`), await colourImage([i * 5, 100, 250 - i * 5], { seed: i + 1 }));
  const model = buildTinyClip();
  const dir = join(root, '.rosetta');
  try {
    const run = serve(['--dir', dir, '-m', model, '--root', photos]);
    const url = await run.ready;
    const { job } = (await (await postJson(`${url}/api/index`, { paths: [photos] })).json()) as { job: { id: string } };
    // Wait until some items are committed but not all.
    for (;;) {
      const state = (await (await fetch(`${url}/api/jobs/${job.id}`)).json()) as { status: string; progress?: { done: number } };
      assert.notEqual(state.status, 'done', 'the job finished before the signal: make the folder larger');
      if ((state.progress?.done ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    run.child.kill('SIGTERM');
    assert.equal(await run.exited, 0, run.stderr());
    assert.match(run.stderr(), /SIGTERM/);
    // Reopen: whatever was committed is whole and searchable; a second run indexes only the rest.
    const rosetta = await Rosetta.open(dir, { offline: true });
    try {
      const kept = await rosetta.store.countItems();
      assert.ok(kept >= 1 && kept < total, `kept ${kept} of ${total}`);
      const summary = await rosetta.index([photos]);
      assert.equal(summary.skipped, kept);
      assert.equal(summary.added, total - kept);
    } finally {
      await rosetta.close();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(model, { recursive: true, force: true });
  }
});
