/**
 * Cold start of the CLI from the shell: `node -e ''`, `rosetta --version` and `rosetta search "…"` on a 10k-item
 * mini-model collection, each a fresh process, median of N runs, this checkout against a baseline checkout built
 * the same way (e.g. the commit before, from `git worktree add`), plus the import time of each heavy package.
 *
 *   npx tsc -p tsconfig.json                                   # this checkout's dist/
 *   git worktree add --detach /tmp/base <commit> && (cd /tmp/base && ln -s $PWD/node_modules . && npx tsc -p tsconfig.json)
 *   flock /tmp/rosetta-heavy.lock node --import tsx bench/cold-start.ts --base /tmp/base --runs 7 [--items 10000]
 *
 * The collection (text notes, mini model) is built once under /tmp/rosetta-cold-start and reused.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, printTable } from './lib.js';

const HERE = resolve(fileURLToPath(new URL('..', import.meta.url)));
const base = arg('base', '');
const runs = Number(arg('runs', '7'));
const items = Number(arg('items', '10000'));
const work = arg('work', '/tmp/rosetta-cold-start');
const notes = join(work, `notes-${items}`);
const dir = join(work, `collection-${items}`);
const query = 'a quiet walk along the river at dawn';

const WORDS = (
  'river mountain coffee winter train garden city night market ocean forest music kitchen library bicycle ' +
  'storm harbour festival bridge desert meadow lantern violin harvest glacier island castle village orchard canyon'
).split(' ');

/** 10k short text notes (deterministic), indexed once through the library with the mini model. */
async function ensureCollection(): Promise<void> {
  if (existsSync(join(dir, 'DONE'))) return;
  mkdirSync(notes, { recursive: true });
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < items; i++) {
    const words = Array.from({ length: 8 + Math.floor(rnd() * 8) }, () => WORDS[Math.floor(rnd() * WORDS.length)]);
    writeFileSync(join(notes, `note-${String(i).padStart(5, '0')}.txt`), `Note ${i}: ${words.join(' ')}.\n`);
  }
  const { Rosetta } = await import('../src/index.js');
  const rosetta = await Rosetta.open(dir, { spaces: ['mini'], offline: true });
  const t = performance.now();
  const s = await rosetta.index([notes]);
  console.log(`built ${dir}: ${s.added} added, ${s.failures.length} failed in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  await rosetta.close();
  writeFileSync(join(dir, 'DONE'), '');
}

/** CPU seconds (user + system) of each timed child, by /usr/bin/time: steadier than wall time on a shared machine. */
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const cpuFile = join(work, 'cpu.txt');
const cpu: number[] = [];

function wall(cmd: string[], cwd: string): number {
  const t = process.hrtime.bigint();
  const r = TIME
    ? spawnSync(TIME, ['-f', '%U %S', '-o', cpuFile, ...cmd], { cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    : spawnSync(cmd[0], cmd.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} in ${cwd} exited ${r.status}: ${r.stderr}`);
  if (TIME)
    cpu.push(
      readFileSync(cpuFile, 'utf8')
        .trim()
        .split(/\s+/)
        .map(Number)
        .reduce((a, b) => a + b, 0) * 1000,
    );
  return ms;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Import time of one package in a fresh process (ms), from the given checkout's node_modules. */
function importMs(pkg: string, cwd: string): number {
  const code = `const t=performance.now();await import(${JSON.stringify(pkg)});process.stdout.write(String(performance.now()-t))`;
  const xs = Array.from({ length: 3 }, () => Number(execFileSync('node', ['--input-type=module', '-e', code], { cwd }).toString()));
  return median(xs);
}

await ensureCollection();
const checkouts: [string, string][] = [['this', HERE], ...(base ? [['baseline', resolve(base)] as [string, string]] : [])];
for (const [, root] of checkouts)
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error(`${root} has no dist/: build it with npx tsc -p tsconfig.json`);

