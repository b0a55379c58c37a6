/**
 * The floor plan, checked: each folder imports only from folders below it; the CLI reaches the library only
 * through the package entry, and the server only through the public door (`src/rosetta.ts`). Every form of
 * import counts: `import … from`, `export … from`, a bare `import '…'`, `import type`, and `import('…')`
 * (with or without `await`), so a lazy import is no way around the plan. There is no allow-list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Lower layers first: a folder imports from folders of lower layers (and from itself), never sideways or up. */
const LAYERS: string[][] = [
  ['errors', 'types'],
  ['util', 'onnx'],
  ['vectors', 'media', 'models', 'datasets'],
  ['spaces', 'store', 'ocr', 'vad'],
  ['modalities'],
  ['ingest', 'search', 'generate', 'eval', 'train', 'export'],
  ['queue', 'collection'],
  ['rosetta', 'pull-model'],
  ['server'],
  ['index', 'core'],
  ['cli'],
];
const layerOf = (folder: string) => LAYERS.findIndex((l) => l.includes(folder));

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (name.endsWith('.ts')) yield path;
  }
}

/** A source file's path under src/, with `/` separators and `.ts` for `.js` (`server/routes/x.ts`). */
const srcPath = (abs: string) => relative(SRC, abs).split(sep).join('/').replace(/\.js$/, '.ts');
const topOf = (path: string) => path.split('/')[0].replace(/\.ts$/, '');

interface Import {
  file: string;
  target: string;
  from: string;
  to: string;
  dynamic: boolean;
}

/**
 * The relative imports of one file (`file`: its path under src/, `text`: its source). Package imports
 * (`fastify`, `node:fs`) are not the floor plan's business.
 */
export function importsOf(file: string, text: string): Import[] {
  const forms = [
    { re: /^\s*(?:import|export)\s+(?:type\s+)?[^;]*?\s+from\s+['"](\.[^'"]+)['"]/gm, dynamic: false },
    { re: /^\s*import\s+['"](\.[^'"]+)['"]/gm, dynamic: false },
    { re: /\bimport\s*\(\s*['"`](\.[^'"`]+)['"`]\s*\)/g, dynamic: true },
  ];
  const out: Import[] = [];
  for (const { re, dynamic } of forms) {
    for (const m of text.matchAll(re)) {
      const target = srcPath(join(SRC, dirname(file), m[1]));
      out.push({ file, target, from: topOf(file), to: topOf(target), dynamic });
    }
  }
  return out;
}

/** Every way an import breaks the floor plan, one line each (empty: it keeps it). */
export function violations(imports: Import[]): string[] {
  const wrong: string[] = [];
  for (const i of imports) {
    const at = `${i.file} → ${i.target}${i.dynamic ? ' (dynamic import)' : ''}`;
    if (layerOf(i.from) < 0 || layerOf(i.to) < 0) wrong.push(`${at}: a folder in no layer`);
    else if (i.from !== i.to && layerOf(i.to) >= layerOf(i.from)) wrong.push(`${at}: a sideways or upward import`);
    // The server reaches the library through the public door only: Rosetta's methods, and the types, limits
    // and pure helpers rosetta.ts re-exports (src/rosetta/public.ts).
    if (i.from === 'server' && i.to !== 'server' && i.target !== 'rosetta.ts')
      wrong.push(`${at}: the server imports only ../rosetta.js and its own files`);
    // The CLI: the package entries (the lean one at start-up, the full one inside a command's action), and the
    // output helpers in util.
    if (i.from === 'cli' && !['cli', 'index', 'core', 'util'].includes(i.to))
      wrong.push(`${at}: the CLI imports only the package entries (src/index.ts, src/core.ts) and util`);
  }
  return wrong;
}

const all = () => [...sources(SRC)].flatMap((abs) => importsOf(srcPath(abs), readFileSync(abs, 'utf8')));

test('every folder imports only from folders below it, and the CLI and the server only through the public door', () => {
  const found = all();
  assert.ok(found.length > 500, `the imports of src/ were read (${found.length})`);
  assert.ok(
    found.some((i) => i.dynamic),
    'dynamic imports are read too',
  );
  assert.deepEqual(violations(found), []);
});

test('the checker sees a lazy import of an internal module in the server, and every other way round the door', () => {
  const file = 'server/routes/sneaky-routes.ts';
  const text = [
    "import type { FastifyInstance } from 'fastify';",
    "import { ErrorCodes } from '../../rosetta.js';",
    "import { errorSchema } from '../http-errors.js';",
    'export async function status(url: string) {',
    "  const { queueStatus } = await import('../../queue/queue-status.js');",
    '  const thumbs = await import("../../media/image/thumbnail.js");',
    '  return [queueStatus, thumbs, ErrorCodes, errorSchema];',
    '}',
    "import type { SearchResult } from '../../search/query.js';",
    "import '../../media/detect-type.js';",
  ].join('\n');
  assert.deepEqual(violations(importsOf(file, text)), [
    'server/routes/sneaky-routes.ts → search/query.ts: the server imports only ../rosetta.js and its own files',
    'server/routes/sneaky-routes.ts → media/detect-type.ts: the server imports only ../rosetta.js and its own files',
    'server/routes/sneaky-routes.ts → queue/queue-status.ts (dynamic import): the server imports only ../rosetta.js and its own files',
    'server/routes/sneaky-routes.ts → media/image/thumbnail.ts (dynamic import): the server imports only ../rosetta.js and its own files',
  ]);
  // Lower layers: a lazy import upward is as wrong as a static one.
  assert.deepEqual(violations(importsOf('media/x.ts', "const q = await import('../queue/worker.js');")), [
    'media/x.ts → queue/worker.ts (dynamic import): a sideways or upward import',
  ]);
  assert.deepEqual(violations(importsOf('cli/x.ts', "export { Rosetta } from '../rosetta.js';")), [
    'cli/x.ts → rosetta.ts: the CLI imports only the package entries (src/index.ts, src/core.ts) and util',
  ]);
});
