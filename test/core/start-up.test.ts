import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rosetta } from '../../src/rosetta.js';
import { buildTinyClip } from '../helpers/tiny-clip.js';
import { colourImage } from '../helpers/images.js';
import { runCli } from '../helpers/run-cli.js';

const RECORDER = fileURLToPath(new URL('../helpers/record-packages.mjs', import.meta.url));

/** The npm packages a CLI run loaded, by name. */
async function packagesLoadedBy(args: string[], root: string): Promise<{ code: number; stderr: string; packages: Set<string> }> {
  const file = join(root, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, '');
  const r = await runCli(args, {
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${RECORDER}`, ROSETTA_TEST_LOADED_FILE: file },
  });
  const packages = new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line) => {
        const names = [...line.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
        return names.length ? [names[names.length - 1][1]] : [];
      }),
  );
  return { code: r.code, stderr: r.stderr, packages };
}

// What only other commands use: the server, the queue, Milvus, Parquet and tar shards, training maths, progress bars.
const NOT_FOR_SEARCH = [
  'fastify',
  '@fastify/multipart',
  '@fastify/swagger',
  'bullmq',
  'ioredis',
  '@zilliz/milvus2-sdk-node',
  'hyparquet',
  'hyparquet-writer',
  'tar-stream',
  'ml-matrix',
  'cli-progress',
];

test('rosetta --version and rosetta search load none of the packages only other commands need', async () => {
  const root = mkdtempSync(join(tmpdir(), 'rosetta-start-up-'));
  try {
    mkdirSync(join(root, 'pics'));
    writeFileSync(join(root, 'pics', 'red.png'), await colourImage('red'));
    const rosetta = await Rosetta.open(join(root, '.rosetta'), { spaces: [buildTinyClip()], offline: true });
    assert.equal((await rosetta.index([join(root, 'pics')])).added, 1);
    await rosetta.close();
    for (const args of [['--version'], ['search', 'red', '--dir', join(root, '.rosetta'), '--offline', '--json']]) {
      const run = await packagesLoadedBy(args, root);
      assert.equal(run.code, 0, run.stderr);
      assert.ok(run.packages.has('commander'), `the recorder saw the CLI's own packages (${[...run.packages].join(', ')})`);
      assert.deepEqual(
        NOT_FOR_SEARCH.filter((p) => run.packages.has(p)),
        [],
        `rosetta ${args[0]} loaded them`,
      );
      if (args[0] === 'search') assert.ok(run.packages.has('@lancedb/lancedb'), 'search opened the store');
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
