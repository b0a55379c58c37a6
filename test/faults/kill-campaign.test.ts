/**
 * Fault campaign: `rosetta index` (first ingest) and `rosetta index --prune` (re-index after files were
 * deleted, changed, copied and added) are SIGKILLed at random moments, restarted, killed again, and finally
 * let finish. Each end state must equal a clean run's: items, locations, segments, vector rows, search
 * results; no duplicates, no orphans, nothing lost, and no ffmpeg/ffprobe child left running.
 *
 * Bounded by default: one trial per phase of ROSETTA_FAULT_KILLS kills (default 3); ROSETTA_FAULT_TRIALS runs more
 * trials, ROSETTA_FAULT_SEED picks other moments. Kills land between the end of start-up and a clean run's end.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../src/util/seeded-random.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';
import { colourVideo } from '../server/fixture.js';
import { collectionState, type CollectionState } from './collection-state.js';
import { textOfSize } from './texts.js';
import { childrenOf, running, waitFor } from './proc.js';

const BIN = fileURLToPath(new URL('../../bin/rosetta.js', import.meta.url));
const KILLS = Number(process.env.ROSETTA_FAULT_KILLS ?? 3);
const TRIALS = Number(process.env.ROSETTA_FAULT_TRIALS ?? 1);
const random = seededRandom(Number(process.env.ROSETTA_FAULT_SEED ?? 11));
const COLOURS = ['red', 'green', 'blue', 'yellow', 'cyan', 'magenta'] as const;

let root: string;
let files: string;
let model: string;
/** Kills delivered, and media children found alive a moment after their parent was killed. */
const tally = { kills: 0, strayChildren: [] as string[] };

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-kills-'));
  files = join(root, 'files');
  model = buildTinyClip();
  await writeInitial();
});
after(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(model, { recursive: true, force: true });
});

/** 18 pictures (two of them also copied elsewhere), three notes, a 1.2 MB text (chunked while streamed), a video. */
async function writeInitial(): Promise<void> {
  rmSync(files, { recursive: true, force: true });
  for (const d of ['pics', 'pics/more', 'notes', 'copies', 'video']) mkdirSync(join(files, d), { recursive: true });
  for (let i = 0; i < 18; i += 1) writeFileSync(join(files, i < 9 ? 'pics' : 'pics/more', `p${i}.png`), await colourImage(COLOURS[i % 6], { seed: 100 + i }));
  writeFileSync(join(files, 'copies', 'p0-copy.png'), await colourImage(COLOURS[0], { seed: 100 }));
  writeFileSync(join(files, 'copies', 'p4-copy.png'), await colourImage(COLOURS[4], { seed: 104 }));
  writeFileSync(join(files, 'notes', 'sky.txt'), 'The sky was yellow and then a deep blue.');
  writeFileSync(join(files, 'notes', 'car.md'), '# A red car\n\nIt drove past the green field.');
  writeFileSync(join(files, 'notes', 'sea.txt'), 'Cyan waves under a magenta evening.');
  writeFileSync(join(files, 'notes', 'long.txt'), textOfSize(1.2 * 1024 * 1024, 5));
  await colourVideo(join(files, 'video', 'clip.mp4'), [['red', 2], ['blue', 2], ['green', 2]]);
}

/** Deletes, changes, copies and adds files: what the re-index with --prune must follow. */
async function mutate(): Promise<void> {
  for (const f of ['pics/p1.png', 'pics/more/p10.png', 'notes/sea.txt', 'copies/p4-copy.png']) unlinkSync(join(files, f));
  writeFileSync(join(files, 'pics', 'p2.png'), await colourImage('magenta', { seed: 900 }));
  writeFileSync(join(files, 'pics/more', 'p11.png'), await colourImage('green', { seed: 901 }));
  writeFileSync(join(files, 'copies', 'p3-copy.png'), await colourImage(COLOURS[3], { seed: 103 }));
  writeFileSync(join(files, 'copies', 'p5-copy.png'), await colourImage(COLOURS[5], { seed: 105 }));
  writeFileSync(join(files, 'pics', 'new.png'), await colourImage('cyan', { seed: 902 }));
  writeFileSync(join(files, 'notes', 'long.txt'), `${textOfSize(1.2 * 1024 * 1024, 5)}And a last red line.\n`);
}

interface Run { ms: number; code: number | null; killed: boolean; stderr: string }

