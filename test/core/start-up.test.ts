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

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** The npm packages a CLI run loaded, by name, and Rosetta's own modules it loaded (`generate/speak/limits`, from src/ or dist/). */
async function packagesLoadedBy(
  args: string[],
  root: string,
): Promise<{ code: number; stdout: string; stderr: string; packages: Set<string>; modules: Set<string> }> {
  const file = join(root, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, '');
  const r = await runCli(args, {
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${RECORDER}`, ROSETTA_TEST_LOADED_FILE: file },
  });
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => (line.startsWith('file:') ? fileURLToPath(line) : line));
  const packages = new Set(
    lines
      .filter((line) => line.includes('/node_modules/'))
      .flatMap((line) => {
        const names = [...line.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)];
        return names.length ? [names[names.length - 1][1]] : [];
      }),
  );
  const modules = new Set(
    lines.flatMap((line) => {
      const m = line.startsWith(REPO) ? /^(?:src|dist)\/(.+)\.(?:ts|js)$/.exec(line.slice(REPO.length)) : null;
      return m ? [m[1]] : [];
    }),
  );
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, packages, modules };
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
  // Transformers.js and sharp (about 0.3 s of CPU together): a text query on a local CLIP model runs its text tower
  // on onnxruntime-node and the tokenizers package; they load with the first picture or Transformers.js model.
  '@huggingface/transformers',
  'sharp',
  'onnx-proto',
];

/**
 * Rosetta's own areas that a search never runs: generation, evaluation, training, OCR, VAD, ingest, the queue, export
 * and the data-set readers load on first use (a Rosetta method, or a CLI command's action), and the full package
 * entry (index) not at all. The few small modules of those folders a search does use (a limit, the adapter map, a
 * location parser) are named.
 */
const AREAS_NOT_FOR_SEARCH = /^(index|generate|eval|train|ocr|vad|ingest|queue|export|datasets)(\/|$)/;
const SMALL_PARTS_SEARCH_USES = ['generate/speak/limits', 'train/adapter/linear-adapter', 'datasets/shards/shard-sample'];

test('rosetta --version and rosetta search load none of the packages and library areas only other commands need', async () => {
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
      assert.ok(run.modules.has('rosetta'), `the recorder saw Rosetta's own modules (${run.modules.size})`);
      assert.deepEqual(
        [...run.modules].filter((m) => AREAS_NOT_FOR_SEARCH.test(m) && !SMALL_PARTS_SEARCH_USES.includes(m)).sort(),
        [],
        `rosetta ${args[0]} loaded these library modules`,
      );
      if (args[0] === 'search') {
        assert.ok(run.packages.has('@lancedb/lancedb'), 'search opened the store');
        assert.ok(run.packages.has('onnxruntime-node') && run.packages.has('@huggingface/tokenizers'), 'search ran the text tower');
        assert.ok(JSON.parse(run.stdout).results.length > 0, 'search found the picture');
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
