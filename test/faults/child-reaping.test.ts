/**
 * Fault: `rosetta index` is SIGKILLed while ffmpeg/ffprobe work for it. The children must die with it, even
 * one that writes nothing (stalled on a hung mount, say), which a closed pipe would never reach.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locateFfmpeg } from '../../src/media/ffmpeg/locate.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourVideo } from '../server/fixture.js';
import { childrenOf, running, waitFor } from './proc.js';

const BIN = fileURLToPath(new URL('../../bin/rosetta.js', import.meta.url));
let root: string;
let model: string;
const strays: number[] = [];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-reap-'));
  model = buildTinyClip();
  mkdirSync(join(root, 'videos'));
  await colourVideo(join(root, 'videos', 'clip.mp4'), [
    ['red', 2],
    ['blue', 2],
  ]);
});
after(() => {
  for (const pid of strays)
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  rmSync(root, { recursive: true, force: true });
  rmSync(model, { recursive: true, force: true });
});

test('a stalled ffprobe dies when `rosetta index` is SIGKILLed', { skip: process.platform !== 'linux' && 'reads /proc' }, async () => {
  const { ffprobe } = await locateFfmpeg();
  // The real ffprobe answers the version check; reading the file stalls without a byte of output.
  const stalled = join(root, 'stalled-ffprobe');
  writeFileSync(stalled, `#!/bin/sh\ncase "$*" in *-version*) exec "${ffprobe}" "$@";; esac\nexec sleep 300\n`, { mode: 0o755 });
  const cli = spawn(
    process.execPath,
    [BIN, 'index', join(root, 'videos'), '--dir', join(root, '.rosetta'), '--model', model, '--offline', '--json'],
    { env: { ...process.env, ROSETTA_FFPROBE: stalled }, stdio: 'ignore' },
  );
  const exited = new Promise((r) => cli.once('exit', r));
  let probe: number | undefined;
  assert.ok(
    await waitFor(() => {
      probe = childrenOf(cli.pid!).find((c) => c.name === 'sleep')?.pid;
      return probe !== undefined;
    }, 60_000),
    'the stalled ffprobe never started',
  );
  strays.push(probe!);
  cli.kill('SIGKILL');
  await exited;
  assert.ok(await waitFor(() => !running(probe!), 3000), `the stalled ffprobe (pid ${probe}) outlived its parent`);
});