/** Runs the real CLI; with `killAfterMs`, SIGKILLs it then and checks its media children die with it. */
function runIndex(dir: string, extra: string[], killAfterMs?: number): Promise<Run> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, 'index', files, '--dir', dir, '--model', model, '--offline', '--json', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  let killed = false;
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => {
    const media = childrenOf(child.pid!).filter((c) => /ffmpeg|ffprobe/.test(c.name));
    killed = child.kill('SIGKILL');
    if (!killed) return;
    tally.kills += 1;
    void waitFor(() => media.every((m) => !running(m.pid)), 3000)
      .then((ok) => { if (!ok) tally.strayChildren.push(...media.filter((m) => running(m.pid)).map((m) => `${m.name} ${m.pid}`)); });
  }, killAfterMs);
  return new Promise((resolve) => child.on('exit', (code) => {
    clearTimeout(timer);
    resolve({ ms: performance.now() - started, code, killed: killed && code === null, stderr });
  }));
}

/** Kills a run `KILLS` times at random moments between start-up's end and a clean run's end, then lets it finish. */
async function killAndFinish(dir: string, extra: string[], window: { from: number; to: number }): Promise<number> {
  let kills = 0;
  for (let i = 0; i < KILLS; i += 1) {
    const run = await runIndex(dir, extra, Math.round(window.from + (window.to - window.from) * random()));
    if (run.killed) kills += 1;
    else assert.equal(run.code, 0, `a run that finished before its kill failed:\n${run.stderr}`);
  }
  const last = await runIndex(dir, extra);
  assert.equal(last.code, 0, last.stderr);
  return kills;
}

const differences = (a: CollectionState, b: CollectionState) => Object.keys(a).filter((k) => JSON.stringify(a[k as keyof CollectionState]) !== JSON.stringify(b[k as keyof CollectionState]));

test('SIGKILLs during a first ingest and during a re-index with --prune leave the collection a clean run leaves', async (t) => {
  // Clean reference runs, timed: a first ingest, then the re-index after the files change.
  const clean = join(root, 'clean');
  const first = await runIndex(clean, []);
  assert.equal(first.code, 0, first.stderr);
  const afterFirst = await collectionState(clean, model);
  assert.deepEqual([afterFirst.orphans, afterFirst.duplicates], [[], []]);
  assert.equal(afterFirst.items.length, 18 + 4 + 1, 'copies are locations of their originals, not items');
  const snapshot = join(root, 'after-first');
  cpSync(clean, snapshot, { recursive: true });
  // Run again on the unchanged folder: nothing changes, and its duration is start-up plus a scan.
  const idle = await runIndex(clean, []);
  assert.equal(idle.code, 0, idle.stderr);
  assert.deepEqual(differences(await collectionState(clean, model), afterFirst), [], 'a second run on unchanged files changed the collection');
  const startup = idle.ms * 0.9;

  // Kills during the first ingest, each trial from an empty collection.
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const dir = join(root, `first-${trial}`);
    const kills = await killAndFinish(dir, [], { from: startup, to: Math.max(first.ms, startup + 500) });
    const state = await collectionState(dir, model);
    assert.deepEqual(differences(state, afterFirst), [], `first ingest, trial ${trial} (${kills} kills)`);
    rmSync(dir, { recursive: true, force: true });
  }

  await mutate();
  const reindex = await runIndex(clean, ['--prune']);
  assert.equal(reindex.code, 0, reindex.stderr);
  const afterReindex = await collectionState(clean, model);
  assert.deepEqual([afterReindex.orphans, afterReindex.duplicates], [[], []]);
  assert.notDeepEqual(afterReindex.items, afterFirst.items);

  // Kills during the re-index, each from the state the first ingest left.
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const dir = join(root, `reindex-${trial}`);
    cpSync(snapshot, dir, { recursive: true });
    const kills = await killAndFinish(dir, ['--prune'], { from: startup, to: Math.max(reindex.ms, startup + 500) });
    const state = await collectionState(dir, model);
    assert.deepEqual(differences(state, afterReindex), [], `re-index, trial ${trial} (${kills} kills)`);
    rmSync(dir, { recursive: true, force: true });
  }
  assert.deepEqual(tally.strayChildren, [], 'media children outlived a killed run');
  assert.ok(tally.kills >= KILLS * TRIALS, `only ${tally.kills} of ${KILLS * TRIALS * 2} kills landed before the run finished`);
  t.diagnostic(`kills survived: ${tally.kills} (${first.ms.toFixed(0)} ms clean ingest, ${reindex.ms.toFixed(0)} ms clean re-index)`);
  await writeInitial();
});
