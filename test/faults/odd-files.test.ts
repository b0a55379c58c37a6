/**
 * Odd files in a folder: a FIFO named like a picture, a name with a newline in it, a PNG cut short. Each gets
 * one whole error line that names it (quoted when its name holds control characters) and says what is wrong.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';
import { runCli } from '../helpers/run-cli.js';

let root: string;
let model: string;
before(() => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-odd-'));
  model = buildTinyClip();
});
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(model, { recursive: true, force: true });
});

test(
  'a FIFO, a newline in a name and a truncated PNG each get one clear error line',
  { skip: process.platform === 'win32' && 'mkfifo' },
  async () => {
    const dir = join(root, 'files');
    mkdirSync(dir);
    const png = await colourImage('red', { width: 200, height: 200, seed: 4 });
    writeFileSync(join(dir, 'good.png'), png);
    writeFileSync(join(dir, 'truncated.png'), png.subarray(0, Math.floor(png.length / 2)));
    writeFileSync(join(dir, 'two\nlines.png'), png.subarray(0, 300));
    execFileSync('mkfifo', [join(dir, 'x.jpg')]);
    const r = await runCli(['index', dir, '--dir', join(root, '.rosetta'), '--model', model, '--offline']);
    assert.equal(r.code, 23, `some files failed: the partial-failure exit status\n${r.stderr}`);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('failed: '));
    assert.equal(lines.length, 3, r.stderr);
    assert.equal(
      r.stderr.split('\n').filter((l) => l && !l.startsWith('failed: ') && !/^\s*$|index|\r/.test(l)).length,
      0,
      `stray lines:\n${r.stderr}`,
    );
    const line = (needle: string) => lines.find((l) => l.includes(needle)) ?? assert.fail(`no line for ${needle}:\n${r.stderr}`);
    assert.match(line('x.jpg'), /not a regular file .*FIFO/);
    assert.match(line(JSON.stringify(join(dir, 'two\nlines.png'))), /two\\nlines\.png/);
    assert.match(line('truncated.png'), /cut short|truncated/i);
    assert.doesNotMatch(line('truncated.png'), /Unknown error|libpng read error\)$/);
    assert.match(r.stdout, /1 added, 0 updated, 0 skipped, 3 failed/);
  },
);
