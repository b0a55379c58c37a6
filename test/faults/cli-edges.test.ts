/**
 * The CLI at its edges, as a user meets them: a path that does not exist, the advice `speak` gives offline,
 * and a server whose starter goes away without passing a signal on (what `npx rosetta serve` does with SIGTERM).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/run-cli.js';
import { running, waitFor } from './proc.js';

const BIN = fileURLToPath(new URL('../../bin/rosetta.js', import.meta.url));
let root: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-cli-edges-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

test('index of paths that do not exist: one error line, exit 1, no collection created', async () => {
  const dir = join(root, 'none', '.rosetta');
  const missing = join(root, 'no-such-folder');
  const r = await runCli(['index', missing, join(root, 'nor-this.png'), '--dir', dir, '--model', 'mini', '--offline']);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], /No such file or folder: .*no-such-folder.*nor-this\.png; nothing was indexed \[ROSETTA_ERR_MEDIA_UNREADABLE\]/);
  assert.equal(r.stderr.split('no-such-folder').length - 1, 1, 'the path is named once');
  assert.equal(existsSync(dir), false, 'nothing was created');
});

test('index with one path missing beside one that exists: the rest is indexed, exit 23, the missing path named once', async () => {
  const notes = join(root, 'notes');
  mkdirSync(notes, { recursive: true });
  writeFileSync(join(notes, 'a.txt'), 'A lighthouse on a rocky cliff.');
  const missing = join(root, 'gone');
  const r = await runCli(['index', notes, missing, '--dir', join(root, 'partial'), '--model', 'mini', '--offline']);
  assert.equal(r.code, 23, r.stderr);
  assert.match(r.stdout, /1 added, .* 1 failed/);
  const failure = r.stderr.split('\n').find((l) => l.includes('gone'));
  assert.ok(failure, r.stderr);
  assert.equal(failure.split('gone').length - 1, 1, `the path is named once: ${failure}`);
  assert.match(failure, /no such file or directory \[ROSETTA_ERR_MEDIA_UNREADABLE\]/);
});

test('speak offline with a model that is not cached advises the offline engine, not an option speak does not have', async () => {
  const r = await runCli(['speak', 'hello', '-o', join(root, 'x.wav'), '--offline', '--engine', 'Xenova/mms-tts-eng'], {
    env: { ROSETTA_CACHE_DIR: join(root, 'empty-cache') },
  });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /ROSETTA_ERR_MODEL_OFFLINE_MISSING/);
  assert.match(r.stderr, /--engine espeak-ng/);
  assert.doesNotMatch(r.stderr, /--model/);
});

test('a server whose parent process dies without passing a signal on stops by itself', async () => {
  // The parent starts `rosetta serve` and is then SIGKILLed, as npx exits on SIGTERM without forwarding it.
  const starter = `const { spawn } = require('node:child_process');
    const c = spawn(process.execPath, [${JSON.stringify(BIN)}, 'serve', '--dir', ${JSON.stringify(join(root, 'served'))},
      '--port', '0', '--model', 'mini', '--offline', '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    c.stdout.on('data', (d) => process.stdout.write('server ' + c.pid + ' ' + d));
    setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', starter], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  parent.stdout!.on('data', (d) => {
    out += d;
  });
  let serverPid = 0;
  try {
    assert.ok(await waitFor(() => /server \d+ \{[\s\S]*"url"[\s\S]*\n\}\n/.test(out), 90_000), `the server did not start: ${out}`);
    serverPid = Number(/server (\d+)/.exec(out)![1]);
    const url = (JSON.parse(out.slice(out.indexOf('{'))) as { url: string }).url;
    assert.equal((await fetch(`${url}/api/health`)).status, 200);
    parent.kill('SIGKILL');
    assert.ok(await waitFor(() => !running(serverPid), 30_000), 'the server still runs 30 s after its parent died');
  } finally {
    parent.kill('SIGKILL');
    if (serverPid && running(serverPid)) process.kill(serverPid, 'SIGKILL');
  }
});
