/**
 * Fault campaign: `rosetta index` (first ingest) and `rosetta index --prune` (re-index after files were
 * deleted, changed, copied and added) are SIGKILLed at random moments, restarted, killed again, and finally
 * let finish. Each end state must equal a clean run's: items, locations, segments, vector rows, search
 * results; no duplicates, no orphans, nothing lost, and no ffmpeg/ffprobe child left running.
 *
 * Bounded by default: one trial per phase of ROSETTA_FAULT_KILLS kills (default 3); ROSETTA_FAULT_TRIALS runs more
 * trials, ROSETTA_FAULT_SEED picks other moments. A kill lands after a random number of the store's commits (of
 * those a clean run makes) plus up to 150 ms, so it strikes while work is under way, between or inside writes. A run
 * that finishes before its kill lands ends that attempt (checked all the same) and the trial starts again from its
 * starting state until its kills have landed: the verdict never depends on how fast the machine is.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../src/util/random.js';
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
/** Media children found alive a moment after their parent was killed. */
const tally = { strayChildren: [] as string[] };

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'rosetta-kills-'));
  files = join(root, 'files');
  model = buildTinyClip();
  await writeInitial();
});
after(() => {
  if (process.env.ROSETTA_FAULT_KEEP) {
    process.stderr.write(`kept ${root}\n`);
    return;
  }
  rmSync(root, { recursive: true, force: true });
  rmSync(model, { recursive: true, force: true });
});

/**
 * 18 pictures (two of them also copied elsewhere), three notes, a 1.05 MB text (chunked while streamed) and a video.
 * Paragraphs of ~58 words make the text ~3,900 chunks: old and new versions together stay under the 10,000 rows
 * where an ANN index would be built, so every run searches the same way.
 */
const longText = (tail = '') => `${textOfSize(1.05 * 1024 * 1024, 5, { min: 56, max: 60 })}${tail}`;
async function writeInitial(): Promise<void> {
  rmSync(files, { recursive: true, force: true });
  for (const d of ['pics', 'pics/more', 'notes', 'long', 'copies', 'video']) mkdirSync(join(files, d), { recursive: true });
  for (let i = 0; i < 18; i += 1)
    writeFileSync(join(files, i < 9 ? 'pics' : 'pics/more', `p${i}.png`), await colourImage(COLOURS[i % 6], { seed: 100 + i }));
  writeFileSync(join(files, 'copies', 'p0-copy.png'), await colourImage(COLOURS[0], { seed: 100 }));
  writeFileSync(join(files, 'copies', 'p4-copy.png'), await colourImage(COLOURS[4], { seed: 104 }));
  writeFileSync(join(files, 'notes', 'sky.txt'), 'A yellow sky over a red car.');
  writeFileSync(join(files, 'notes', 'car.md'), '# A red car\n\nIt drove past the green field.');
  writeFileSync(join(files, 'notes', 'sea.txt'), 'Cyan waves under a magenta evening.');
  writeFileSync(join(files, 'long', 'long.txt'), longText());
  await colourVideo(join(files, 'video', 'clip.mp4'), [
    ['red', 2],
    ['blue', 2],
    ['green', 2],
  ]);
}

/** Deletes, changes, copies and adds files: what the re-index with --prune must follow. */
async function mutate(): Promise<void> {
  for (const f of ['pics/p1.png', 'pics/more/p10.png', 'notes/sea.txt', 'copies/p4-copy.png']) unlinkSync(join(files, f));
  writeFileSync(join(files, 'pics', 'p2.png'), await colourImage('magenta', { seed: 900 }));
  writeFileSync(join(files, 'pics/more', 'p11.png'), await colourImage('green', { seed: 901 }));
  writeFileSync(join(files, 'copies', 'p3-copy.png'), await colourImage(COLOURS[3], { seed: 103 }));
  writeFileSync(join(files, 'copies', 'p5-copy.png'), await colourImage(COLOURS[5], { seed: 105 }));
  writeFileSync(join(files, 'pics', 'new.png'), await colourImage('cyan', { seed: 902 }));
  writeFileSync(join(files, 'long', 'long.txt'), longText('And a last red line.\n'));
}

interface Run {
  ms: number;
  code: number | null;
  killed: boolean;
  stderr: string;
  commits: number;
}

/** Commits LanceDB has recorded in a collection so far (one transaction file per write, per table). */
function commitsIn(dir: string): number {
  let n = 0;
  try {
    for (const table of readdirSync(dir)) if (table.endsWith('.lance')) n += readdirSync(join(dir, table, '_transactions')).length;
  } catch {
    /* not created yet */
  }
  return n;
}