const cases: [string, string[]][] = [
  ["node -e ''", ['node', '-e', '']],
  ['rosetta --version', ['node', 'bin/rosetta.js', '--version']],
  ['rosetta search (10k)', ['node', 'bin/rosetta.js', 'search', query, '--dir', dir, '--offline', '--json']],
];
const rows: Record<string, string | number>[] = [];
for (const [name, cmd] of cases) {
  const row: Record<string, string | number> = { command: name };
  const samples: Record<string, number[]> = {};
  const cpus: Record<string, number[]> = {};
  for (const [label, root] of checkouts) {
    wall(cmd, root);
    samples[label] = [];
    cpus[label] = [];
  } // one warm-up each (file cache)
  for (let i = 0; i < runs; i++) {
    for (const [label, root] of checkouts) {
      cpu.length = 0;
      samples[label].push(wall(cmd, root));
      cpus[label].push(...cpu);
    } // interleaved
  }
  for (const [label] of checkouts) row[`${label} median ms`] = median(samples[label]);
  if (TIME) for (const [label] of checkouts) row[`${label} CPU median ms`] = median(cpus[label]);
  for (const [label] of checkouts)
    row[`${label} min–max ms`] = `${Math.min(...samples[label]).toFixed(0)}–${Math.max(...samples[label]).toFixed(0)}`;
  rows.push(row);
}
printTable(`Cold start from the shell, median of ${runs} (fresh process each), ${items} items`, rows);

const heavy = [
  'commander',
  '@lancedb/lancedb',
  'onnxruntime-node',
  '@huggingface/transformers',
  '@huggingface/tokenizers',
  'sharp',
  'usearch',
  'file-type',
  '@zilliz/milvus2-sdk-node',
  'bullmq',
  'ioredis',
  'fastify',
  'hyparquet',
  'tar-stream',
  'hyparquet-writer',
  'cli-progress',
  'ml-matrix',
];
printTable(
  'Import time of each package alone (fresh process, median of 3)',
  heavy.map((pkg) => ({ package: pkg, ms: importMs(pkg, HERE) })),
);

// Which packages each checkout's `rosetta search` actually loads (a resolve hook, printed by the child).
const hook = join(work, 'load-hook.mjs');
writeFileSync(
  hook,
  `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`export async function resolve(s, c, next) {
  if (!/^(\\\\.|node:|file:|data:)/.test(s) && c.parentURL && c.parentURL.includes('/dist/'))
    process.stderr.write('LOADS ' + s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/') + '\\\\n');
  return next(s, c);
}\`));
`,
);
for (const [label, root] of checkouts) {
  const r = spawnSync('node', ['--import', hook, 'bin/rosetta.js', 'search', query, '--dir', dir, '--offline', '--json'], { cwd: root });
  const loaded = [
    ...new Set(
      r.stderr
        .toString()
        .split('\n')
        .filter((l) => l.startsWith('LOADS '))
        .map((l) => l.slice(6)),
    ),
  ].sort();
  console.log(`\n${label}: rosetta search loads ${loaded.length} packages: ${loaded.join(', ')}`);
}

// Where a search's time goes, in one fresh process per checkout: loading the entry the CLI loads (the lean
// dist/core.js where the checkout has one, else dist/index.js), opening the collection, the first search (model load +
// query encoding + vector search + records), median of 3.
const phases = `import { existsSync } from 'node:fs';const t0=performance.now();const {Rosetta}=await import(existsSync('./dist/core.js')?'./dist/core.js':'./dist/index.js');const t1=performance.now();
const r=await Rosetta.open(${JSON.stringify(dir)},{offline:true});const t2=performance.now();
await r.search(${JSON.stringify(query)});const t3=performance.now();await r.search('winter train');const t4=performance.now();
process.stdout.write(JSON.stringify({ 'import package': t1-t0, 'Rosetta.open': t2-t1, 'first search': t3-t2, 'second search': t4-t3 }));`;
const phaseRows: Record<string, string | number>[] = [];
for (const [label, root] of checkouts) {
  const xs = Array.from(
    { length: 3 },
    () => JSON.parse(execFileSync('node', ['--input-type=module', '-e', phases], { cwd: root }).toString()) as Record<string, number>,
  );
  phaseRows.push({ checkout: label, ...Object.fromEntries(Object.keys(xs[0]).map((k) => [`${k} ms`, median(xs.map((x) => x[k]))])) });
}
printTable('Where the time goes (in-process phases, median of 3)', phaseRows);