/** Runs the real CLI; with `killAtCommit`, SIGKILLs it once that many new commits appear, and checks its media children die with it. */
function runIndex(dir: string, extra: string[], killAtCommit?: number): Promise<Run> {
  const started = performance.now();
  const base = commitsIn(dir);
  const child = spawn(process.execPath, [BIN, 'index', files, '--dir', dir, '--model', model, '--offline', '--json', ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  let killed = false;
  const kill = () => {
    const media = childrenOf(child.pid!).filter((c) => /ffmpeg|ffprobe/.test(c.name));
    killed = child.kill('SIGKILL');
    if (!killed) return;
    void waitFor(() => media.every((m) => !running(m.pid)), 3000).then((ok) => {
      if (!ok) tally.strayChildren.push(...media.filter((m) => running(m.pid)).map((m) => `${m.name} ${m.pid}`));
    });
  };
  const watch =
    killAtCommit === undefined
      ? undefined
      : setInterval(() => {
          if (commitsIn(dir) - base < killAtCommit) return;
          clearInterval(watch);
          setTimeout(kill, Math.round(150 * random()));
        }, 15);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearInterval(watch);
      resolve({ ms: performance.now() - started, code, killed: killed && code === null, stderr, commits: commitsIn(dir) - base });
    }),
  );
}

/**
 * Kills runs of one phase until `KILLS` kills have landed, letting the last run of each attempt finish, and checks
 * every attempt's end state against `expected`. A run may finish before its kill lands (on a busy machine the
 * watcher runs late): the collection is then complete, so that attempt ends, is checked like any other, and the
 * next starts again from `prepare()` (a fresh copy of the phase's starting state). The kills always land, however
 * fast or slow the machine; only the number of attempts varies (bounded, generously).
 */
async function killCampaign(
  phase: string,
  prepare: (attempt: number) => string,
  extra: string[],
  cleanCommits: number,
  expected: CollectionState,
): Promise<{ kills: number; attempts: number }> {
  const maxAttempts = 4 * KILLS;
  let kills = 0;
  let attempts = 0;
  while (kills < KILLS && attempts < maxAttempts) {
    const dir = prepare(attempts);
    attempts += 1;
    let left = cleanCommits;
    while (kills < KILLS) {
      // Each restart has less left to do: aim within what remains.
      const run = await runIndex(dir, extra, 1 + Math.floor(random() * Math.max(1, left - 2)));
      left = Math.max(2, left - run.commits);
      if (run.killed) {
        kills += 1;
        continue;
      }
      assert.equal(run.code, 0, `a run that finished before its kill failed:\n${run.stderr}`);
      break;
    }
    const last = await runIndex(dir, extra);
    assert.equal(last.code, 0, last.stderr);
    assert.deepEqual(differences(await collectionState(dir, model), expected), [], `${phase}, attempt ${attempts} (${kills} kills so far)`);
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(kills, KILLS, `${phase}: ${kills} of ${KILLS} kills landed in ${attempts} attempts`);
  return { kills, attempts };
}

/** What differs between two states: the names of the parts, and the first differing entry of each. */
const differences = (a: CollectionState, b: CollectionState) =>
  Object.keys(a).flatMap((k) => {
    const [x, y] = [a[k as keyof CollectionState], b[k as keyof CollectionState]];
    if (JSON.stringify(x) === JSON.stringify(y)) return [];
    const flat = (v: unknown) =>
      Array.isArray(v) ? v : Object.entries(v as object).flatMap(([n, l]) => (l as string[]).map((e) => `${n}: ${e}`));
    const [fx, fy] = [flat(x), flat(y)];
    const first = fx.findIndex((e, i) => e !== fy[i]);
    const at = first < 0 ? Math.min(fx.length, fy.length) : first;
    return [`${k} (${fx.length} entries, not ${fy.length}): ${JSON.stringify(fx[at])} instead of ${JSON.stringify(fy[at])}`];
  });

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
  // Run again on the unchanged folder: nothing changes.
  const idle = await runIndex(clean, []);
  assert.equal(idle.code, 0, idle.stderr);
  assert.deepEqual(
    differences(await collectionState(clean, model), afterFirst),
    [],
    'a second run on unchanged files changed the collection',
  );

  // Kills during the first ingest, each trial from an empty collection.
  const attempts: number[] = [];
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const landed = await killCampaign(
      `first ingest, trial ${trial}`,
      (n) => join(root, `first-${trial}-${n}`),
      [],
      first.commits,
      afterFirst,
    );
    attempts.push(landed.attempts);
  }

  await mutate();
  const reindex = await runIndex(clean, ['--prune']);
  assert.equal(reindex.code, 0, reindex.stderr);
  const afterReindex = await collectionState(clean, model);
  assert.deepEqual([afterReindex.orphans, afterReindex.duplicates], [[], []]);
  assert.notDeepEqual(afterReindex.items, afterFirst.items);

  // Kills during the re-index, each from the state the first ingest left.
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const landed = await killCampaign(
      `re-index, trial ${trial}`,
      (n) => {
        const dir = join(root, `reindex-${trial}-${n}`);
        cpSync(snapshot, dir, { recursive: true });
        return dir;
      },
      ['--prune'],
      reindex.commits,
      afterReindex,
    );
    attempts.push(landed.attempts);
  }
  assert.deepEqual(tally.strayChildren, [], 'media children outlived a killed run');
  t.diagnostic(
    `kills survived: ${KILLS * TRIALS * 2} (every phase asserts its own) in ${attempts.reduce((a, b) => a + b, 0)} attempts of ${TRIALS * 2} trials (` +
      `clean ingest ${first.ms.toFixed(0)} ms, ${first.commits} commits; clean re-index ${reindex.ms.toFixed(0)} ms, ${reindex.commits} commits)`,
  );
  await writeInitial();
});
